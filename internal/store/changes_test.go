package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// feedReader follows one organisation's feed as a client does: small
// pages, resuming from the position each page gives.
type feedReader struct {
	db   *store.DB
	f    store.ChangeFilter
	next *store.ChangePosition
	seen []store.CaseChange
}

// read reads pages until the reader has caught up.
func (r *feedReader) read(t *testing.T, pageSize int) []store.CaseChange {
	t.Helper()
	var got []store.CaseChange
	for {
		page, next, err := r.db.ListChanges(context.Background(), r.f, r.next, pageSize)
		if err != nil {
			t.Fatal(err)
		}
		if r.next != nil && next.Xid < r.next.Xid {
			t.Fatalf("the feed went back from %+v to %+v", *r.next, next)
		}
		r.next = &next
		got = append(got, page...)
		if len(page) < pageSize {
			r.seen = append(r.seen, got...)
			return got
		}
	}
}

// stagesOf lists each case's stages in feed order.
func stagesOf(changes []store.CaseChange) map[string][]string {
	m := map[string][]string{}
	for _, c := range changes {
		if c.Kind == store.ChangeStage {
			m[c.CaseID] = append(m[c.CaseID], c.Stage)
		}
	}
	return m
}

func setStage(ctx context.Context, tx pgx.Tx, caseID, stage string) error {
	_, err := tx.Exec(ctx, `UPDATE cases SET stage = $2 WHERE id = $1`, caseID, stage)
	return err
}

// TestChangesWaitForEarlierTransactions is the case a serial column gets
// wrong: a transaction that began writing first (A) commits after a later
// one (B). While A is open the feed must not hand out B's change, or a
// reader resuming after it would never see A's.
func TestChangesWaitForEarlierTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	org := "feed-" + tag()
	a := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	b := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	r := &feedReader{db: db, f: store.ChangeFilter{OrgName: org}}
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		return len(r.read(t, 2)) == 0 && len(stagesOf(r.seen)) == 2, "the two new cases in the feed"
	})

	txA, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	if err := setStage(ctx, txA, a.ID, "INTAKE"); err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error { return setStage(ctx, tx, b.ID, "INTAKE") }); err != nil {
		t.Fatal(err)
	}
	// B has committed and A has not: reading now must give nothing, and
	// its position must stay before A's change.
	if got := r.read(t, 1); len(got) != 0 {
		t.Fatalf("while A is open the feed gave %+v", got)
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var after []store.CaseChange
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		after = append(after, r.read(t, 1)...)
		return len(after) >= 2, fmt.Sprintf("both changes after A committed, got %d", len(after))
	})
	if len(after) != 2 || after[0].CaseID != a.ID || after[1].CaseID != b.ID {
		t.Fatalf("after A committed the feed gave %+v, want A's change then B's, once each", after)
	}
}

