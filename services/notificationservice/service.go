// Package notificationservice implements rots.v1.NotificationService: the
// in-app inbox of the notifications the case workflows write.
//
// It must not import the other services or cmd/.
package notificationservice

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.NotificationService.
type Server struct {
	rotsv1.UnimplementedNotificationServiceServer
	db  *store.DB
	log *slog.Logger
	now func() time.Time
}

var _ rotsv1.NotificationServiceServer = (*Server)(nil)

// New returns a NotificationService on the store.
func New(db *store.DB, log *slog.Logger) *Server {
	return &Server{db: db, log: log, now: time.Now}
}

func toProto(n *store.Notification) *rotsv1.Notification {
	pn := &rotsv1.Notification{
		Name: "notifications/" + strconv.FormatInt(n.ID, 10), Case: "cases/" + n.CaseID, Recipient: n.Recipient,
		Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreateTime: timestamppb.New(n.CreatedAt), Invitation: n.Attachment,
	}
	if n.ReadAt != nil {
		pn.ReadTime = timestamppb.New(*n.ReadAt)
	}
	if n.MailSentAt != nil {
		pn.MailTime = timestamppb.New(*n.MailSentAt)
	}
	return pn
}

// ListNotifications lists a recipient's inbox, newest first.
func (s *Server) ListNotifications(ctx context.Context, req *rotsv1.ListNotificationsRequest) (*rotsv1.ListNotificationsResponse, error) {
	var v rpc.Violations
	v.Email("recipient", req.GetRecipient())
	page := rpc.ReadPage[int64](&v, req.GetPageSize(), req.GetPageToken(), "inbox", req.GetRecipient(), req.GetUnreadOnly())
	if err := v.Err(); err != nil {
		return nil, err
	}
	var before int64
	if page.After != nil {
		before = *page.After
	}
	ns, err := s.db.ListNotifications(ctx, req.GetRecipient(), req.GetUnreadOnly(), before, page.Size+1)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "ListNotifications", "inbox", err)
	}
	resp := &rotsv1.ListNotificationsResponse{}
	ns, resp.NextPageToken = rpc.Trim(page, ns, func(n *store.Notification) int64 { return n.ID })
	for _, n := range ns {
		resp.Notifications = append(resp.Notifications, toProto(n))
	}
	return resp, nil
}

// MarkNotificationRead marks a notification read; marking it again keeps
// the first read time.
func (s *Server) MarkNotificationRead(ctx context.Context, req *rotsv1.MarkNotificationReadRequest) (*rotsv1.MarkNotificationReadResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	idText, ok := strings.CutPrefix(req.GetName(), "notifications/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		v.Add("name", "must be notifications/{id}, got %q", req.GetName())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.db.MarkNotificationRead(ctx, id, s.now().UTC()); err != nil {
		return nil, rpc.Status(ctx, s.log, "MarkNotificationRead", "notification", err)
	}
	n, err := s.db.GetNotification(ctx, id)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "MarkNotificationRead", "notification", err)
	}
	return &rotsv1.MarkNotificationReadResponse{Notification: toProto(n)}, nil
}
