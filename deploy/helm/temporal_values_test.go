package helm

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// temporalValues is every key of temporal-values.yaml, named as Temporal's
// chart (temporalio/helm-charts, charts/temporal/values.yaml) names them;
// decoding strictly, a key the file adds or misspells fails.
type temporalValues struct {
	Server struct {
		ReplicaCount int `json:"replicaCount"`
		Config       struct {
			LogLevel    string `json:"logLevel"`
			Persistence struct {
				DefaultStore     string                   `json:"defaultStore"`
				VisibilityStore  string                   `json:"visibilityStore"`
				NumHistoryShards int                      `json:"numHistoryShards"`
				Datastores       map[string]temporalStore `json:"datastores"`
			} `json:"persistence"`
			Namespaces struct {
				Create    bool `json:"create"`
				Namespace []struct {
					Name      string `json:"name"`
					Retention string `json:"retention"`
				} `json:"namespace"`
			} `json:"namespaces"`
		} `json:"config"`
		Metrics struct {
			ServiceMonitor struct {
				Enabled bool `json:"enabled"`
			} `json:"serviceMonitor"`
		} `json:"metrics"`
		Frontend replicas `json:"frontend"`
		History  replicas `json:"history"`
		Matching replicas `json:"matching"`
		Worker   replicas `json:"worker"`
	} `json:"server"`
	Schema struct {
		UseHelmHooks bool `json:"useHelmHooks"`
	} `json:"schema"`
	Web struct {
		Enabled bool `json:"enabled"`
	} `json:"web"`
	Admintools struct {
		Enabled bool `json:"enabled"`
	} `json:"admintools"`
}

type replicas struct {
	ReplicaCount int `json:"replicaCount"`
}

// temporalStore is a datastore: its sql section, the only driver used.
type temporalStore struct {
	SQL struct {
		PluginName      string `json:"pluginName"`
		DriverName      string `json:"driverName"`
		DatabaseName    string `json:"databaseName"`
		ConnectAddr     string `json:"connectAddr"`
		ConnectProtocol string `json:"connectProtocol"`
		User            string `json:"user"`
		ExistingSecret  string `json:"existingSecret"`
		SecretKey       string `json:"secretKey"`
		CreateDatabase  bool   `json:"createDatabase"`
		ManageSchema    bool   `json:"manageSchema"`
		MaxConns        int    `json:"maxConns"`
		MaxIdleConns    int    `json:"maxIdleConns"`
		MaxConnLifetime string `json:"maxConnLifetime"`
	} `json:"sql"`
}

// The values for Temporal's chart put both stores on PostgreSQL in
// databases of their own, with the password from a Secret, the schema
// managed by the chart's Jobs, and register the namespace rotsd's chart
// uses.
func TestTemporalValues(t *testing.T) {
	b, err := os.ReadFile("temporal-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var v temporalValues
	if err := yaml.UnmarshalStrict(b, &v); err != nil {
		t.Fatal(err)
	}
	p := v.Server.Config.Persistence
	if p.NumHistoryShards < 1 || !strings.Contains(string(b), "# Fixed when the default store's database is created") {
		t.Errorf("numHistoryShards %d, and the file must say it is fixed at creation", p.NumHistoryShards)
	}
	dbs := map[string]bool{}
	for _, name := range []string{p.DefaultStore, p.VisibilityStore} {
		s, ok := p.Datastores[name]
		if !ok {
			t.Errorf("store %q is not among the datastores", name)
			continue
		}
		sql := s.SQL
		if sql.PluginName != "postgres12" || sql.DatabaseName == "" || sql.ExistingSecret == "" || !sql.CreateDatabase || !sql.ManageSchema {
			t.Errorf("store %s: %+v: want postgres12, its database, the password from a Secret, the schema Jobs", name, sql)
		}
		dbs[sql.DatabaseName] = true
	}
	if len(dbs) != 2 {
		t.Errorf("default and visibility stores share a database: %v", dbs)
	}
	if !v.Schema.UseHelmHooks {
		t.Error("the schema Jobs do not run before the server")
	}

	// The namespace and address rotsd's chart defaults to are the ones this
	// release creates: release "temporal" in namespace "temporal".
	var rotsd struct {
		Temporal struct {
			Address   string `json:"address"`
			Namespace string `json:"namespace"`
		} `json:"temporal"`
	}
	rb, err := os.ReadFile("rotsd/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(rb, &rotsd); err != nil {
		t.Fatal(err)
	}
	var registered bool
	for _, ns := range v.Server.Config.Namespaces.Namespace {
		registered = registered || ns.Name == rotsd.Temporal.Namespace && ns.Retention != ""
	}
	if !v.Server.Config.Namespaces.Create || !registered {
		t.Errorf("namespace %q of rotsd's chart is not registered by Temporal's", rotsd.Temporal.Namespace)
	}
	if !strings.HasPrefix(rotsd.Temporal.Address, "temporal-frontend.temporal.") {
		t.Errorf("rotsd's chart calls Temporal at %q, not the frontend of release temporal in namespace temporal", rotsd.Temporal.Address)
	}
}
