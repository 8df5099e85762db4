package signals_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func openDB(t *testing.T) *signals.Store { return signals.New(storetest.Open(t, dbURL)) }

func tag() string { return uuid.NewString()[:8] }

// countFigure is the figure of a count that went through disclosure control.
func countFigure(c disclosure.Count) signals.Figure {
	n, ok := c.Value()
	if !ok {
		return signals.Figure{Suppressed: true}
	}
	v := int64(n)
	return signals.Figure{Count: &v}
}

// measureFigure is the figure of a measure that went through
// disclosure.Control.Measure: hidden unless ok.
func measureFigure(v float64, ok bool) signals.Figure {
	if !ok {
		return signals.Figure{Suppressed: true}
	}
	return signals.Figure{Measure: &v}
}

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// stageFigures protects a small table the way the dashboard does.
func stageFigures(t *testing.T) []signals.FigureTable {
	t.Helper()
	list, err := disclosure.Control{}.List([]int{12, 3, 25, 0})
	if err != nil {
		t.Fatal(err)
	}
	tbl := signals.FigureTable{Section: "STAGE", Title: "Dossiers per fase", Unit: "dossiers", RowHeader: "Fase", Columns: []string{"Dossiers"}}
	for i, label := range []string{"Intake", "Consult", "Opvolging", "Afgesloten"} {
		tbl.Rows = append(tbl.Rows, signals.FigureRow{Label: label, Cells: []signals.Figure{countFigure(list.Items[i])}})
	}
	total := countFigure(list.Total)
	tbl.Total = &total
	median := measureFigure(disclosure.Control{}.Measure(15, 7.5))
	times := signals.FigureTable{Section: "TIMES", Title: "Doorlooptijden", Unit: "werkdagen (mediaan)", Columns: []string{"Mediaan"},
		Rows: []signals.FigureRow{{Label: "Tot intake", Cells: []signals.Figure{median}}}}
	return []signals.FigureTable{tbl, times}
}

func draftSignal(t *testing.T, author string) *signals.Signal {
	return &signals.Signal{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG",
		StartMonth: month(2026, 1), EndMonth: month(2026, 12),
		Title: "Wachtlijsten jeugdhulp", Text: "Te lange wachttijden voor kinderpsychiatrie.",
		Sections: []string{"STAGE", "TIMES"}, Figures: stageFigures(t), FiguresAt: time.Now(),
		Author: author + "@rots.be", AuthorSubject: author, CreatedAt: time.Now(),
	}
}

func mustCreateSignal(t *testing.T, db *signals.Store, s *signals.Signal) *signals.Signal {
	t.Helper()
	got, created, err := db.CreateSignal(context.Background(), s)
	if err != nil || !created {
		t.Fatalf("CreateSignal = created %t, %v", created, err)
	}
	return got
}

