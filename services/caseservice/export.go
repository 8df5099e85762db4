package caseservice

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// export is everything held about a case, every key in snake_case as the
// API's own JSON names (the case is the API's Case).
type export struct {
	ExportedAt    time.Time            `json:"exported_at"`
	Case          json.RawMessage      `json:"case"`
	Events        []exportEvent        `json:"events"`
	Notifications []exportNotification `json:"notifications"`
	AccessLog     []exportAccess       `json:"access_log"`
}

type exportEvent struct {
	Kind      string    `json:"kind"`
	FromStage string    `json:"from_stage"`
	ToStage   string    `json:"to_stage"`
	Actor     string    `json:"actor"`
	Summary   string    `json:"summary"`
	At        time.Time `json:"event_time"`
}

type exportNotification struct {
	Recipient  string     `json:"recipient"`
	Kind       string     `json:"kind"`
	Subject    string     `json:"subject"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"create_time"`
	ReadAt     *time.Time `json:"read_time,omitempty"`
	MailSentAt *time.Time `json:"mail_sent_time,omitempty"`
	Attachment string     `json:"attachment,omitempty"`
}

type exportAccess struct {
	Sequence int64     `json:"sequence"`
	At       time.Time `json:"access_time"`
	Actor    string    `json:"actor"`
	Role     string    `json:"role"`
	Action   string    `json:"action"`
	Purpose  string    `json:"purpose"`
	Hash     string    `json:"hash"`
}

// ExportCase answers a subject-access request: the case, its timeline, its
// notifications and its access log, as one JSON document.
func (s *Server) ExportCase(ctx context.Context, req *rotsv1.ExportCaseRequest) (*rotsv1.ExportCaseResponse, error) {
	c, err := s.getCase(ctx, "name", req.GetName())
	if err != nil {
		return nil, err
	}
	e := export{ExportedAt: s.now().UTC()}
	if e.Case, err = (protojson.MarshalOptions{UseProtoNames: true}).Marshal(toProto(c)); err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	events, err := s.db.ListEvents(ctx, c.ID, 0, 100000)
	if err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	for _, ev := range events {
		e.Events = append(e.Events, exportEvent{ev.Kind, ev.FromStage, ev.ToStage, ev.Actor, ev.Summary, ev.At})
	}
	ns, err := s.db.CaseNotifications(ctx, c.ID)
	if err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	for _, n := range ns {
		e.Notifications = append(e.Notifications, exportNotification{n.Recipient, n.Kind, n.Subject, n.Body, n.CreatedAt, n.ReadAt, n.MailSentAt, n.Attachment})
	}
	entries, err := s.db.ListAccess(ctx, store.AccessFilter{CaseID: c.ID}, 100000)
	if err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	for _, a := range entries {
		e.AccessLog = append(e.AccessLog, exportAccess{a.ID, a.At, a.Actor, a.Role, a.Action, a.Purpose, hex.EncodeToString(a.Hash)})
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	return &rotsv1.ExportCaseResponse{Json: string(b)}, nil
}
