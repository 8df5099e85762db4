// Package storetest gives each test package a fresh, migrated PostgreSQL
// database on the local server, dropped when the package's tests end.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// ServerURL is the PostgreSQL server tests use: TEST_DATABASE_URL, or the
// local server with trust authentication.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Main creates a database for the package, stores its URL in *dbURL, runs
// the tests and drops the database. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }
func Main(m *testing.M, dbURL *string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, drop, err := NewDatabase(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer drop()
	*dbURL = u
	return m.Run()
}

// NewDatabase creates an empty database with a random name, applies the
// migrations and returns its URL and a function that drops it.
func NewDatabase(ctx context.Context) (string, func(), error) {
	admin, err := url.Parse(ServerURL())
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "rots_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", nil, fmt.Errorf("connect to test server: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u := *admin
	u.Path = "/" + name
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return "", nil, err
	}
	db.Close()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest: drop:", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "storetest: drop:", err)
		}
	}
	return u.String(), drop, nil
}

// Open opens the database at url for a test and closes it when the test
// ends.
func Open(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// TemporalDatabase is the URL of a database on the test server, not
// created yet, for a Temporal server on PostgreSQL; it and its visibility
// database ("_visibility") are dropped when the test ends.
func TemporalDatabase(t testing.TB) string {
	t.Helper()
	server, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("rots_test_temporal_%d", time.Now().UnixNano())
	u := *server
	u.Path = "/" + name
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), server.String())
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		for _, db := range []string{name, name + "_visibility"} {
			if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
				t.Error(err)
			}
		}
	})
	return u.String()
}
