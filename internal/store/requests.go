package store

import (
	"bytes"
	"context"
	"fmt"
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