func TestSignalFiguresKeepNoHiddenValue(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	s := mustCreateSignal(t, db, draftSignal(t, "els-"+tag()))
	if diff := gocmp.Diff(stageFigures(t), s.Figures); diff != "" {
		t.Errorf("figures read back (-want +got):\n%s", diff)
	}
	// The consult count of 3 and the cell that would give it away are
	// stored as hidden, without any value.
	if c := s.Figures[0].Rows[1].Cells[0]; !c.Suppressed || c.Count != nil {
		t.Errorf("cell of 3 = %+v, want hidden without value", c)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var raw string
	if err := conn.QueryRow(ctx, `SELECT figures::text FROM signals WHERE id = $1`, s.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, hidden := range []string{`"count": 3,`, `"count": 3}`, `"count": 12`} {
		if strings.Contains(raw, hidden) {
			t.Errorf("stored figures hold %s: %s", hidden, raw)
		}
	}
}

func TestSignalStateMachine(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	author, other := "els-"+tag(), "jan-"+tag()
	s := mustCreateSignal(t, db, draftSignal(t, author))
	if s.State != signals.SignalDraft || s.Revision != 1 {
		t.Fatalf("new signal: state %s revision %d", s.State, s.Revision)
	}
	var stateErr *signals.SignalStateError

	// Sending a draft is refused.
	if _, err := db.MarkSignalSent(ctx, s.ID, uuid.NewString(), other, "Departement Onderwijs", time.Now()); !errors.As(err, &stateErr) || stateErr.State != signals.SignalDraft {
		t.Errorf("MarkSignalSent on a draft = %v, want a SignalStateError in DRAFT", err)
	}
	// Editing a draft keeps its figures.
	edited, err := db.UpdateSignal(ctx, s.ID, uuid.NewString(), time.Now(), func(s *signals.Signal) error {
		s.Title = "Wachtlijsten"
		return nil
	})
	if err != nil || edited.Title != "Wachtlijsten" || edited.Revision != 2 {
		t.Fatalf("UpdateSignal = %+v, %v", edited, err)
	}
	if diff := gocmp.Diff(s.Figures, edited.Figures); diff != "" {
		t.Errorf("an edit of the text changed the figures (-want +got):\n%s", diff)
	}
	// A refusal from the edit stores nothing.
	no := errors.New("no")
	if _, err := db.UpdateSignal(ctx, s.ID, uuid.NewString(), time.Now(), func(s *signals.Signal) error { s.Title = "x"; return no }); !errors.Is(err, no) {
		t.Errorf("refused edit = %v, want the refusal", err)
	}
	// Four eyes: the author cannot approve.
	if _, err := db.ApproveSignal(ctx, s.ID, uuid.NewString(), signals.Approver{Name: "els", Subject: author}, time.Now()); !errors.Is(err, signals.ErrOwnSignal) {
		t.Errorf("author approves = %v, want ErrOwnSignal", err)
	}
	// A stale etag is refused.
	if _, err := db.ApproveSignal(ctx, s.ID, uuid.NewString(), signals.Approver{Name: "jan", Subject: other, Etag: s.Etag()}, time.Now()); !errors.Is(err, signals.ErrStaleSignal) {
		t.Errorf("approve with a stale etag = %v, want ErrStaleSignal", err)
	}
	approved, err := db.ApproveSignal(ctx, s.ID, uuid.NewString(), signals.Approver{Name: "jan@rots.be", Subject: other, Etag: edited.Etag()}, time.Now())
	if err != nil || approved.State != signals.SignalApproved || approved.Approver != "jan@rots.be" || approved.ApprovedAt == nil {
		t.Fatalf("ApproveSignal = %+v, %v", approved, err)
	}
	// After approval: no edit, no second approval.
	if _, err := db.UpdateSignal(ctx, s.ID, uuid.NewString(), time.Now(), func(s *signals.Signal) error { return nil }); !errors.As(err, &stateErr) || stateErr.State != signals.SignalApproved {
		t.Errorf("edit after approval = %v, want a SignalStateError in APPROVED", err)
	}
	if _, err := db.ApproveSignal(ctx, s.ID, uuid.NewString(), signals.Approver{Name: "x", Subject: "third-" + tag()}, time.Now()); !errors.As(err, &stateErr) {
		t.Errorf("second approval = %v, want a SignalStateError", err)
	}
	sent, err := db.MarkSignalSent(ctx, s.ID, uuid.NewString(), "els@rots.be", "Vlaamse overheid, Departement Onderwijs", time.Now())
	if err != nil || sent.State != signals.SignalSent || sent.SentAt == nil || sent.Recipient != "Vlaamse overheid, Departement Onderwijs" {
		t.Fatalf("MarkSignalSent = %+v, %v", sent, err)
	}
	if _, err := db.MarkSignalSent(ctx, s.ID, uuid.NewString(), "els@rots.be", "again", time.Now()); !errors.As(err, &stateErr) || stateErr.State != signals.SignalSent {
		t.Errorf("second send = %v, want a SignalStateError in SENT", err)
	}
	if diff := gocmp.Diff(s.Figures, sent.Figures); diff != "" {
		t.Errorf("the sent signal's figures differ from the draft's (-want +got):\n%s", diff)
	}
}

// TestSignalFrozenInTheDatabase: even a writer that bypasses the store's
// rules cannot change an approved signal or approve its own.
func TestSignalFrozenInTheDatabase(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	author := "els-" + tag()
	s := mustCreateSignal(t, db, draftSignal(t, author))
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE signals SET state = 'APPROVED', approved_at = now(), approver_subject = author_subject WHERE id = $1`, s.ID); err == nil {
		t.Error("the database let an author approve their own signal")
	}
	if _, err := db.ApproveSignal(ctx, s.ID, uuid.NewString(), signals.Approver{Name: "jan", Subject: "jan-" + tag()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE signals SET body = 'anders' WHERE id = $1`,
		`UPDATE signals SET figures = '[]' WHERE id = $1`,
		`UPDATE signals SET state = 'DRAFT', approved_at = NULL WHERE id = $1`,
	} {
		if _, err := conn.Exec(ctx, sql, s.ID); err == nil {
			t.Errorf("%s: the database changed an approved signal", sql)
		}
	}
}

func TestSignalIdempotency(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	author, other := "els-"+tag(), "jan-"+tag()
	d := draftSignal(t, author)
	s := mustCreateSignal(t, db, d)

	// A retried create returns the first signal, whatever it carries.
	retry := *d
	retry.ID, retry.Title = uuid.NewString(), "Iets anders"
	got, created, err := db.CreateSignal(ctx, &retry)
	if err != nil || created || got.ID != s.ID || got.Title != s.Title {
		t.Errorf("retried CreateSignal = %s %q created %t, %v; want %s unchanged", got.ID, got.Title, created, err, s.ID)
	}
	if got, err := db.SignalByRequest(ctx, d.RequestID); err != nil || got.ID != s.ID {
		t.Errorf("SignalByRequest = %v, %v", got, err)
	}

	// Eight concurrent creates with one request ID make one signal.
	d2 := draftSignal(t, author)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ids     = map[string]bool{}
		creates int
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *d2
			c.ID = uuid.NewString()
			got, created, err := db.CreateSignal(ctx, &c)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[got.ID] = true
			if created {
				creates++
			}
		}()
	}
	wg.Wait()
	if len(ids) != 1 || creates != 1 {
		t.Errorf("8 concurrent creates with one request_id made %d signals, %d reported created", len(ids), creates)
	}

	// A retried edit changes nothing the second time.
	editID := uuid.NewString()
	calls := 0
	edit := func(s *signals.Signal) error { calls++; s.Text += " Meer."; return nil }
	first, err := db.UpdateSignal(ctx, s.ID, editID, time.Now(), edit)
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.UpdateSignal(ctx, s.ID, editID, time.Now(), edit)
	if err != nil || calls != 1 || second.Text != first.Text || second.Revision != first.Revision {
		t.Errorf("retried edit: %d calls, text %q revision %d, %v; want 1 call, %q revision %d", calls, second.Text, second.Revision, err, first.Text, first.Revision)
	}

	// A retried approval answers with the signal as it is now, even after
	// it was sent.
	approveID := uuid.NewString()
	if _, err := db.ApproveSignal(ctx, s.ID, approveID, signals.Approver{Name: "jan", Subject: other}, time.Now()); err != nil {
		t.Fatal(err)
	}
	sendID := uuid.NewString()
	if _, err := db.MarkSignalSent(ctx, s.ID, sendID, "jan", "Departement Onderwijs", time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() (*signals.Signal, error){
		"approve": func() (*signals.Signal, error) {
			return db.ApproveSignal(ctx, s.ID, approveID, signals.Approver{Name: "jan", Subject: other}, time.Now())
		},
		"send": func() (*signals.Signal, error) {
			return db.MarkSignalSent(ctx, s.ID, sendID, "jan", "Iemand anders", time.Now())
		},
	} {
		got, err := call()
		if err != nil || got.State != signals.SignalSent || got.Recipient != "Departement Onderwijs" {
			t.Errorf("retried %s = %+v, %v; want the sent signal unchanged", name, got, err)
		}
	}

	// A request ID is for one call on one signal.
	s2 := mustCreateSignal(t, db, draftSignal(t, author))
	for name, call := range map[string]func() error{
		"create request_id for an edit": func() error {
			_, err := db.UpdateSignal(ctx, s.ID, d.RequestID, time.Now(), func(*signals.Signal) error { return nil })
			return err
		},
		"edit request_id on another signal": func() error {
			_, err := db.UpdateSignal(ctx, s2.ID, editID, time.Now(), func(*signals.Signal) error { return nil })
			return err
		},
		"approve request_id for a send": func() error {
			_, err := db.MarkSignalSent(ctx, s.ID, approveID, "jan", "x", time.Now())
			return err
		},
		"edit request_id for a create": func() error {
			c := *draftSignal(t, author)
			c.RequestID = editID
			_, _, err := db.CreateSignal(ctx, &c)
			return err
		},
		"edit request_id read as a create": func() error {
			_, err := db.SignalByRequest(ctx, editID)
			return err
		},
	} {
		if err := call(); !errors.Is(err, store.ErrRequestIDReused) {
			t.Errorf("%s = %v, want ErrRequestIDReused", name, err)
		}
	}
}

