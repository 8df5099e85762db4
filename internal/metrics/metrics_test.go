package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/metrics"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// A scrape shows the calls by method and code, the open cases by stage and
// rung and the outbox, and nothing about the case's people.
func TestMetrics(t *testing.T) {
	db := storetest.Open(t, dbURL)
	ctx := context.Background()
	c := &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: vocab.RegionLimburg, Stage: vocab.StageSubmitted,
		OrgName: "CLB Metriek", OrgKind: "CLB", ContactName: "Annelies Vandersmissen", ContactEmail: "annelies@clb.be",
		YoungPerson: youngPerson(), Blocked: "Weigert school", Tried: []string{"gesprekken"}, Themes: []string{"ABSENCE"},
		CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: time.Now().UTC().Add(-time.Minute),
	}
	if _, _, err := db.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	call := m.Unary()
	info := &grpc.UnaryServerInfo{FullMethod: "/rots.v1.CaseService/GetCase"}
	for _, err := range []error{nil, status.Error(codes.NotFound, "case not found"), nil} {
		call(ctx, nil, info, func(context.Context, any) (any, error) { return nil, err })
	}
	out := scrape(t, m)
	for _, want := range []string{
		`rots_rpc_requests_total{code="OK",method="/rots.v1.CaseService/GetCase"} 2`,
		`rots_rpc_requests_total{code="NotFound",method="/rots.v1.CaseService/GetCase"} 1`,
		`rots_rpc_duration_seconds_count{method="/rots.v1.CaseService/GetCase"} 3`,
		`rots_cases_open{rung="0",stage="SUBMITTED"} 1`,
		`rots_outbox_cases 1`,
		`rots_metrics_store_up 1`,
		`rots_db_pool_connections{state="total"}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	for _, secret := range []string{"Annelies", "annelies@clb.be", "Weigert", "J.", c.ID} {
		if strings.Contains(out, secret) {
			t.Errorf("the scrape shows %q", secret)
		}
	}
	// The store away: the scrape says so and still serves the rest.
	db.Close()
	if out := scrape(t, m); !strings.Contains(out, "rots_metrics_store_up 0") || !strings.Contains(out, "rots_rpc_requests_total") {
		t.Errorf("with the store closed:\n%.500s", out)
	}
}

func youngPerson() store.YoungPerson {
	return store.YoungPerson{Alias: "J.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1, School: "Sint-Jan", Municipality: "Hasselt"}
}