// TestChangesKeepACasesOrderWhenIDsCross: A takes its transaction ID
// before B, B changes the case and commits, then A changes it. The case's
// changes must come in the order they were made, B's first, although A's
// ID is the lower.
func TestChangesKeepACasesOrderWhenIDsCross(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	org := "feed-" + tag()
	c := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	txA, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	var xidA, xidB uint64
	if err := txA.QueryRow(ctx, `SELECT pg_current_xact_id()::text::bigint`).Scan(&xidA); err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text::bigint`).Scan(&xidB); err != nil {
			return err
		}
		return setStage(ctx, tx, c.ID, "INTAKE")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := setStage(ctx, txA, c.ID, "CONSULT"); err != nil {
		t.Fatal(err)
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if xidA >= xidB {
		t.Fatalf("A's ID %d is not below B's %d: the test shows nothing", xidA, xidB)
	}
	r := &feedReader{db: db, f: store.ChangeFilter{OrgName: org}}
	want := []string{"SUBMITTED", "INTAKE", "CONSULT"}
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		r.read(t, 1)
		got := stagesOf(r.seen)[c.ID]
		return len(got) >= len(want), fmt.Sprintf("stages %v", got)
	})
	if got := stagesOf(r.seen)[c.ID]; !slices.Equal(got, want) {
		t.Fatalf("stages in the feed %v, want %v (the order they were made)", got, want)
	}
}

// TestChangesUnderConcurrentWriters: writers change their cases in
// transactions that stay open for random times, so they commit out of the
// order of their IDs, while a reader follows the feed in pages of three.
// In the end the reader has every change once, in each case's order.
func TestChangesUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	org := "feed-" + tag()
	const writers, casesEach, steps = 8, 3, 12
	// truth[case] is its stages in the order they committed: one writer
	// owns each case, so its order is the commit order.
	truth := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		var mine []string
		for range casesEach {
			c := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
			mine = append(mine, c.ID)
			truth[c.ID] = []string{"SUBMITTED"}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for s := range steps {
				id := mine[rnd.IntN(len(mine))]
				stage := fmt.Sprintf("STEP-%d-%d", w, s)
				err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
						return err
					}
					time.Sleep(time.Duration(rnd.IntN(20)) * time.Millisecond)
					if err := setStage(ctx, tx, id, stage); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, `UPDATE cases SET rung = rung + 1 WHERE id = $1`, id)
					time.Sleep(time.Duration(rnd.IntN(20)) * time.Millisecond)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				truth[id] = append(truth[id], stage)
				mu.Unlock()
			}
		}()
	}
	r := &feedReader{db: db, f: store.ChangeFilter{OrgName: org}}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		r.read(t, 3)
	}
	want := writers * (casesEach + 2*steps)
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		r.read(t, 3)
		return len(r.seen) >= want, fmt.Sprintf("%d of %d changes", len(r.seen), want)
	})
	if len(r.seen) != want {
		t.Errorf("read %d changes, want %d", len(r.seen), want)
	}
	seen := map[store.ChangePosition]bool{}
	for _, c := range r.seen {
		if seen[c.Position] {
			t.Errorf("change %+v came twice", c.Position)
		}
		seen[c.Position] = true
	}
	got := stagesOf(r.seen)
	for id, stages := range truth {
		if !slices.Equal(got[id], stages) {
			t.Errorf("case %s: feed %v, committed %v", id, got[id], stages)
		}
	}
}

// TestChangesRecordWhatChanged: each kind of change, and nothing for a
// write that changes none of what the feed carries.
func TestChangesRecordWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	org := "feed-" + tag()
	c := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	r := &feedReader{db: db, f: store.ChangeFilter{OrgName: org}}
	for _, q := range []string{
		`UPDATE cases SET updated_at = now(), blocked = 'anders' WHERE id = $1`, // nothing the feed carries
		`UPDATE cases SET rung = 2, breakthrough = true WHERE id = $1`,
		`INSERT INTO agreements (case_id, position, action, owner_organisation, due_date) VALUES ($1, 0, 'x', 'Vzw', '2027-01-01')`,
		`UPDATE agreements SET status = 'DONE' WHERE case_id = $1`,
		`UPDATE agreements SET action = 'y' WHERE case_id = $1`, // not the status
		`UPDATE cases SET consent_withdrawn_at = now() WHERE id = $1`,
		`DELETE FROM agreements WHERE case_id = $1`,
	} {
		if _, err := db.Pool().Exec(ctx, q, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	type kindState struct {
		Kind, Stage, Status string
		Rung                int
		Consent             bool
	}
	want := []kindState{
		{store.ChangeStage, "SUBMITTED", "", 0, false},
		{store.ChangeEscalation, "SUBMITTED", "", 2, false},
		{store.ChangeAgreement, "SUBMITTED", "OPEN", 2, false},
		{store.ChangeAgreement, "SUBMITTED", "DONE", 2, false},
		{store.ChangeConsent, "SUBMITTED", "", 2, true},
		{store.ChangeAgreement, "SUBMITTED", "", 2, true},
	}
	var got []kindState
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		for _, ch := range r.read(t, 10) {
			got = append(got, kindState{ch.Kind, ch.Stage, ch.AgreementStatus, ch.Escalation.Rung, ch.ConsentWithdrawn})
		}
		return len(got) >= len(want), fmt.Sprintf("%d changes", len(got))
	})
	if !slices.Equal(got, want) {
		t.Fatalf("changes\n%+v\nwant\n%+v", got, want)
	}
}

// TestPruneChanges: retention deletes old changes, and a token from
// before them is refused, so its reader resyncs instead of missing them.
// It has a database of its own: pruning is for every case.
func TestPruneChanges(t *testing.T) {
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	org := "feed-" + tag()
	r := &feedReader{db: db, f: store.ChangeFilter{OrgName: org}}
	first := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	eventually.Until(t, 30*time.Second, func() (bool, string) { return len(r.read(t, 5)) > 0 || len(r.seen) > 0, "the first case" })
	old := r.next
	if _, err := db.Pool().Exec(ctx, `UPDATE case_changes SET at = now() - interval '40 days'`); err != nil {
		t.Fatal(err)
	}
	second := mustCreate(t, db, validCase(org, "LIMBURG", time.Now()))
	n, err := db.PruneChanges(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneChanges = %d, %v; want 1 (the first case's)", n, err)
	}
	if _, _, err := db.ListChanges(ctx, r.f, &store.ChangePosition{Xid: 1}, 5); !errors.Is(err, store.ErrChangesPruned) {
		t.Fatalf("a token from before the pruned changes: %v, want ErrChangesPruned", err)
	}
	// The reader that had read the pruned change goes on.
	var got []store.CaseChange
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		page, next, err := db.ListChanges(ctx, r.f, old, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, old = append(got, page...), &next
		return len(got) > 0, "the second case"
	})
	if len(got) != 1 || got[0].CaseID != second.ID {
		t.Fatalf("after pruning %s the feed gave %+v, want only %s", first.ID, got, second.ID)
	}
}
