package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// What the store's domains share: the request log of the directory and the
// signals, the one idempotent change of a row, and small helpers.

// ErrRequestIDReused means a request_id was used before for another call
// or another resource; a retry must send the same request as the first time.
var ErrRequestIDReused = errors.New("request_id was used before for another request")

// RequestLog is a table that remembers which request_id did what, and the
// column naming what it was done to.
type RequestLog struct{ Table, Resource string }

// ClaimRequest records in the log that requestID is used for method on
// resource. It returns fresh=false when the request_id was used before, with
// the resource it was used for then; another method is ErrRequestIDReused.
// Two concurrent claims of one request_id wait for each other.
func ClaimRequest(ctx context.Context, tx pgx.Tx, log RequestLog, requestID, method, resource string, at time.Time) (fresh bool, before string, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO `+log.Table+` (request_id, method, `+log.Resource+`, at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING`, requestID, method, resource, at)
	if err != nil {
		return false, "", err
	}
	if tag.RowsAffected() == 1 {
		return true, resource, nil
	}
	var prevMethod string
	if err := tx.QueryRow(ctx, `SELECT method, `+log.Resource+`::text FROM `+log.Table+` WHERE request_id = $1`,
		requestID).Scan(&prevMethod, &before); err != nil {
		return false, "", err
	}
	if prevMethod != method {
		return false, before, ErrRequestIDReused
	}
	return false, before, nil
}

// ValidID reports whether id can be a key at all; anything else is not found.
func ValidID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

// NonNil is s, or an empty slice for nil: PostgreSQL arrays are never NULL
// here.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Stamp is a time as PostgreSQL keeps it: UTC, microseconds; now for zero.
func Stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// errRefused rolls a transaction back after apply refused the change.
var errRefused = errors.New("change refused")

// Change changes one row once per request_id: it loads the row for update,
// claims the request_id in log for method on resource, and, unless that
// request_id did it before, lets apply change the row (its error refuses
// the change and is returned as it is) and save write it. A retry returns
// the row as it is now; a request_id used for another method or resource
// is ErrRequestIDReused.
func Change[T any](ctx context.Context, db *DB, log RequestLog, method, resource, requestID string, at time.Time,
	load func(pgx.Tx) (T, error), apply func(T) error, save func(pgx.Tx, T, time.Time) error) (T, error) {
	at = Stamp(at)
	var (
		result  T
		refusal error
	)
	err := db.Tx(ctx, func(tx pgx.Tx) error {
		row, err := load(tx)
		if err != nil {
			return err
		}
		fresh, before, err := ClaimRequest(ctx, tx, log, requestID, method, resource, at)
		if err != nil {
			return err
		}
		if !fresh {
			if before != resource {
				return ErrRequestIDReused
			}
			result = row
			return nil
		}
		if refusal = apply(row); refusal != nil {
			return errRefused
		}
		result = row
		return save(tx, row, at)
	})
	if refusal != nil {
		var zero T
		return zero, refusal
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("store.%s(%q): %w", method, resource, err)
	}
	return result, nil
}

// Tx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise. The store's domains (the directory, the signals) write
// through it.
func (db *DB) Tx(ctx context.Context, fn func(pgx.Tx) error) error { return db.inTx(ctx, fn) }

// Pool is the connection pool, for the domains' reads.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Args are a query's arguments; Add appends one and names it ($1, $2, …),
// so that a query built from the filters given numbers them right.
type Args []any

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}
