// Package devtemporal runs a real Temporal server inside the process, with
// its state in a SQLite file for `rotsd dev`, or in PostgreSQL with as many
// history shards as asked for `rotsd temporal` on one host. A larger
// installation runs a Temporal cluster instead.
//
// It must not import anything of the service: it is only a Temporal server.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Config says where the server keeps its state and listens.
type Config struct {
	// DatabaseFile is the SQLite file; created with its schema if missing.
	DatabaseFile string
	// PostgresURL, when set, keeps the state in PostgreSQL instead of
	// DatabaseFile: the default store in its database, the visibility
	// store in the one named after it with "_visibility". Both are created
	// with their schema when missing, and their schema is upgraded.
	PostgresURL string
	// HistoryShards is the number of history shards on PostgreSQL (SQLite
	// has one). It is fixed when the cluster's database is created: a
	// later start with another number fails. 0 means 4.
	HistoryShards int32
	// Namespace is registered at start if it does not exist.
	Namespace string
	// FrontendPort is the gRPC port on 127.0.0.1; the other services take
	// the seven ports after it. 0 picks free ports.
	FrontendPort int
	// Log gets the server's own log, lowered: its info and warnings at
	// debug, its errors as warnings, and nothing above debug while it
	// starts or stops (see serverLog). Nil is slog.Default().
	Log *slog.Logger
}

// DefaultNamespace is the namespace `rotsd dev` uses.
const DefaultNamespace = "default"

// Server is a running Temporal server.
type Server struct {
	srv temporal.Server
	log *serverLog
	// HostPort is the frontend's gRPC address.
	HostPort string
	// MetricsURL is where the server serves its Prometheus metrics.
	MetricsURL string
}

const host = "127.0.0.1"

// startTimeout bounds the wait for the frontend to serve. A restart with
// other ports than the last waits half a minute for the old members to time
// out (see servicePorts).
const startTimeout = 2 * time.Minute

// Start creates the schema when the database file is new, registers the
// namespace, starts the frontend, history, matching and worker services and
// returns when the frontend serves.
func Start(cfg Config) (*Server, error) {
	persistence, err := persistenceConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("devtemporal.Start: %w", err)
	}
	// On PostgreSQL every member's port is kept, as a SMALLINT: the worker
	// service gets a ninth, fixed port, and all of them are below 32768.
	n := 8
	if cfg.PostgresURL != "" {
		n = 9
	}
	ports, err := servicePorts(cfg.FrontendPort, n)
	if cfg.PostgresURL != "" && cfg.FrontendPort == 0 {
		ports, err = lowPorts(n)
	}
	if err != nil {
		return nil, fmt.Errorf("devtemporal.Start: %w", err)
	}

	frontend := net.JoinHostPort(host, strconv.Itoa(ports[0]))
	service := func(grpc, membership int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: host}}
	}
	conf := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
			Metrics: &metrics.Config{Prometheus: &metrics.PrometheusConfig{
				ListenAddress: net.JoinHostPort(host, strconv.Itoa(ports[7])), HandlerPath: "/metrics",
			}},
		},
		Persistence: persistence,
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(ports[0], ports[1]),
			"history":  service(ports[2], ports[3]),
			"matching": service(ports[4], ports[5]),
			"worker":   service(ports[6], workerMembership(ports)),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	logger := newServerLog(cfg.Log)
	srv, err := temporal.NewServer(
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithConfig(conf),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// One partition per task queue: a single server has nothing to
			// spread, and with the default four a task that lands on a
			// partition without a waiting poller is forwarded at a limited
			// rate. Two thousand timers due at once fire about 1.6 times
			// as fast with one (docs/BENCHMARKS.md, timers).
			dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
			dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
			// A namespace registered at start (on PostgreSQL) is known to
			// every service within a second, not ten.
			dynamicconfig.NamespaceCacheRefreshInterval.Key(): time.Second,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("devtemporal.Start: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devtemporal.Start: %w", err)
	}
	s := &Server{srv: srv, log: logger, HostPort: frontend,
		MetricsURL: "http://" + net.JoinHostPort(host, strconv.Itoa(ports[7])) + "/metrics"}
	if err := waitServing(frontend); err != nil {
		s.Stop()
		return nil, fmt.Errorf("devtemporal.Start: %w", err)
	}
	if cfg.PostgresURL != "" {
		// On SQLite the namespace is written before the start; here the
		// frontend registers it.
		if err := registerNamespace(frontend, cfg.Namespace, 30*24*time.Hour); err != nil {
			s.Stop()
			return nil, fmt.Errorf("devtemporal.Start: namespace: %w", err)
		}
	}
	logger.phase.Store(running)
	return s, nil
}

// persistenceConfig sets up the server's stores: a SQLite file (schema and
// namespace written when new), or PostgreSQL (databases and schema set up
// or upgraded).
func persistenceConfig(cfg Config) (config.Persistence, error) {
	if cfg.PostgresURL != "" {
		def, vis, err := postgresStores(cfg.PostgresURL)
		if err != nil {
			return config.Persistence{}, err
		}
		if err := setupPostgres(def, vis); err != nil {
			return config.Persistence{}, err
		}
		shards := cfg.HistoryShards
		if shards == 0 {
			shards = 4
		}
		return config.Persistence{
			DefaultStore: "postgres-default", VisibilityStore: "postgres-visibility", NumHistoryShards: shards,
			DataStores: map[string]config.DataStore{"postgres-default": {SQL: def}, "postgres-visibility": {SQL: vis}},
		}, nil
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DatabaseFile), 0o700); err != nil {
		return config.Persistence{}, err
	}
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      cfg.DatabaseFile,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000"},
	}
	if _, err := os.Stat(cfg.DatabaseFile); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			return config.Persistence{}, fmt.Errorf("schema: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", cfg.Namespace, false, nil)
	if err != nil {
		return config.Persistence{}, err
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return config.Persistence{}, fmt.Errorf("namespace: %w", err)
	}
	return config.Persistence{
		DefaultStore: sqliteplugin.PluginName, VisibilityStore: sqliteplugin.PluginName, NumHistoryShards: 1,
		DataStores: map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}, nil
}

// waitServing waits until the frontend's health check says SERVING: it
// does once its membership is ready, and until then it refuses calls
// ("Frontend is not healthy yet").
func waitServing(frontend string) error {
	conn, err := grpc.NewClient(frontend, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	health := healthpb.NewHealthClient(conn)
	for {
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: frontendService})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("health: %s", resp.GetStatus())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("frontend not serving after %s: %w", startTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// frontendService is the name the frontend's health check answers for.
const frontendService = "temporal.api.workflowservice.v1.WorkflowService"

// Stop stops the server. What its services log while they stop is debug.
func (s *Server) Stop() error {
	s.log.phase.Store(stopping)
	return s.srv.Stop()
}

// workerMembership is the worker service's membership port: the ninth when
// there is one, else one the server picks.
func workerMembership(ports []int) int {
	if len(ports) > 8 {
		return ports[8]
	}
	return 0
}

// servicePorts returns the ports of the services and their membership.
// With a fixed frontend port they are the same at every start: the server
// keeps its cluster membership in the database, and a restart with other
// ports waits half a minute for the old members to time out.
func servicePorts(frontend, n int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		if frontend != 0 {
			ports[i] = frontend + i
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}
