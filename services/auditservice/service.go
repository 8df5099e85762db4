// Package auditservice implements rots.v1.AuditService: the access log for
// the data-protection officer.
//
// It must not import the other services or cmd/.
package auditservice

import (
	"context"
	"encoding/hex"
	"log/slog"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.AuditService.
type Server struct {
	rotsv1.UnimplementedAuditServiceServer
	db  *store.DB
	log *slog.Logger
}

var _ rotsv1.AuditServiceServer = (*Server)(nil)

// New returns an AuditService on the store.
func New(db *store.DB, log *slog.Logger) *Server { return &Server{db: db, log: log} }

// ListAccessLog lists the access log by case and/or by user, newest first.
func (s *Server) ListAccessLog(ctx context.Context, req *rotsv1.ListAccessLogRequest) (*rotsv1.ListAccessLogResponse, error) {
	var v rpc.Violations
	caseID := ""
	if req.GetCase() != "" {
		caseID = rpc.CaseID(&v, "case", req.GetCase())
	}
	page := rpc.ReadPage[int64](&v, req.GetPageSize(), req.GetPageToken(), "access log", req.GetCase(), req.GetActor())
	if err := v.Err(); err != nil {
		return nil, err
	}
	var before int64
	if page.After != nil {
		before = *page.After
	}
	entries, err := s.db.ListAccess(ctx, caseID, req.GetActor(), before, page.Size+1)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "ListAccessLog", "access log", err)
	}
	resp := &rotsv1.ListAccessLogResponse{}
	entries, resp.NextPageToken = rpc.Trim(page, entries, func(a store.Access) int64 { return a.ID })
	for _, a := range entries {
		e := &rotsv1.AccessLogEntry{
			Sequence: a.ID, AccessTime: timestamppb.New(a.At), Actor: a.Actor, Role: a.Role,
			Action: a.Action, Purpose: a.Purpose, Hash: hex.EncodeToString(a.Hash),
		}
		if a.CaseID != "" {
			e.Case = "cases/" + a.CaseID
		}
		resp.Entries = append(resp.Entries, e)
	}
	return resp, nil
}
