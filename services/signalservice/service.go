// Package signalservice implements rots.v1.SignalService: the signals to
// government (signaalfunctie). A manager drafts a signal with figures
// frozen from the managers' dashboard, another manager approves it (four
// eyes), it is marked sent, and it is exported as CSV or printable HTML.
//
// Who may call what is the authz policy's business (managers, of the
// signal's region or of all of Flanders); this package checks the request,
// the state and the four eyes.
//
// It must not import the workflows, cmd/ or another service than the
// report service, whose dashboard gives a signal its figures.
package signalservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/reportservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.SignalService.
type Server struct {
	rotsv1.UnimplementedSignalServiceServer
	db      *signals.Store
	figures Figures
	log     *slog.Logger
	now     func() time.Time
}

var _ rotsv1.SignalServiceServer = (*Server)(nil)

// New returns a SignalService on the store that takes its figures from
// figures (DashboardFigures in production).
func New(db *store.DB, figures Figures, log *slog.Logger) *Server {
	return &Server{db: signals.New(db), figures: figures, log: log, now: time.Now}
}

const (
	monthLayout = "2006-01"
	maxTitle    = 200
	maxText     = 20000
	maxSections = 13
)

// status maps a store error to a gRPC status.
func (s *Server) status(ctx context.Context, method string, err error) error {
	var stateErr *signals.SignalStateError
	switch {
	case errors.As(err, &stateErr):
		return status.Errorf(codes.FailedPrecondition, "signal is %s; %s needs %s", stateErr.State, method, stateErr.Need)
	case errors.Is(err, signals.ErrOwnSignal):
		return status.Error(codes.PermissionDenied, "the author of a signal cannot approve it: another manager approves (four eyes)")
	case errors.Is(err, signals.ErrStaleSignal):
		return status.Error(codes.Aborted, "the signal changed since you read it; read it again and approve what you read")
	}
	return rpc.Status(ctx, s.log, method, "signal", err)
}

// caller is the authenticated manager; the interceptor puts them in the
// context.
func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.Subject == "" {
		return auth.Principal{}, status.Error(codes.Unauthenticated, "a signal needs an authenticated manager")
	}
	return p, nil
}

// parseName reads "signals/{id}".
func parseName(v *rpc.Violations, field, name string) string {
	id, ok := strings.CutPrefix(name, "signals/")
	if _, err := uuid.Parse(id); !ok || err != nil || len(id) != 36 {
		v.Add(field, "must name a signal like signals/0b9e3a5c-…, got %q", name)
		return ""
	}
	return id
}

// parseSections checks the chosen sections and returns their stored names.
func parseSections(v *rpc.Violations, field string, sections []rotsv1.SignalFigureSection) []string {
	if len(sections) == 0 {
		v.Add(field, "choose at least one section of figures")
	}
	if len(sections) > maxSections {
		v.Add(field, "at most %d sections", maxSections)
	}
	var names []string
	for i, sec := range sections {
		name := vocab.Stored(sec)
		switch {
		case name == "":
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must be a known section, got %d", sec)
		case slices.Contains(names, name):
			v.Add(fmt.Sprintf("%s[%d]", field, i), "%s is chosen twice", name)
		default:
			names = append(names, name)
		}
	}
	return names
}

func checkRegion(v *rpc.Violations, field string, r rotsv1.Region) string {
	if r != 0 && vocab.Stored(r) == "" {
		v.Add(field, "must be a region, or unset for all of Flanders; got %d", r)
	}
	return vocab.Stored(r)
}

// CreateSignal drafts a signal and freezes its figures. A retry with the
// same request_id returns the signal the first call made, without taking
// the figures again.
func (s *Server) CreateSignal(ctx context.Context, req *rotsv1.CreateSignalRequest) (*rotsv1.CreateSignalResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	in := req.GetSignal()
	region := checkRegion(&v, "signal.region", in.GetRegion())
	from := reportservice.Month(&v, "signal.from_month", in.GetFromMonth())
	to := reportservice.Month(&v, "signal.to_month", in.GetToMonth())
	reportservice.CheckPeriod(&v, "signal.to_month", from, to)
	v.Text("signal.title", in.GetTitle(), true, maxTitle)
	v.Text("signal.text", in.GetText(), false, maxText)
	sections := parseSections(&v, "signal.figure_sections", in.GetFigureSections())
	if err := v.Err(); err != nil {
		return nil, err
	}
	// A retry answers from the first call; the figures are not taken again.
	prev, err := s.db.SignalByRequest(ctx, req.GetRequestId())
	if err == nil {
		return s.replayCreate(ctx, p, region, prev)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, s.status(ctx, "CreateSignal", err)
	}
	now := s.now()
	figures, err := s.figures.Figures(ctx, FigureQuery{Region: region, From: from, To: to, Sections: sections})
	if err != nil {
		return nil, s.status(ctx, "CreateSignal", err)
	}
	sig, created, err := s.db.CreateSignal(ctx, &signals.Signal{
		ID: uuid.NewString(), RequestID: req.GetRequestId(), Region: region, StartMonth: from, EndMonth: to,
		Title: strings.TrimSpace(in.GetTitle()), Text: strings.TrimSpace(in.GetText()), Sections: sections,
		Figures: figures, FiguresAt: now, Author: p.Name(), AuthorSubject: p.Subject, CreatedAt: now,
	})
	if err != nil {
		return nil, s.status(ctx, "CreateSignal", err)
	}
	if !created {
		return s.replayCreate(ctx, p, region, sig)
	}
	s.log.InfoContext(ctx, "signal drafted", "signal", sig.ID, "region", region, "by", p.Name())
	return &rotsv1.CreateSignalResponse{Signal: toProto(sig)}, nil
}

