package main

import (
	"strings"
	"testing"
	"time"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) { v, ok := env[name]; return v, ok }
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig("dev", []string{"-listen", "127.0.0.1:9999"}, lookupIn(map[string]string{
		"DATABASE_URL": "postgres://rots@db:5432/rots", "ROTS_DEADLINE_DAY": "10s", "ROTS_SMTP_HOST": "mail", "ROTS_SMTP_PORT": "1025", "ROTS_SMTP_TLS": "none",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" || cfg.DatabaseURL != "postgres://rots@db:5432/rots" || cfg.DeadlineDay != 10*time.Second ||
		cfg.mailer() == nil || cfg.mailer().Port != 1025 || cfg.Role != "all" || cfg.DataDir != ".rotsd" {
		t.Errorf("config = %+v", cfg)
	}
}

// Every problem is reported at once.
func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := loadConfig("serve", []string{"-role", "both", "-log-level", "loud"}, lookupIn(map[string]string{
		"DATABASE_URL": "mysql://x", "ROTS_SMTP_HOST": "mail", "ROTS_SMTP_TLS": "maybe", "ROTS_OIDC_ISSUER": "http://idp.example",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"database URL", "log level", "role", "Temporal address", "SMTP TLS", "OIDC issuer", "key file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// The report threshold defaults to 10, comes from the environment or a
// flag, and is never below 5.
func TestLoadConfigReportThreshold(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		env     map[string]string
		want    int
		wantErr bool
	}{
		{want: 10},
		{env: map[string]string{"ROTS_REPORT_THRESHOLD": "20"}, want: 20},
		{args: []string{"-report-threshold", "15"}, env: map[string]string{"ROTS_REPORT_THRESHOLD": "20"}, want: 15},
		{args: []string{"-report-threshold", "4"}, wantErr: true},
		{env: map[string]string{"ROTS_REPORT_THRESHOLD": "ten"}, wantErr: true},
	} {
		cfg, err := loadConfig("dev", tt.args, lookupIn(tt.env))
		switch {
		case tt.wantErr && err == nil:
			t.Errorf("%v %v: no error", tt.args, tt.env)
		case !tt.wantErr && err != nil:
			t.Errorf("%v %v: %v", tt.args, tt.env, err)
		case !tt.wantErr && cfg.ReportThreshold != tt.want:
			t.Errorf("%v %v: threshold %d, want %d", tt.args, tt.env, cfg.ReportThreshold, tt.want)
		}
	}
}

// The web application runs in rotsd dev at 127.0.0.1:8080; in serve only
// with an address, and the role web needs the API's; its base URL is https
// outside localhost; the ACM/IDM mapping is checked at start.
func TestLoadConfigWeb(t *testing.T) {
	serveEnv := map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "ROTS_OIDC_ISSUER": "https://idp.example", "ROTS_KEY_FILE": "/keys"}
	dev, err := loadConfig("dev", nil, lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !dev.web() || dev.Web.Listen != "127.0.0.1:8080" || dev.Web.BaseURL != "http://localhost:8080" {
		t.Errorf("dev web = %+v, on %v", dev.Web, dev.web())
	}
	serve, err := loadConfig("serve", nil, lookupIn(serveEnv))
	if err != nil {
		t.Fatal(err)
	}
	if serve.web() {
		t.Error("rotsd serve -role all starts the web application without -web-listen")
	}
	webEnv := map[string]string{"ROTS_OIDC_ISSUER": "https://idp.example", "ROTS_KEY_FILE": "/keys"} // no Temporal: the web calls the API
	web, err := loadConfig("serve", []string{"-role", "web", "-web-listen", ":8080", "-web-base-url", "https://rots.vlaanderen.be", "-web-api", "api:9090",
		"-oidc-acm-roles-claim", "iv_rots_rol_3d", "-oidc-acm-roles", "ROTSTandemOVL=coordinator@oost-vlaanderen"}, lookupIn(webEnv))
	if err != nil {
		t.Fatal(err)
	}
	if !web.web() || web.api() || web.worker() || web.Auth.ACMRoles["ROTSTandemOVL"].Role != "coordinator" {
		t.Errorf("role web: web %v api %v worker %v, ACM roles %v", web.web(), web.api(), web.worker(), web.Auth.ACMRoles)
	}
	for _, bad := range [][]string{
		{"-role", "web"}, // no address
		{"-role", "web", "-web-listen", ":8080", "-web-base-url", "https://rots.vlaanderen.be"},                        // no API
		{"-role", "web", "-web-listen", ":8080", "-web-base-url", "http://rots.vlaanderen.be", "-web-api", "api:9090"}, // http
		{"-oidc-acm-roles", "ROTSTandemOVL=chef"},
		{"-oidc-acm-roles-claim", "iv_rots_rol_3d"},
	} {
		if _, err := loadConfig("serve", bad, lookupIn(serveEnv)); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
