package seedgen_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/seed/seedgen"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// TestLoad loads a few hundred cases and reads them back the way the API
// does, and checks that each case's stage is where its timeline ends.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	o := seedgen.Options{Cases: 300, Seed: 9}
	st, err := seedgen.Load(ctx, dbURL, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cases != 300 || st.Events < 5*300 || st.Agreements == 0 || st.Gaps == 0 {
		t.Errorf("loaded %+v", st)
	}
	if loaded, err := seedgen.Loaded(ctx, dbURL, o); err != nil || !loaded {
		t.Errorf("Loaded = %v, %v; want true", loaded, err)
	}
	if _, err := seedgen.Load(ctx, dbURL, o); !errors.Is(err, seedgen.ErrLoaded) {
		t.Errorf("loading again: %v, want ErrLoaded", err)
	}

	db := storetest.Open(t, dbURL)
	cases, err := db.ListCases(ctx, store.CaseFilter{Region: "LIMBURG"}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no Limburg cases")
	}
	for _, c := range cases {
		got, err := db.GetCase(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestID == "" || got.OrgName == "" || len(got.Themes) == 0 || (got.Stage == "CLOSED") != (got.ClosedAt != nil) {
			t.Errorf("case %s: %+v", c.ID, got)
		}
		events, err := db.ListEvents(ctx, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		last := ""
		for _, e := range events {
			if e.FromStage != e.ToStage {
				if e.FromStage != last {
					t.Errorf("case %s: event %s from %s, but the case was in %s", c.ID, e.Kind, e.FromStage, last)
				}
				last = e.ToStage
			}
		}
		if last != got.Stage {
			t.Errorf("case %s in %s, its timeline ends in %s", c.ID, got.Stage, last)
		}
	}

	// The rollups were rebuilt: they hold every case once by stage.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var counted int64
	if err := conn.QueryRow(ctx, `SELECT sum(n) FROM report_counts WHERE dim = 'stage'`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != 300 {
		t.Errorf("report_counts holds %d cases by stage, want 300", counted)
	}
}
