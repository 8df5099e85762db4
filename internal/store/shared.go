package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// What the store's domains share: the request log of the directory and the
// signals, the one idempotent change of a row, and small helpers.

// ErrRequestIDReused means a request_id was used before for another call
// or another resource; a retry must send the same request as the first time.
var ErrRequestIDReused = errors.New("request_id was used before for another request")

// requestLog is a table that remembers which request_id did what, and the
// column naming what it was done to.
type requestLog struct{ table, resource string }

var (
	directoryRequests = requestLog{"directory_requests", "resource"}
	signalRequests    = requestLog{"signal_requests", "signal_id"}
)

// claimRequest records in the log that requestID is used for method on
// resource. It returns fresh=false when the request_id was used before, with
// the resource it was used for then; another method is ErrRequestIDReused.
// Two concurrent claims of one request_id wait for each other.
func claimRequest(ctx context.Context, tx pgx.Tx, log requestLog, requestID, method, resource string, at time.Time) (fresh bool, before string, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO `+log.table+` (request_id, method, `+log.resource+`, at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING`, requestID, method, resource, at)
	if err != nil {
		return false, "", err
	}
	if tag.RowsAffected() == 1 {
		return true, resource, nil
	}
	var prevMethod string
	if err := tx.QueryRow(ctx, `SELECT method, `+log.resource+`::text FROM `+log.table+` WHERE request_id = $1`,
		requestID).Scan(&prevMethod, &before); err != nil {
		return false, "", err
	}
	if prevMethod != method {
		return false, before, ErrRequestIDReused
	}
	return false, before, nil
}

// validID reports whether id can be a key at all; anything else is not found.
func validID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// errRefused rolls a transaction back after apply refused the change.
var errRefused = errors.New("change refused")

// change changes one row once per request_id: it loads the row for update,
// claims the request_id in log for method on resource, and, unless that
// request_id did it before, lets apply change the row (its error refuses
// the change and is returned as it is) and save write it. A retry returns
// the row as it is now; a request_id used for another method or resource
// is ErrRequestIDReused.
func change[T any](ctx context.Context, db *DB, log requestLog, method, resource, requestID string, at time.Time,
	load func(pgx.Tx) (T, error), apply func(T) error, save func(pgx.Tx, T, time.Time) error) (T, error) {
	at = stamp(at)
	var (
		result  T
		refusal error
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		row, err := load(tx)
		if err != nil {
			return err
		}
		fresh, before, err := claimRequest(ctx, tx, log, requestID, method, resource, at)
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
