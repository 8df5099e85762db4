package devtemporal

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// waitForGo waits for a "go" signal, so that it is open across a restart.
func waitForGo(ctx workflow.Context) (string, error) {
	var msg string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &msg)
	return "got " + msg, nil
}

// startConfigWithWorker starts the server as cfg says and a worker for
// waitForGo.
func startConfigWithWorker(t *testing.T, cfg Config) (*Server, client.Client, worker.Worker) {
	t.Helper()
	srv, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: srv.HostPort, Namespace: cfg.Namespace})
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	w := worker.New(c, "devtemporal-test", worker.Options{})
	w.RegisterWorkflow(waitForGo)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return srv, c, w
}

// An open workflow survives a restart of the server on the same file, as
// cases survive a restart of `rotsd dev`.
func TestStateSurvivesRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	file := filepath.Join(t.TempDir(), "temporal.db")

	// rotsd dev uses a fixed port; a free one stands in for it here.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	survivesRestart(ctx, t, Config{DatabaseFile: file, Namespace: DefaultNamespace, FrontendPort: port}, "survivor", "na herstart")
}

// survivesRestart starts the server as cfg says, starts a workflow that
// waits for a signal, restarts the server and checks that the workflow
// finishes on the signal sent after the restart.
func survivesRestart(ctx context.Context, t *testing.T, cfg Config, id, msg string) {
	t.Helper()
	srv, c, w := startConfigWithWorker(t, cfg)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "devtemporal-test"}, waitForGo)
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	srv, c, w = startConfigWithWorker(t, cfg)
	defer srv.Stop()
	defer c.Close()
	defer w.Stop()
	if err := c.SignalWorkflow(ctx, id, run.GetRunID(), "go", msg); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var got string
	if err := c.GetWorkflow(ctx, id, run.GetRunID()).Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != "got "+msg {
		t.Errorf("result = %q, want %q", got, "got "+msg)
	}
}

// On PostgreSQL, with four history shards, a fresh database gets its
// schema and the namespace, and an open workflow survives a restart, which
// finds the schema there and upgrades nothing.
func TestPostgresStateSurvivesRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	u := storetest.TemporalDatabase(t)
	ports, err := lowPorts(9)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{PostgresURL: u, HistoryShards: 4, Namespace: "rots", FrontendPort: ports[0]}

	survivesRestart(ctx, t, cfg, "survivor-pg", "op PostgreSQL")
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var shards int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM shards`).Scan(&shards); err != nil || shards != 4 {
		t.Errorf("%d history shards in the database (%v), want 4", shards, err)
	}
}
