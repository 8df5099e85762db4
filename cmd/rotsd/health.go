package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// readyTimeout bounds each backend's answer to a readiness check.
const readyTimeout = 2 * time.Second

// healthHandler serves the probes of an orchestrator: /healthz, the
// process answers; /readyz, ready to take work only when PostgreSQL and
// Temporal both answer (Temporal only for a process that uses it: tc not
// nil). A failed check names the backend, never more.
func healthHandler(db *store.DB, tc client.Client) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		var down []string
		check := func(name string, ping func(context.Context) error) {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			if ping(ctx) != nil {
				down = append(down, name)
			}
		}
		check("postgresql", db.Ping)
		if tc != nil {
			check("temporal", func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			})
		}
		w.Header().Set("Cache-Control", "no-store")
		if len(down) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready: "+strings.Join(down, ", ")+" does not answer")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}
