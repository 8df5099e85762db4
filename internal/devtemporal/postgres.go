package devtemporal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// postgresStores are the default and the visibility store of a server on
// PostgreSQL: the database of databaseURL, and the one named after it with
// "_visibility".
func postgresStores(databaseURL string) (def, vis *config.SQL, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		return nil, nil, fmt.Errorf("Temporal database URL must look like postgres://user@host:5432/temporal")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	password, _ := u.User.Password()
	store := func(name string) *config.SQL {
		attrs := map[string]string{}
		if mode := u.Query().Get("sslmode"); mode != "" {
			attrs["sslmode"] = mode
		}
		return &config.SQL{
			PluginName: postgresql.PluginNamePGX, DatabaseName: name, ConnectAddr: host, ConnectProtocol: "tcp",
			User: u.User.Username(), Password: password, ConnectAttributes: attrs,
			MaxConns: 20, MaxIdleConns: 20, MaxConnLifetime: time.Hour,
		}
	}
	name := strings.Trim(u.Path, "/")
	return store(name), store(name + "_visibility"), nil
}

// schemas says which of the schemas the server module embeds each store
// takes.
var schemas = map[bool]string{false: "postgresql/v12/temporal", true: "postgresql/v12/visibility"}

// setupPostgres creates each store's database when it is missing, and sets
// its schema up, or upgrades it to the one this server needs, from the
// schemas embedded in the server module. It returns errors instead of
// exiting, as the schema tool's command would.
func setupPostgres(def, vis *config.SQL) error {
	logger := log.NewNoopLogger()
	for i, store := range []*config.SQL{def, vis} {
		admin := *store
		admin.DatabaseName = "postgres"
		conn, err := sqltool.NewConnection(&admin, logger)
		if err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		err = conn.CreateDatabase(store.DatabaseName)
		conn.Close()
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("schema: create %s: %w", store.DatabaseName, err)
		}
		conn, err = sqltool.NewConnection(store, logger)
		if err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		if _, err := conn.ReadSchemaVersion(); err != nil { // a new database
			err = schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run()
			if err != nil {
				conn.Close()
				return fmt.Errorf("schema: set up %s: %w", store.DatabaseName, err)
			}
		}
		err = schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: store.DatabaseName, SchemaName: schemas[i == 1]}, logger).Run()
		conn.Close()
		if err != nil {
			return fmt.Errorf("schema: upgrade %s: %w", store.DatabaseName, err)
		}
	}
	return nil
}

// lowPorts picks n consecutive free ports below 32768: the PostgreSQL
// schema keeps a member's port as a SMALLINT, and a higher one makes the
// server exit at start.
func lowPorts(n int) ([]int, error) {
	for range 100 {
		first := 10000 + rand.IntN(22000)
		ports := make([]int, n)
		free := true
		for i := range ports {
			ports[i] = first + i
			l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(ports[i])))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return ports, nil
		}
	}
	return nil, fmt.Errorf("no %d free ports below 32768", n)
}

// registerNamespace registers the namespace through the frontend, unless
// it exists, keeping closed workflows' histories for retention.
func registerNamespace(frontend, namespace string, retention time.Duration) error {
	conn, err := grpc.NewClient(frontend, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ws := workflowservice.NewWorkflowServiceClient(conn)
	_, err = ws.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
	})
	if err != nil && status.Code(err) != codes.AlreadyExists {
		return err
	}
	// The services learn of a new namespace when they refresh their cache,
	// seconds later; DescribeNamespace reads the database and knows it at
	// once. Wait until a call that goes through the cache, as a worker's
	// polls do, finds it, so that a worker started next does.
	for {
		_, err := ws.DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{Namespace: namespace,
			TaskQueue: &taskqueuepb.TaskQueue{Name: "rots-namespace-probe", Kind: enumspb.TASK_QUEUE_KIND_NORMAL}})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s not served after registering it: %w", namespace, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