func TestListSignals(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	author := "els-" + tag()
	region := "WEST_VLAANDEREN"
	base := time.Now().Add(-time.Hour)
	var want []string
	for i := range 5 {
		d := draftSignal(t, author)
		d.Region, d.CreatedAt = region, base.Add(time.Duration(i)*time.Minute)
		want = append([]string{mustCreateSignal(t, db, d).ID}, want...)
	}
	flanders := draftSignal(t, author)
	flanders.Region = ""
	fl := mustCreateSignal(t, db, flanders)

	var got []string
	var after *signals.SignalCursor
	for {
		page, err := db.ListSignals(ctx, signals.SignalFilter{Region: region}, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			if len(s.Figures) != 0 {
				t.Errorf("ListSignals loaded figures")
			}
			got = append(got, s.ID)
		}
		if len(page) < 2 {
			break
		}
		after = &signals.SignalCursor{CreatedAt: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("pages of one region, newest first (-want +got):\n%s", diff)
	}
	page, err := db.ListSignals(ctx, signals.SignalFilter{Region: ""}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range page {
		found = found || s.ID == fl.ID
		if s.Region != "" {
			t.Errorf("Flanders filter returned a signal about %s", s.Region)
		}
	}
	if !found {
		t.Error("the Flanders signal is not listed under all of Flanders")
	}
	if r, err := db.SignalRegion(ctx, want[0]); err != nil || r != region {
		t.Errorf("SignalRegion = %q, %v", r, err)
	}
	if _, err := db.SignalRegion(ctx, uuid.NewString()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SignalRegion of an unknown signal = %v", err)
	}
}
