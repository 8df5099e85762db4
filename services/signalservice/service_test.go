package signalservice

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// fakeDashboards stands in for ReportService: it protects its counts with
// package disclosure as the dashboard does. Each call counts; bump changes
// every count, as new cases would.
type fakeDashboards struct {
	mu    sync.Mutex
	calls int
	bump  int
}

// baseCounts are the counts of one region's cases per table row.
var baseCounts = map[rotsv1.ReportTable][]struct {
	label string
	n     int
}{
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE:    {{"INTAKE", 25}, {"NEEDS_INFO", 3}, {"CONSULT", 14}, {"TABLE", 0}, {"FOLLOW_UP", 11}, {"CLOSED", 40}},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND: {{"UNDER_12", 31}, {"TWELVE_AND_OVER", 62}},
	rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:  {{"1", 12}, {"2", 4}, {"3", 10}, {"4", 2}},
}

func (f *fakeDashboards) GetDashboard(_ context.Context, req *rotsv1.GetDashboardRequest) (*rotsv1.GetDashboardResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	columns := []string{vocab.Stored(req.GetRegion())}
	if req.GetRegion() == 0 {
		columns = []string{"ANTWERPEN", "LIMBURG"}
	}
	control := disclosure.Control{}
	dash := &rotsv1.Dashboard{Region: req.GetRegion(), FromMonth: req.GetFromMonth(), ToMonth: req.GetToMonth(), Threshold: 10}
	for _, table := range []rotsv1.ReportTable{
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND,
		rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS,
	} {
		var counts [][]int
		for _, r := range baseCounts[table] {
			row := make([]int, len(columns))
			for j := range row {
				row[j] = r.n*(j+1) + f.bump
			}
			counts = append(counts, row)
		}
		t, err := control.Table(counts)
		if err != nil {
			return nil, err
		}
		ct := &rotsv1.CountTable{Table: table, Columns: columns, Total: protoCount(t.Total)}
		for i, r := range baseCounts[table] {
			row := &rotsv1.CountRow{Label: r.label, Total: protoCount(t.RowTotals[i])}
			for _, c := range t.Cells[i] {
				row.Cells = append(row.Cells, protoCount(c))
			}
			ct.Rows = append(ct.Rows, row)
		}
		for _, c := range t.ColTotals {
			ct.ColumnTotals = append(ct.ColumnTotals, protoCount(c))
		}
		dash.Tables = append(dash.Tables, ct)
	}
	dash.Durations = &rotsv1.DurationTable{Columns: columns}
	for _, d := range []struct {
		label       string
		n, med, p90 int
	}{{"INTAKE", 40, 4, 9}, {"CONSULT", 6, 8, 15}, {"OFFER", 30, 41, 70}} {
		med, medOK := control.Measure(d.n, float64(d.med))
		p90, p90OK := control.Measure(d.n, float64(d.p90))
		dash.Durations.Rows = append(dash.Durations.Rows, &rotsv1.DurationRow{Label: d.label, Total: &rotsv1.Duration{
			Count: protoCount(control.Count(d.n)), MedianDays: protoMeasure(med, medOK), P90Days: protoMeasure(p90, p90OK),
		}})
	}
	return &rotsv1.GetDashboardResponse{Dashboard: dash}, nil
}

func protoCount(c disclosure.Count) *rotsv1.Figure {
	if n, ok := c.Value(); ok {
		return &rotsv1.Figure{Value: proto.Int64(int64(n))}
	}
	return &rotsv1.Figure{Suppressed: true}
}

func protoMeasure(v float64, ok bool) *rotsv1.Figure {
	if !ok {
		return &rotsv1.Figure{Suppressed: true}
	}
	return &rotsv1.Figure{Value: proto.Int64(int64(v))}
}

func (f *fakeDashboards) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeDashboards) setBump(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bump = n
}

func newServer(t *testing.T) (*Server, *fakeDashboards) {
	t.Helper()
	db := storetest.Open(t, dbURL)
	dash := &fakeDashboards{}
	return New(db, DashboardFigures{Reports: dash}, slog.New(slog.NewTextHandler(io.Discard, nil))), dash
}

// as is the context of a call by a manager, after the interceptor.
func as(subject, region string) context.Context {
	return auth.NewContext(context.Background(), auth.Principal{Subject: subject, Email: subject, Role: auth.Manager, Region: region})
}