// replayCreate answers a retried CreateSignal, refusing a request_id that
// another manager or another scope used.
func (s *Server) replayCreate(ctx context.Context, p auth.Principal, region string, sig *signals.Signal) (*rotsv1.CreateSignalResponse, error) {
	if sig.AuthorSubject != p.Subject || sig.Region != region {
		return nil, s.status(ctx, "CreateSignal", store.ErrRequestIDReused)
	}
	return &rotsv1.CreateSignalResponse{Signal: toProto(sig)}, nil
}

// GetSignal returns one signal with its figures.
func (s *Server) GetSignal(ctx context.Context, req *rotsv1.GetSignalRequest) (*rotsv1.GetSignalResponse, error) {
	var v rpc.Violations
	id := parseName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	sig, err := s.db.GetSignal(ctx, id)
	if err != nil {
		return nil, s.status(ctx, "GetSignal", err)
	}
	return &rotsv1.GetSignalResponse{Signal: toProto(sig)}, nil
}

// ListSignals pages through signals, newest first, without their figures.
func (s *Server) ListSignals(ctx context.Context, req *rotsv1.ListSignalsRequest) (*rotsv1.ListSignalsResponse, error) {
	var v rpc.Violations
	region := checkRegion(&v, "region", req.GetRegion())
	if req.GetFlandersOnly() && region != "" {
		v.Add("flanders_only", "cannot go with a region")
	}
	state := vocab.Stored(req.GetState())
	if req.GetState() != 0 && state == "" {
		v.Add("state", "must be a known state, got %d", req.GetState())
	}
	f := signals.SignalFilter{AnyRegion: region == "" && !req.GetFlandersOnly(), Region: region, State: state}
	page := rpc.ReadPage[signals.SignalCursor](&v, req.GetPageSize(), req.GetPageToken(), "signals", f)
	if err := v.Err(); err != nil {
		return nil, err
	}
	found, err := s.db.ListSignals(ctx, f, page.After, page.Size+1)
	if err != nil {
		return nil, s.status(ctx, "ListSignals", err)
	}
	resp := &rotsv1.ListSignalsResponse{}
	found, resp.NextPageToken = rpc.Trim(page, found, func(sig *signals.Signal) signals.SignalCursor {
		return signals.SignalCursor{CreatedAt: sig.CreatedAt, ID: sig.ID}
	})
	for _, sig := range found {
		resp.Signals = append(resp.Signals, toProto(sig))
	}
	return resp, nil
}

// errChanged means the signal changed while its figures were taken.
var errChanged = errors.New("the signal changed meanwhile")

var updatable = []string{"title", "text", "from_month", "to_month", "figure_sections"}

