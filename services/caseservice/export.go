package caseservice

import (
	"context"
	"encoding/json"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// export is everything held about a case.
type export struct {
	ExportedAt    time.Time             `json:"exported_at"`
	Case          json.RawMessage       `json:"case"`
	Events        []store.Event         `json:"events"`
	Notifications []*store.Notification `json:"notifications"`
	AccessLog     []store.Access        `json:"access_log"`
}

// ExportCase answers a subject-access request: the case, its timeline, its
// notifications and its access log, as one JSON document.
func (s *Server) ExportCase(ctx context.Context, req *rotsv1.ExportCaseRequest) (*rotsv1.ExportCaseResponse, error) {
	c, err := s.getCase(ctx, "name", req.GetName())
	if err != nil {
		return nil, err
	}
	e := export{ExportedAt: s.now().UTC()}
	if e.Case, err = protojson.Marshal(toProto(c)); err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	if e.Events, err = s.db.ListEvents(ctx, c.ID, 0, 100000); err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	if e.Notifications, err = s.db.CaseNotifications(ctx, c.ID); err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	if e.AccessLog, err = s.db.ListAccess(ctx, c.ID, "", 0, 100000); err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, s.toStatus(ctx, "ExportCase", err)
	}
	return &rotsv1.ExportCaseResponse{Json: string(b)}, nil
}
