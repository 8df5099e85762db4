// Package auditservice implements rots.v1.AuditService: the access log for
// the data-protection officer.
//
// It must not import the other services or cmd/.
package auditservice

import (
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"time"

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

// purposes are the reasons the access log records.
var purposes = []string{"behandeling", "opvolging", "inzage", "audit"}

// ListAccessLog lists the access log by case, by user, by period and by
// purpose, newest first.
func (s *Server) ListAccessLog(ctx context.Context, req *rotsv1.ListAccessLogRequest) (*rotsv1.ListAccessLogResponse, error) {
	var v rpc.Violations
	f := store.AccessFilter{Actor: req.GetActor(), Purpose: req.GetPurpose()}
	if req.GetCase() != "" {
		f.CaseID = rpc.CaseID(&v, "case", req.GetCase())
	}
	if f.Purpose != "" && !slices.Contains(purposes, f.Purpose) {
		v.Add("purpose", "must be behandeling, opvolging, inzage or audit, got %q", f.Purpose)
	}
	f.From = timeOf(&v, "from_time", req.GetFromTime())
	f.To = timeOf(&v, "to_time", req.GetToTime())
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		v.Add("to_time", "must be after from_time")
	}
	page := rpc.ReadPage[int64](&v, req.GetPageSize(), req.GetPageToken(), "access log", req.GetCase(), req.GetActor(),
		f.Purpose, f.From.UnixNano(), f.To.UnixNano())
	if err := v.Err(); err != nil {
		return nil, err
	}
	if page.After != nil {
		f.BeforeID = *page.After
	}
	entries, err := s.db.ListAccess(ctx, f, page.Size+1)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "ListAccessLog", "access log", err)
	}
	resp := &rotsv1.ListAccessLogResponse{}
	entries, resp.NextPageToken = rpc.Trim(page, entries, func(a store.AccessEntry) int64 { return a.ID })
	for _, a := range entries {
		e := &rotsv1.AccessLogEntry{
			Sequence: a.ID, AccessTime: timestamppb.New(a.At), Actor: a.Actor, Role: a.Role,
			Action: a.Action, Purpose: a.Purpose, Hash: hex.EncodeToString(a.Hash), Reference: a.Reference,
		}
		if a.CaseID != "" {
			e.Case = "cases/" + a.CaseID
		}
		resp.Entries = append(resp.Entries, e)
	}
	return resp, nil
}

// timeOf reads an optional bound of a period; unset is the zero time.
func timeOf(v *rpc.Violations, field string, t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	if err := t.CheckValid(); err != nil {
		v.Add(field, "must be a valid time")
		return time.Time{}
	}
	return t.AsTime()
}

// VerifyAccessLog walks the whole chain, as rotsd verify-access-log does.
func (s *Server) VerifyAccessLog(ctx context.Context, _ *rotsv1.VerifyAccessLogRequest) (*rotsv1.VerifyAccessLogResponse, error) {
	n, err := s.db.VerifyAccessLog(ctx)
	resp := &rotsv1.VerifyAccessLogResponse{VerifiedEntries: int64(n)}
	var brk *store.ChainBreak
	switch {
	case errors.As(err, &brk):
		s.log.WarnContext(ctx, "access log chain broken", "entry", brk.ID, "changed", brk.Changed)
		resp.FirstBreak = &rotsv1.AccessLogBreak{Sequence: brk.ID, Changed: brk.Changed, Description: brk.Error()}
	case err != nil:
		return nil, rpc.Status(ctx, s.log, "VerifyAccessLog", "access log", err)
	}
	return resp, nil
}
