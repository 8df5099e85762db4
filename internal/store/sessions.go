package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The web application's sessions and sign-ins under way. The store keys
// them by the SHA-256 of the secret the browser holds and seals their
// data, so that neither a copy of the tables nor of the logs opens one.

// sessionContext binds sealed session data to its purpose, so that it
// cannot be passed off as a case's text.
const sessionContext = "web-session"

func secretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateSession stores a new session under its secret, valid until
// expires however active it is.
func (db *DB) CreateSession(ctx context.Context, secret, data string, now, expires time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, data, created_at, seen_at, expires_at)
		VALUES ($1, $2, $3, $3, $4)`, secretHash(secret), db.texts.SealText(data, sessionContext), now, expires)
	if err != nil {
		return fmt.Errorf("store.CreateSession: %w", err)
	}
	return nil
}

// ErrSessionEnded is a session that is unknown, idle too long or past its
// lifetime.
var ErrSessionEnded = errors.New("session ended")

// Session returns the data of a live session and marks it seen. A session
// not seen for idle, or past its lifetime, has ended. To spare a write on
// every page, seen_at moves at most once a minute.
func (db *DB) Session(ctx context.Context, secret string, now time.Time, idle time.Duration) (string, error) {
	var data string
	var seen, expires time.Time
	err := db.pool.QueryRow(ctx, `SELECT data, seen_at, expires_at FROM web_sessions WHERE id_hash = $1`,
		secretHash(secret)).Scan(&data, &seen, &expires)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", ErrSessionEnded
	case err != nil:
		return "", fmt.Errorf("store.Session: %w", err)
	case now.Sub(seen) > idle || !now.Before(expires):
		return "", ErrSessionEnded
	}
	if now.Sub(seen) > time.Minute {
		if _, err := db.pool.Exec(ctx, `UPDATE web_sessions SET seen_at = $2 WHERE id_hash = $1`, secretHash(secret), now); err != nil {
			return "", fmt.Errorf("store.Session: %w", err)
		}
	}
	plain, err := db.texts.OpenText(data, sessionContext)
	if err != nil {
		return "", fmt.Errorf("store.Session: %w", err)
	}
	return plain, nil
}

// EndSession forgets a session; ending one that is gone is no error.
func (db *DB) EndSession(ctx context.Context, secret string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, secretHash(secret)); err != nil {
		return fmt.Errorf("store.EndSession: %w", err)
	}
	return nil
}

// StartLogin keeps what the callback of a sign-in must check, under the
// sign-in's state.
func (db *DB) StartLogin(ctx context.Context, state, data string, now time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO web_logins (state_hash, data, created_at) VALUES ($1, $2, $3)`,
		secretHash(state), db.texts.SealText(data, sessionContext), now)
	if err != nil {
		return fmt.Errorf("store.StartLogin: %w", err)
	}
	return nil
}

// TakeLogin returns and forgets the sign-in under state, if it started
// after notBefore: a state is good for one callback only.
func (db *DB) TakeLogin(ctx context.Context, state string, notBefore time.Time) (string, error) {
	var data string
	var at time.Time
	err := db.pool.QueryRow(ctx, `DELETE FROM web_logins WHERE state_hash = $1 RETURNING data, created_at`,
		secretHash(state)).Scan(&data, &at)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", ErrSessionEnded
	case err != nil:
		return "", fmt.Errorf("store.TakeLogin: %w", err)
	case at.Before(notBefore):
		return "", ErrSessionEnded
	}
	plain, err := db.texts.OpenText(data, sessionContext)
	if err != nil {
		return "", fmt.Errorf("store.TakeLogin: %w", err)
	}
	return plain, nil
}

// PruneSessions forgets the sessions that ended (past their lifetime or
// idle since before idleBefore) and the sign-ins started before
// loginBefore.
func (db *DB) PruneSessions(ctx context.Context, now, idleBefore, loginBefore time.Time) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1 OR seen_at < $2`, now, idleBefore); err != nil {
		return fmt.Errorf("store.PruneSessions: %w", err)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM web_logins WHERE created_at < $1`, loginBefore); err != nil {
		return fmt.Errorf("store.PruneSessions: %w", err)
	}
	return nil
}
