package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
)

// CaseChange is one entry of the change feed: what changed about a case and
// its state after the change. It holds no personal data. The triggers of
// migration 0016 write it; its comment explains the order.
type CaseChange struct {
	Position ChangePosition
	CaseID   string
	// Kind is ChangeStage, ChangeEscalation, ChangeAgreement or ChangeConsent.
	Kind              string
	Stage             string
	Escalation        Escalation
	AgreementPosition int
	// AgreementStatus is "" when the agreement was removed.
	AgreementStatus  string
	ConsentWithdrawn bool
	At               time.Time
}

// The kinds of change.
const (
	ChangeStage      = "stage"
	ChangeEscalation = "escalation"
	ChangeAgreement  = "agreement"
	ChangeConsent    = "consent"
)

// ChangePosition is a place in the feed: after the change at (Xid, Seq).
// (Xid, 0) is before every change at Xid.
type ChangePosition struct {
	Xid uint64 `json:"x"`
	Seq int64  `json:"s"`
}

// Valid reports whether the position can be one the feed made.
func (p ChangePosition) Valid() bool { return p.Xid > 0 && p.Seq >= 0 }

func (p ChangePosition) before(o ChangePosition) bool {
	return p.Xid < o.Xid || p.Xid == o.Xid && p.Seq < o.Seq
}

// ChangeFilter narrows the feed to the cases a caller may see, as
// CaseFilter narrows ListCases; empty fields do not narrow.
type ChangeFilter struct {
	Region     string
	OrgName    string
	InvitedOrg string
}

// ChangesKept is how long the feed keeps a change by default: a mirror
// that stops reading for longer resyncs.
const ChangesKept = 30 * 24 * time.Hour

// ErrChangesPruned means the position is older than the feed keeps: the
// changes after it were deleted, and the reader must resync.
var ErrChangesPruned = errors.New("the changes after this position are no longer kept")

// ListChanges returns up to limit changes after the position (from the
// oldest kept one when after is nil) of the cases f lets through, in feed
// order, and the position to read on from: the last change's, or, when
// fewer than limit came, the end of everything committed so far, so that
// a reader skips what f filtered out. Filters apply to the cases as they
// are now: a case that left the caller's scope no longer shows.
func (db *DB) ListChanges(ctx context.Context, f ChangeFilter, after *ChangePosition, limit int) ([]CaseChange, ChangePosition, error) {
	var (
		changes []CaseChange
		next    ChangePosition
	)
	// One snapshot for the rows and the end: read committed would take a
	// new one for each statement, and a row committed between them would
	// be skipped.
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var xmin string
		var pruned *ChangePosition
		var px *string
		var ps *int64
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
				(SELECT position::text FROM case_changes_pruned), (SELECT seq FROM case_changes_pruned)`).Scan(&xmin, &px, &ps); err != nil {
			return err
		}
		end, err := strconv.ParseUint(xmin, 10, 64)
		if err != nil {
			return err
		}
		if px != nil {
			x, err := strconv.ParseUint(*px, 10, 64)
			if err != nil {
				return err
			}
			pruned = &ChangePosition{Xid: x, Seq: *ps}
		}
		if after != nil && pruned != nil && after.before(*pruned) {
			return ErrChangesPruned
		}
		var (
			conds = []string{"ch.position < pg_snapshot_xmin(pg_current_snapshot())"}
			args  Args
		)
		arg := args.Add
		if after != nil {
			conds = append(conds, "(ch.position, ch.seq) > ("+arg(strconv.FormatUint(after.Xid, 10))+"::text::xid8, "+arg(after.Seq)+")")
		}
		if f.Region != "" {
			conds = append(conds, "c.region = "+arg(f.Region))
		}
		if f.OrgName != "" {
			conds = append(conds, "c.org_name = "+arg(f.OrgName))
		}
		if f.InvitedOrg != "" {
			// As ListCases and Scope decide a partner's access.
			conds = append(conds, "c.consent_withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM table_participants tp WHERE tp.case_id = c.id AND tp.organisation = "+
				arg(f.InvitedOrg)+")")
		}
		rows, err := tx.Query(ctx, `SELECT ch.position::text, ch.seq, ch.case_id::text, ch.kind, ch.stage, ch.rung, ch.breakthrough, ch.deadlines,
				ch.agreement_position, ch.agreement_status, ch.consent_withdrawn, ch.at
			FROM case_changes ch JOIN cases c ON c.id = ch.case_id
			WHERE `+strings.Join(conds, " AND ")+`
			ORDER BY ch.position, ch.seq LIMIT `+arg(limit), args...)
		if err != nil {
			return err
		}
		changes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseChange, error) {
			var (
				c         CaseChange
				pos       string
				deadlines []escalation.Deadline
			)
			err := r.Scan(&pos, &c.Position.Seq, &c.CaseID, &c.Kind, &c.Stage, &c.Escalation.Rung, &c.Escalation.Breakthrough, &deadlines,
				&c.AgreementPosition, &c.AgreementStatus, &c.ConsentWithdrawn, &c.At)
			if err == nil {
				c.Position.Xid, err = strconv.ParseUint(pos, 10, 64)
			}
			c.Escalation.Deadlines = deadlines
			return c, err
		})
		if err != nil {
			return err
		}
		switch {
		case len(changes) == limit:
			next = changes[len(changes)-1].Position
		case after != nil && end <= after.Xid:
			next = *after // nothing has ended since
		default:
			next = ChangePosition{Xid: end}
		}
		return nil
	})
	if errors.Is(err, ErrChangesPruned) {
		return nil, ChangePosition{}, err
	}
	if err != nil {
		return nil, ChangePosition{}, fmt.Errorf("store.ListChanges: %w", err)
	}
	return changes, next, nil
}

// ChangesNow is the position of the present end of the feed: the changes
// after it are those not committed yet.
func (db *DB) ChangesNow(ctx context.Context) (ChangePosition, error) {
	var xmin string
	if err := db.pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&xmin); err != nil {
		return ChangePosition{}, fmt.Errorf("store.ChangesNow: %w", err)
	}
	x, err := strconv.ParseUint(xmin, 10, 64)
	if err != nil {
		return ChangePosition{}, fmt.Errorf("store.ChangesNow: %w", err)
	}
	return ChangePosition{Xid: x}, nil
}

// PruneChanges deletes the changes made before the given time, remembers
// the last place it deleted (a token before it gets ErrChangesPruned) and
// says how many it deleted.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `WITH d AS (DELETE FROM case_changes WHERE at < $1 RETURNING position, seq),
			last AS (SELECT position, seq FROM d ORDER BY position DESC, seq DESC LIMIT 1),
			mark AS (INSERT INTO case_changes_pruned (position, seq) SELECT position, seq FROM last
				ON CONFLICT (one) DO UPDATE SET position = EXCLUDED.position, seq = EXCLUDED.seq
				WHERE (case_changes_pruned.position, case_changes_pruned.seq) < (EXCLUDED.position, EXCLUDED.seq))
		SELECT count(*) FROM d`, before).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store.PruneChanges: %w", err)
	}
	return n, nil
}

// RunChangePruner deletes changes older than keep, every interval until
// ctx ends.
func (db *DB) RunChangePruner(ctx context.Context, interval, keep time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := db.PruneChanges(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			log.Warn("pruning the change feed", "err", err)
		} else if n > 0 {
			log.Info("changes pruned", "n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