// people returns two distinct managers of Limburg for one test.
func people() (els, jan context.Context) {
	id := uuid.NewString()[:8]
	return as("els-"+id+"@rots-limburg.be", "LIMBURG"), as("jan-"+id+"@rots-limburg.be", "LIMBURG")
}

var (
	limburg  = rotsv1.Region_REGION_LIMBURG
	sections = []rotsv1.SignalFigureSection{
		rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE,
		rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ESCALATIONS,
		rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_TIMES,
	}
)

func validSignal() *rotsv1.Signal {
	return &rotsv1.Signal{
		Region: limburg, FromMonth: "2026-01", ToMonth: "2026-12",
		Title:          "Te lange wachttijden voor kinderpsychiatrie",
		Text:           "In Limburg wachten jongeren te lang.\n\nWe vragen bijkomende capaciteit.",
		FigureSections: sections,
	}
}

func create(t *testing.T, s *Server, ctx context.Context) *rotsv1.Signal {
	t.Helper()
	resp, err := s.CreateSignal(ctx, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: validSignal()})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetSignal()
}

func wantCode(t *testing.T, what string, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("%s: code %v (%v), want %v", what, got, err, want)
	}
}

func TestCreateFreezesDisclosedFigures(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	els, _ := people()
	sig := create(t, s, els)
	if sig.GetState() != rotsv1.SignalState_SIGNAL_STATE_DRAFT || sig.GetAuthor() != mustPrincipal(els).Name() {
		t.Fatalf("new signal: %v", sig)
	}
	if len(sig.GetFigures()) != len(sections) {
		t.Fatalf("%d figure tables, want %d", len(sig.GetFigures()), len(sections))
	}
	stage := sig.GetFigures()[0]
	if stage.GetTitle() != "Dossiers per fase" || stage.GetRows()[1].GetLabel() != "Vraag aan aanmelder" || stage.GetColumnLabels()[0] != "Limburg" {
		t.Errorf("stage table labels: %v", stage)
	}
	// 3 cases in NEEDS_INFO: hidden, and so is the cheapest cell that would
	// give it away; nothing hidden carries a value.
	if !stage.GetRows()[1].GetCells()[0].GetSuppressed() {
		t.Errorf("NEEDS_INFO (3 cases) = %v, want suppressed", stage.GetRows()[1].GetCells()[0])
	}
	hidden := 0
	for _, tbl := range sig.GetFigures() {
		for _, r := range tbl.GetRows() {
			for _, c := range append(slices.Clone(r.GetCells()), r.GetTotal()) {
				if c.GetSuppressed() {
					hidden++
				}
			}
		}
	}
	if hidden < 2 {
		t.Errorf("%d hidden figures, want the small counts and their complements", hidden)
	}
	esc := sig.GetFigures()[1]
	if esc.GetRows()[3].GetLabel() != "Trede 4: doorbraak" || !esc.GetRows()[3].GetCells()[0].GetSuppressed() {
		t.Errorf("breakthrough rung (2 cases) = %v, want a hidden count", esc.GetRows()[3])
	}
	times := sig.GetFigures()[2]
	if got := times.GetRows()[1].GetCells()[1]; !got.GetSuppressed() {
		t.Errorf("median of 6 stays = %v, want hidden", got)
	}
	if got := times.GetRows()[0].GetCells()[1].GetMeasure(); got != 4 {
		t.Errorf("median of 40 stays = %v, want 4", got)
	}
}

func TestFourEyes(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	els, jan := people()
	sig := create(t, s, els)
	_, err := s.ApproveSignal(els, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: sig.GetName()})
	wantCode(t, "author approves", err, codes.PermissionDenied)
	// The same person under another e-mail address is still the author:
	// four eyes compare the stable subject.
	sameSubject := auth.NewContext(context.Background(), auth.Principal{Subject: mustPrincipal(els).Subject, Email: "els.prive@example.be", Role: auth.Manager, Region: "LIMBURG"})
	_, err = s.ApproveSignal(sameSubject, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: sig.GetName()})
	wantCode(t, "author under another address approves", err, codes.PermissionDenied)

	resp, err := s.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: sig.GetName(), Etag: sig.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetSignal()
	if got.GetState() != rotsv1.SignalState_SIGNAL_STATE_APPROVED || got.GetApprover() != mustPrincipal(jan).Name() || got.GetApproveTime() == nil {
		t.Errorf("approved signal: %v", got)
	}
}

