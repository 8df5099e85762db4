// Package store owns the service's PostgreSQL database: the pool, the
// migrations of every table (applied at start), the shared helpers of the
// domains (shared.go: one transaction helper, one idempotent change of a
// row, the request logs), and the case domain: the case record and the
// projection of the case workflow's state, the timeline, notifications,
// the access log, request claims, gaps and the report rollups. These stay
// in one package because one transaction spans them (a transition updates
// the rollups it changes and the notifications it causes). The directory
// and the signals are packages of their own on top of it. The workflow
// writes a case's process only through its activities. It must not import
// services/, workflows/, cmd/ or the domains built on it.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultURL is the local development database.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/rots?sslmode=disable"

var (
	// ErrNotFound means the row does not exist.
	ErrNotFound = errors.New("not found")
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB owns the connection pool.
type DB struct {
	pool  *pgxpool.Pool
	texts TextSealer
	// accessLogged, when set, is told how long each access-log append took.
	accessLogged func(time.Duration)
}

// Option sets the pool up before it connects.
type Option func(*pgxpool.Config)

// WithTracer traces the pool's queries (tracing.QueryTracer); nil: none.
func WithTracer(t pgx.QueryTracer) Option {
	return func(c *pgxpool.Config) { c.ConnConfig.Tracer = t }
}

// Open connects to databaseURL and applies any pending migrations.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	db := &DB{pool: pool, texts: plainTexts{}}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if err := db.rebuildReportsOnce(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store.Open: report rollups: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// migrate applies the embedded migrations in name order, each once, under an
// advisory lock so that several processes starting together do not race.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7043104)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		for _, name := range names {
			tag, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT DO NOTHING`, name)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				continue
			}
			sql, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		return nil
	})
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// EnsureDatabase creates the database named in databaseURL if it does not
// exist, connecting to the server's "postgres" database to do so.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("store.EnsureDatabase: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return fmt.Errorf("store.EnsureDatabase: no database name in URL")
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("store.EnsureDatabase: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("store.EnsureDatabase: %w", err)
	}
	return nil
}
