package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Claim binds a request_id to the one call it was first used for: the
// caller, the method, the resource it is about, and a fingerprint of the
// request itself.
type Claim struct {
	RequestID   string
	Caller      string
	Method      string
	Resource    string
	Fingerprint []byte
	At          time.Time
}

// Same reports whether o is the same call as c: the same caller sending
// the same request.
func (c Claim) Same(o Claim) bool {
	return c.Caller == o.Caller && c.Method == o.Method && c.Resource == o.Resource && bytes.Equal(c.Fingerprint, o.Fingerprint)
}

// ClaimRequest records c unless its request_id is known. It returns the
// claim the request_id has now and whether this call made it. It commits
// before the call runs, so two concurrent uses of one request_id see one
// claim.
func (db *DB) ClaimRequest(ctx context.Context, c Claim) (_ Claim, fresh bool, err error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO requests (request_id, caller, method, resource, fingerprint, at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING`,
		c.RequestID, c.Caller, c.Method, c.Resource, c.Fingerprint, c.At)
	if err != nil {
		return Claim{}, false, fmt.Errorf("store.ClaimRequest: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return c, true, nil
	}
	var got Claim
	err = db.pool.QueryRow(ctx, `SELECT request_id, caller, method, resource, fingerprint, at FROM requests WHERE request_id = $1`,
		c.RequestID).Scan(&got.RequestID, &got.Caller, &got.Method, &got.Resource, &got.Fingerprint, &got.At)
	if err == pgx.ErrNoRows {
		// Released between the two statements: claim it again.
		return db.ClaimRequest(ctx, c)
	}
	if err != nil {
		return Claim{}, false, fmt.Errorf("store.ClaimRequest: %w", err)
	}
	return got, false, nil
}

// ReleaseRequest forgets c, for a call that was refused before it did
// anything, so that a corrected request may use the request_id.
func (db *DB) ReleaseRequest(ctx context.Context, c Claim) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM requests WHERE request_id = $1 AND caller = $2 AND fingerprint = $3`,
		c.RequestID, c.Caller, c.Fingerprint)
	if err != nil {
		return fmt.Errorf("store.ReleaseRequest: %w", err)
	}
	return nil
}

// ClaimsKept is how long a request_id stays bound to its call. A client
// retries within minutes; after a month a request_id means nothing, and
// the claim, which names who did what to which resource, goes.
const ClaimsKept = 30 * 24 * time.Hour

// PruneRequests forgets the claims made before the given time and says how
// many it forgot.
func (db *DB) PruneRequests(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM requests WHERE at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store.PruneRequests: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RunPruner forgets claims older than ClaimsKept, every interval until ctx
// ends.
func (db *DB) RunPruner(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := db.PruneRequests(ctx, time.Now().Add(-ClaimsKept)); err != nil && ctx.Err() == nil {
			log.Warn("pruning request claims", "err", err)
		} else if n > 0 {
			log.Info("request claims pruned", "n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Gauges are the figures an operator watches: open cases by stage and
// rung, the outbox (cases recorded whose workflow is not known to run) and
// the mails not sent yet. They hold counts only.
type Gauges struct {
	OpenCases    map[[2]string]int64 // [stage, rung]
	Outbox       int64
	OutboxOldest time.Duration
	MailsPending int64
	PoolAcquired int32
	PoolIdle     int32
	PoolTotal    int32
}

// ReadGauges reads the gauges.
func (db *DB) ReadGauges(ctx context.Context) (Gauges, error) {
	g := Gauges{OpenCases: map[[2]string]int64{}}
	rows, err := db.pool.Query(ctx, `SELECT stage, rung::text, count(*) FROM cases WHERE stage <> 'CLOSED' GROUP BY stage, rung`)
	if err != nil {
		return g, fmt.Errorf("store.ReadGauges: %w", err)
	}
	for rows.Next() {
		var stage, rung string
		var n int64
		if err := rows.Scan(&stage, &rung, &n); err != nil {
			rows.Close()
			return g, fmt.Errorf("store.ReadGauges: %w", err)
		}
		g.OpenCases[[2]string{stage, rung}] = n
	}
	rows.Close()
	var oldest *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT count(*), min(submitted_at) FROM cases WHERE NOT workflow_started`).Scan(&g.Outbox, &oldest); err != nil {
		return g, fmt.Errorf("store.ReadGauges: %w", err)
	}
	if oldest != nil {
		g.OutboxOldest = time.Since(*oldest)
	}
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE mail_sent_at IS NULL`).Scan(&g.MailsPending); err != nil {
		return g, fmt.Errorf("store.ReadGauges: %w", err)
	}
	st := db.pool.Stat()
	g.PoolAcquired, g.PoolIdle, g.PoolTotal = st.AcquiredConns(), st.IdleConns(), st.TotalConns()
	return g, nil
}