func mustPrincipal(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

func TestStateMachine(t *testing.T) {
	t.Parallel()
	s, dash := newServer(t)
	els, jan := people()
	sig := create(t, s, els)
	name := sig.GetName()
	edit := func(ctx context.Context, mask []string, change func(*rotsv1.Signal), refresh bool) (*rotsv1.Signal, error) {
		in := &rotsv1.Signal{Name: name}
		change(in)
		resp, err := s.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: mask}, RefreshFigures: refresh})
		return resp.GetSignal(), err
	}

	_, err := s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Departement Onderwijs"})
	wantCode(t, "send a draft", err, codes.FailedPrecondition)

	// Editing the text keeps the frozen figures, even when the dashboard
	// moved on meanwhile.
	dash.setBump(7)
	edited, err := edit(jan, []string{"text", "title"}, func(in *rotsv1.Signal) { in.Text, in.Title = "Nieuwe tekst.", "Nieuwe titel" }, false)
	if err != nil {
		t.Fatal(err)
	}
	if edited.GetText() != "Nieuwe tekst." || edited.GetTitle() != "Nieuwe titel" || edited.GetEtag() == sig.GetEtag() {
		t.Errorf("edited: %q %q etag %s", edited.GetTitle(), edited.GetText(), edited.GetEtag())
	}
	if diff := cmp.Diff(sig.GetFigures(), edited.GetFigures(), protocmp.Transform()); diff != "" || !edited.GetFiguresTime().AsTime().Equal(sig.GetFiguresTime().AsTime()) {
		t.Errorf("a text edit changed the figures (-before +after):\n%s", diff)
	}
	// Asking for it takes them again.
	refreshed, err := edit(els, nil, func(*rotsv1.Signal) {}, true)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(sig.GetFigures(), refreshed.GetFigures(), protocmp.Transform()) {
		t.Error("refresh_figures kept the old figures")
	}
	// So does a change of the period or the sections.
	calls := dash.callCount()
	moved, err := edit(els, []string{"from_month", "figure_sections"}, func(in *rotsv1.Signal) {
		in.FromMonth, in.FigureSections = "2026-07", []rotsv1.SignalFigureSection{rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND}
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if dash.callCount() != calls+1 || moved.GetFromMonth() != "2026-07" || len(moved.GetFigures()) != 1 || moved.GetFigures()[0].GetTitle() != "Dossiers per leeftijd" {
		t.Errorf("after a change of period and sections: %d dashboard calls, %v", dash.callCount()-calls, moved)
	}
	_, err = edit(els, []string{"to_month"}, func(in *rotsv1.Signal) { in.ToMonth = "2026-03" }, false)
	if fields := rpctest.Violated(t, err); !slices.Equal(fields, []string{"signal.to_month"}) {
		t.Errorf("to_month before the stored from_month: %v", fields)
	}

	if _, err := s.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name, Etag: sig.GetEtag()}); status.Code(err) != codes.Aborted {
		t.Errorf("approve with an old etag: %v, want Aborted", err)
	}
	approved, err := s.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name, Etag: moved.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = edit(els, []string{"text"}, func(in *rotsv1.Signal) { in.Text = "Nog een wijziging." }, false)
	wantCode(t, "edit after approval", err, codes.FailedPrecondition)
	_, err = edit(els, nil, func(*rotsv1.Signal) {}, true)
	wantCode(t, "refresh after approval", err, codes.FailedPrecondition)
	_, err = s.ApproveSignal(as("derde-"+uuid.NewString()+"@rots.be", ""), &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name})
	wantCode(t, "approve twice", err, codes.FailedPrecondition)

	sent, err := s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Vlaamse overheid, Departement Onderwijs"})
	if err != nil {
		t.Fatal(err)
	}
	if sent.GetSignal().GetState() != rotsv1.SignalState_SIGNAL_STATE_SENT || sent.GetSignal().GetRecipient() != "Vlaamse overheid, Departement Onderwijs" || sent.GetSignal().GetSendTime() == nil {
		t.Errorf("sent: %v", sent.GetSignal())
	}
	if diff := cmp.Diff(approved.GetSignal().GetFigures(), sent.GetSignal().GetFigures(), protocmp.Transform()); diff != "" {
		t.Errorf("the figures changed between approval and sending:\n%s", diff)
	}
	_, err = s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Iemand anders"})
	wantCode(t, "send twice", err, codes.FailedPrecondition)
	_, err = s.GetSignal(els, &rotsv1.GetSignalRequest{Name: "signals/" + uuid.NewString()})
	wantCode(t, "get an unknown signal", err, codes.NotFound)
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	s, dash := newServer(t)
	els, jan := people()
	req := &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: validSignal()}
	first, err := s.CreateSignal(els, req)
	if err != nil {
		t.Fatal(err)
	}
	calls := dash.callCount()
	dash.setBump(3)
	again, err := s.CreateSignal(els, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" || dash.callCount() != calls {
		t.Errorf("retried create: %d more dashboard calls, diff (-first +retry):\n%s", dash.callCount()-calls, diff)
	}
	// Someone else's request ID is not theirs to replay.
	_, err = s.CreateSignal(jan, req)
	if fields := rpctest.Violated(t, err); !slices.Equal(fields, []string{"request_id"}) {
		t.Errorf("another manager replays a create: %v", fields)
	}
	name := first.GetSignal().GetName()

	update := &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: name, Text: "Eén keer."}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}}}
	u1, err := s.UpdateSignal(els, update)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := s.UpdateSignal(els, update)
	if err != nil || u2.GetSignal().GetEtag() != u1.GetSignal().GetEtag() {
		t.Errorf("retried update: etag %s then %s, %v", u1.GetSignal().GetEtag(), u2.GetSignal().GetEtag(), err)
	}

	approve := &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name}
	a1, err := s.ApproveSignal(jan, approve)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := s.ApproveSignal(jan, approve)
	if err != nil || a2.GetSignal().GetApproveTime().AsTime() != a1.GetSignal().GetApproveTime().AsTime() {
		t.Errorf("retried approval = %v, %v", a2.GetSignal(), err)
	}
	send := &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Departement Onderwijs"}
	s1, err := s.MarkSignalSent(els, send)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := s.MarkSignalSent(els, send)
	if err != nil || !proto.Equal(s1, s2) {
		t.Errorf("retried send = %v, %v; want %v", s2, err, s1)
	}
	// A request ID is for one call.
	_, err = s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: approve.GetRequestId(), Name: name, Recipient: "x"})
	if fields := rpctest.Violated(t, err); !slices.Equal(fields, []string{"request_id"}) {
		t.Errorf("approval's request_id for a send: %v", fields)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	els, _ := people()
	sig := create(t, s, els)
	with := func(change func(*rotsv1.Signal)) *rotsv1.Signal {
		in := validSignal()
		change(in)
		return in
	}
	cases := []struct {
		name string
		call func() error
		want []string
	}{
		{"nothing", func() error {
			_, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{})
			return err
		}, []string{"request_id", "signal.figure_sections", "signal.from_month", "signal.title", "signal.to_month"}},
		{"bad period and sections", func() error {
			_, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: with(func(in *rotsv1.Signal) {
				in.FromMonth, in.ToMonth = "2026-05", "2025-12"
				in.FigureSections = []rotsv1.SignalFigureSection{sections[0], sections[0], 99}
			})})
			return err
		}, []string{"signal.figure_sections[1]", "signal.figure_sections[2]", "signal.to_month"}},
		{"national register number in the text", func() error {
			_, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: with(func(in *rotsv1.Signal) {
				in.Text = "Jongere 12.05.01-123.66 wacht al een jaar." // valid: born 2012, 97 - 2120501123 mod 97
			})})
			return err
		}, []string{"signal.text"}},
		{"too long a period", func() error {
			_, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: with(func(in *rotsv1.Signal) {
				in.FromMonth, in.ToMonth, in.Region = "2010-01", "2026-01", 42
			})})
			return err
		}, []string{"signal.region", "signal.to_month"}},
		{"one month more than a dashboard covers", func() error {
			_, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: with(func(in *rotsv1.Signal) {
				in.FromMonth, in.ToMonth = "2016-01", "2026-01" // 121 months
			})})
			return err
		}, []string{"signal.to_month"}},
		{"update without mask", func() error {
			_, err := s.UpdateSignal(els, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: sig.GetName()}})
			return err
		}, []string{"update_mask"}},
		{"update of what cannot change", func() error {
			_, err := s.UpdateSignal(els, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: "signals/x", Title: " "},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"region", "title"}}})
			return err
		}, []string{"signal.name", "signal.title", "update_mask"}},
		{"send without recipient", func() error {
			_, err := s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: sig.GetName()})
			return err
		}, []string{"recipient"}},
		{"export without format", func() error {
			_, err := s.ExportSignal(els, &rotsv1.ExportSignalRequest{Name: sig.GetName()})
			return err
		}, []string{"format"}},
		{"list both region and Flanders", func() error {
			_, err := s.ListSignals(els, &rotsv1.ListSignalsRequest{Region: limburg, FlandersOnly: true, PageToken: "nonsense"})
			return err
		}, []string{"flanders_only", "page_token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, rpctest.Violated(t, tc.call())); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListSignals(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	els, jan := people()
	var want []string
	for range 3 {
		want = append([]string{create(t, s, els).GetName()}, want...)
	}
	if _, err := s.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: want[0]}); err != nil {
		t.Fatal(err)
	}
	var got []string
	token := ""
	for {
		resp, err := s.ListSignals(els, &rotsv1.ListSignalsRequest{Region: limburg, PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, sig := range resp.GetSignals() {
			if len(sig.GetFigures()) != 0 {
				t.Error("a listed signal carries figures")
			}
			if slices.Contains(want, sig.GetName()) {
				got = append(got, sig.GetName())
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed signals, newest first (-want +got):\n%s", diff)
	}
	approved, err := s.ListSignals(els, &rotsv1.ListSignalsRequest{Region: limburg, State: rotsv1.SignalState_SIGNAL_STATE_APPROVED, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range approved.GetSignals() {
		if sig.GetState() != rotsv1.SignalState_SIGNAL_STATE_APPROVED {
			t.Errorf("state filter let through %v", sig.GetState())
		}
	}
}

func TestFileName(t *testing.T) {
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		region   string
		from, to time.Time
		want     string
	}{
		{"LIMBURG", month(2026, 1), month(2026, 12), "signaal-limburg-2026-01-2026-12.csv"},
		{"OOST_VLAANDEREN", month(2026, 3), month(2026, 3), "signaal-oost-vlaanderen-2026-03.csv"},
		{"", month(2025, 9), month(2026, 6), "signaal-vlaanderen-2025-09-2026-06.csv"},
	} {
		if got := fileName(&signals.Signal{Region: tc.region, StartMonth: tc.from, EndMonth: tc.to}, "csv"); got != tc.want {
			t.Errorf("fileName = %q, want %q", got, tc.want)
		}
	}
}

// hookFigures runs hook once, before it takes the figures.
type hookFigures struct {
	next Figures
	hook func()
}

func (h *hookFigures) Figures(ctx context.Context, q FigureQuery) ([]signals.FigureTable, error) {
	if f := h.hook; f != nil {
		h.hook = nil
		f()
	}
	return h.next.Figures(ctx, q)
}

// TestEditWhileFiguresAreTaken: the figures are taken outside the
// transaction; an edit that lands meanwhile is kept, and the figures are
// taken again for the signal as it is then.
func TestEditWhileFiguresAreTaken(t *testing.T) {
	t.Parallel()
	s, dash := newServer(t)
	hooked := &hookFigures{next: s.figures}
	s.figures = hooked
	els, jan := people()
	sig := create(t, s, els)
	hooked.hook = func() {
		_, err := s.UpdateSignal(jan, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: sig.GetName(), Title: "Tussendoor"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
		if err != nil {
			t.Error(err)
		}
	}
	calls := dash.callCount()
	dash.setBump(5)
	resp, err := s.UpdateSignal(els, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: sig.GetName()}, RefreshFigures: true})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetSignal()
	if got.GetTitle() != "Tussendoor" || got.GetEtag() != `"3"` || dash.callCount() != calls+2 {
		t.Errorf("title %q etag %s after %d dashboard calls; want the edit kept, revision 3, 2 calls", got.GetTitle(), got.GetEtag(), dash.callCount()-calls)
	}
	if cmp.Equal(sig.GetFigures(), got.GetFigures(), protocmp.Transform()) {
		t.Error("the figures were not taken again")
	}
}
