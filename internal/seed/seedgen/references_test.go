package seedgen

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// A seed loaded beside another never draws a reference the other's cases
// hold: here seed 12's first reference is given to a case of seed 11
// first, and seed 12 still loads.
func TestLoadKeepsReferencesUnique(t *testing.T) {
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	if _, err := Load(ctx, url, Options{Cases: 20, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	first := newGenerator(Options{Cases: 20, Seed: 12}.withDefaults()).reference()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE cases SET reference = $1 WHERE id = (SELECT id FROM cases LIMIT 1)`, first); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, url, Options{Cases: 20, Seed: 12}); err != nil {
		t.Fatalf("loading a second seed beside a case with its first reference: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM cases WHERE reference = $1`, first).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d cases with reference %s (%v), want 1", n, first, err)
	}
}