// UpdateSignal changes the fields of a DRAFT named in the update mask. A
// change of the period or the sections, or refresh_figures, takes the
// figures again; an edit of the title or the text keeps them.
func (s *Server) UpdateSignal(ctx context.Context, req *rotsv1.UpdateSignalRequest) (*rotsv1.UpdateSignalResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	in := req.GetSignal()
	id := parseName(&v, "signal.name", in.GetName())
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 && !req.GetRefreshFigures() {
		v.Add("update_mask", "name the fields to change (%s), or ask refresh_figures", strings.Join(updatable, ", "))
	}
	for _, p := range paths {
		if !slices.Contains(updatable, p) {
			v.Add("update_mask", "cannot change %q; only %s", p, strings.Join(updatable, ", "))
		}
	}
	masked := func(field string) bool { return slices.Contains(paths, field) }
	if masked("title") {
		v.Text("signal.title", in.GetTitle(), true, maxTitle)
	}
	if masked("text") {
		v.Text("signal.text", in.GetText(), false, maxText)
	}
	var from, to time.Time
	if masked("from_month") {
		from = reportservice.Month(&v, "signal.from_month", in.GetFromMonth())
	}
	if masked("to_month") {
		to = reportservice.Month(&v, "signal.to_month", in.GetToMonth())
	}
	var sections []string
	if masked("figure_sections") {
		sections = parseSections(&v, "signal.figure_sections", in.GetFigureSections())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// apply makes the edit on sig and reports whether the figures must be
	// taken again.
	apply := func(sig *signals.Signal) (refresh bool, err error) {
		refresh = req.GetRefreshFigures()
		if masked("title") {
			sig.Title = strings.TrimSpace(in.GetTitle())
		}
		if masked("text") {
			sig.Text = strings.TrimSpace(in.GetText())
		}
		if masked("from_month") && !from.Equal(sig.StartMonth) {
			sig.StartMonth, refresh = from, true
		}
		if masked("to_month") && !to.Equal(sig.EndMonth) {
			sig.EndMonth, refresh = to, true
		}
		if masked("figure_sections") && !slices.Equal(sections, sig.Sections) {
			sig.Sections, refresh = sections, true
		}
		var v rpc.Violations
		reportservice.CheckPeriod(&v, "signal.to_month", sig.StartMonth, sig.EndMonth)
		return refresh, v.Err()
	}
	sig, err := s.edit(ctx, id, req.GetRequestId(), apply)
	if err != nil {
		return nil, s.status(ctx, "UpdateSignal", err)
	}
	s.log.InfoContext(ctx, "signal edited", "signal", id, "fields", strings.Join(paths, ","), "refresh", req.GetRefreshFigures(), "by", rpc.Actor(ctx))
	return &rotsv1.UpdateSignalResponse{Signal: toProto(sig)}, nil
}

// edit applies an edit to a signal. apply changes the signal it is given
// and says whether the figures must be taken again; they are taken outside
// the transaction, which holds no lock meanwhile, and taken again if the
// signal changed in between.
func (s *Server) edit(ctx context.Context, id, requestID string, apply func(*signals.Signal) (bool, error)) (*signals.Signal, error) {
	for attempt := 1; ; attempt++ {
		now := s.now()
		cur, err := s.db.GetSignal(ctx, id)
		if err != nil {
			return nil, err
		}
		var figures []signals.FigureTable
		if refresh, err := apply(cur); err == nil && refresh && cur.State == signals.SignalDraft {
			if figures, err = s.figures.Figures(ctx, FigureQuery{Region: cur.Region, From: cur.StartMonth, To: cur.EndMonth, Sections: cur.Sections}); err != nil {
				return nil, err
			}
		}
		sig, err := s.db.UpdateSignal(ctx, id, requestID, now, func(sig *signals.Signal) error {
			if sig.Revision != cur.Revision {
				return errChanged
			}
			refresh, err := apply(sig)
			if err == nil && refresh {
				sig.Figures, sig.FiguresAt = figures, now
			}
			return err
		})
		switch {
		case errors.Is(err, errChanged) && attempt < 3:
			continue
		case errors.Is(err, errChanged):
			return nil, signals.ErrStaleSignal
		}
		return sig, err
	}
}

// ApproveSignal approves a DRAFT. The author cannot approve their own
// signal: PermissionDenied.
func (s *Server) ApproveSignal(ctx context.Context, req *rotsv1.ApproveSignalRequest) (*rotsv1.ApproveSignalResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := parseName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	sig, err := s.db.ApproveSignal(ctx, id, req.GetRequestId(), signals.Approver{Name: p.Name(), Subject: p.Subject, Etag: req.GetEtag()}, s.now())
	if err != nil {
		return nil, s.status(ctx, "ApproveSignal", err)
	}
	s.log.InfoContext(ctx, "signal approved", "signal", id, "by", p.Name())
	return &rotsv1.ApproveSignalResponse{Signal: toProto(sig)}, nil
}

// MarkSignalSent records that an APPROVED signal was sent to its recipient.
func (s *Server) MarkSignalSent(ctx context.Context, req *rotsv1.MarkSignalSentRequest) (*rotsv1.MarkSignalSentResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := parseName(&v, "name", req.GetName())
	v.Text("recipient", req.GetRecipient(), true, maxTitle)
	if err := v.Err(); err != nil {
		return nil, err
	}
	sig, err := s.db.MarkSignalSent(ctx, id, req.GetRequestId(), rpc.Actor(ctx), strings.TrimSpace(req.GetRecipient()), s.now())
	if err != nil {
		return nil, s.status(ctx, "MarkSignalSent", err)
	}
	s.log.InfoContext(ctx, "signal marked sent", "signal", id, "by", rpc.Actor(ctx))
	return &rotsv1.MarkSignalSentResponse{Signal: toProto(sig)}, nil
}

// ExportSignal renders a signal as CSV or as a printable HTML document.
func (s *Server) ExportSignal(ctx context.Context, req *rotsv1.ExportSignalRequest) (*rotsv1.ExportSignalResponse, error) {
	var v rpc.Violations
	id := parseName(&v, "name", req.GetName())
	if req.GetFormat() != rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV && req.GetFormat() != rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML {
		v.Add("format", "must be CSV or HTML")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sig, err := s.db.GetSignal(ctx, id)
	if err != nil {
		return nil, s.status(ctx, "ExportSignal", err)
	}
	resp := &rotsv1.ExportSignalResponse{}
	if req.GetFormat() == rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV {
		resp.Content, err = CSV(sig)
		resp.ContentType, resp.Filename = "text/csv; charset=utf-8", fileName(sig, "csv")
	} else {
		resp.Content, err = HTML(sig)
		resp.ContentType, resp.Filename = "text/html; charset=utf-8", fileName(sig, "html")
	}
	if err != nil {
		return nil, s.status(ctx, "ExportSignal", err)
	}
	return resp, nil
}
