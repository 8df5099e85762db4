package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/devtemporal"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/notify"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// config is rotsd's configuration, from flags and environment variables.
type config struct {
	Mode              string // dev or serve
	Listen            string
	DatabaseURL       string
	LogLevel          string
	Role              string // api, worker, web or all
	TemporalAddress   string
	TemporalNamespace string
	DataDir           string
	DevTemporalPort   int
	SMTP              notify.Mailer
	DeadlineDay       time.Duration
	Auth              auth.Config
	DevIssuer         string        // dev only: where the development token issuer listens
	KeyFile           string        // payload encryption keys
	CodecListen       string        // codec endpoint for the Temporal Web UI; empty: off
	CodecOrigin       string        // the Web UI's origin, allowed by CORS
	ReportThreshold   int           // report counts below it are suppressed
	HealthListen      string        // /healthz and /readyz over HTTP; empty: off
	MetricsListen     string        // /metrics for Prometheus; empty: off
	HTTPListen        string        // the API as JSON over HTTP and /openapi.yaml; empty: off
	ShutdownTimeout   time.Duration // how long a stop waits for calls and tasks in flight
	Web               webConfig
	// Limits bound each caller's calls (internal/ratelimit); zero is none.
	Limits ratelimit.Config
	// ChangeRetention is how long the change feed keeps a change.
	ChangeRetention time.Duration
	// serve only: a secured Temporal cluster, and the namespace.
	TemporalTLS        temporalTLS
	TemporalAPIKey     string
	RegisterNamespace  bool
	NamespaceRetention time.Duration
}

func (c *config) api() bool    { return c.Role == "all" || c.Role == "api" }
func (c *config) worker() bool { return c.Role == "all" || c.Role == "worker" }

// web reports whether this process serves the web application: with the
// role web, or with all when it has an address to listen on.
func (c *config) web() bool { return c.Role == "web" || c.Role == "all" && c.Web.Listen != "" }

// webConfig is the web application's part of the configuration.
type webConfig struct {
	Listen       string // its own address
	BaseURL      string // where people reach it; the links in mails
	API          string // the gRPC API it calls; "" is this process's own
	ClientID     string
	ClientSecret string
	Bearer       string
	IdleTimeout  time.Duration
	Lifetime     time.Duration
}

// loadConfig reads flags, with defaults taken from the environment through
// lookup, and validates the result.
func loadConfig(mode string, args []string, lookup func(string) (string, bool)) (*config, error) {
	env := func(name, def string) string {
		if v, ok := lookup(name); ok {
			return v
		}
		return def
	}
	c := &config{Mode: mode}
	fs := flag.NewFlagSet("rotsd "+mode, flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", env("ROTS_LISTEN", "127.0.0.1:9090"), "gRPC API address (ROTS_LISTEN)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", store.DefaultURL), "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", env("ROTS_LOG_LEVEL", "info"), "debug, info, warn or error (ROTS_LOG_LEVEL)")
	fs.StringVar(&c.Role, "role", env("ROTS_ROLE", "all"), "api, worker, web or all (ROTS_ROLE)")
	webListen, webBase := "", ""
	if mode == "dev" {
		webListen, webBase = "127.0.0.1:8080", "http://localhost:8080"
	}
	fs.StringVar(&c.Web.Listen, "web-listen", env("ROTS_WEB_LISTEN", webListen), "address of the web application; with -role all, empty leaves it off (ROTS_WEB_LISTEN)")
	fs.StringVar(&c.Web.BaseURL, "web-base-url", env("ROTS_WEB_BASE_URL", webBase), "where people reach the web application, e.g. https://rots.vlaanderen.be: the sign-in callback and the links in mails (ROTS_WEB_BASE_URL)")
	fs.StringVar(&c.Web.API, "web-api", env("ROTS_WEB_API", ""), "host:port of the gRPC API the web application calls; empty: this process's own (ROTS_WEB_API)")
	fs.StringVar(&c.Web.ClientID, "web-client-id", env("ROTS_WEB_CLIENT_ID", "rots-web"), "the web application's client ID at the OpenID Connect provider (ROTS_WEB_CLIENT_ID); its secret comes from ROTS_WEB_CLIENT_SECRET")
	fs.StringVar(&c.Web.Bearer, "web-bearer", env("ROTS_WEB_BEARER", "access_token"), "which token of a sign-in the API gets: access_token, or id_token for a provider whose access tokens are not JWTs for -oidc-audience (ROTS_WEB_BEARER)")
	fs.DurationVar(&c.Web.IdleTimeout, "web-idle-timeout", 30*time.Minute, "a web session nobody used for this long ends")
	fs.DurationVar(&c.Web.Lifetime, "web-session-lifetime", 10*time.Hour, "every web session ends after this long, however active")
	c.Web.ClientSecret, _ = lookup("ROTS_WEB_CLIENT_SECRET")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", devtemporal.DefaultNamespace), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.Auth.Issuer, "oidc-issuer", env("ROTS_OIDC_ISSUER", ""), "OpenID Connect issuer whose tokens are accepted; dev: its own issuer (ROTS_OIDC_ISSUER)")
	fs.StringVar(&c.Auth.Audience, "oidc-audience", env("ROTS_OIDC_AUDIENCE", "rots"), "audience the tokens must name (ROTS_OIDC_AUDIENCE)")
	fs.StringVar(&c.Auth.RoleClaim, "oidc-role-claim", env("ROTS_OIDC_ROLE_CLAIM", "rots_role"), "claim with the role (ROTS_OIDC_ROLE_CLAIM)")
	fs.StringVar(&c.Auth.RegionClaim, "oidc-region-claim", env("ROTS_OIDC_REGION_CLAIM", "rots_region"), "claim with the region (ROTS_OIDC_REGION_CLAIM)")
	fs.StringVar(&c.Auth.OrgClaim, "oidc-org-claim", env("ROTS_OIDC_ORG_CLAIM", "rots_org"), "claim with the organisation (ROTS_OIDC_ORG_CLAIM)")
	fs.StringVar(&c.Auth.ACMRolesClaim, "oidc-acm-roles-claim", env("ROTS_OIDC_ACM_ROLES_CLAIM", ""), "claim with ACM/IDM application roles \"RoleName:OrgCode\"; set, it gives the role and organisation instead of -oidc-role-claim and -oidc-org-claim (ROTS_OIDC_ACM_ROLES_CLAIM)")
	acmRoles := fs.String("oidc-acm-roles", env("ROTS_OIDC_ACM_ROLES", ""), "ACM/IDM role names and what they are here: \"RoleName=role[@region],…\", e.g. \"ROTSAanmelder=submitter,ROTSTandemOVL=coordinator@oost-vlaanderen\" (ROTS_OIDC_ACM_ROLES)")
	fs.StringVar(&c.KeyFile, "key-file", env("ROTS_KEY_FILE", ""), "payload encryption keys, lines \"<id> <base64 key>\", newest last; dev: created in -data-dir (ROTS_KEY_FILE)")
	fs.StringVar(&c.CodecListen, "codec-listen", env("ROTS_CODEC_LISTEN", ""), "address of the codec endpoint for the Temporal Web UI, e.g. 127.0.0.1:9092; empty: off (ROTS_CODEC_LISTEN)")
	fs.StringVar(&c.CodecOrigin, "codec-origin", env("ROTS_CODEC_ORIGIN", "http://localhost:8233"), "origin of the Temporal Web UI (ROTS_CODEC_ORIGIN)")
	if mode == "dev" {
		fs.StringVar(&c.DevIssuer, "dev-issuer", env("ROTS_DEV_ISSUER", "127.0.0.1:9091"), "address of the development token issuer (ROTS_DEV_ISSUER)")
		fs.StringVar(&c.DataDir, "data-dir", env("ROTS_DATA_DIR", ".rotsd"), "where the embedded Temporal server keeps its state (ROTS_DATA_DIR)")
		fs.IntVar(&c.DevTemporalPort, "temporal-port", 7233, "port of the embedded Temporal server on 127.0.0.1")
	} else {
		fs.StringVar(&c.TemporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", ""), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
		fs.StringVar(&c.TemporalTLS.CA, "temporal-tls-ca", env("TEMPORAL_TLS_CA", ""), "PEM file of the CA of the Temporal frontend's certificate; TLS on (TEMPORAL_TLS_CA)")
		fs.StringVar(&c.TemporalTLS.Cert, "temporal-tls-cert", env("TEMPORAL_TLS_CERT", ""), "PEM client certificate for mTLS, with -temporal-tls-key (TEMPORAL_TLS_CERT)")
		fs.StringVar(&c.TemporalTLS.Key, "temporal-tls-key", env("TEMPORAL_TLS_KEY", ""), "PEM key of the client certificate (TEMPORAL_TLS_KEY)")
		fs.StringVar(&c.TemporalTLS.ServerName, "temporal-tls-server-name", env("TEMPORAL_TLS_SERVER_NAME", ""), "name in the frontend's certificate, if not its address (TEMPORAL_TLS_SERVER_NAME)")
		fs.BoolVar(&c.RegisterNamespace, "temporal-register-namespace", false, "register -temporal-namespace at start if it does not exist")
		fs.DurationVar(&c.NamespaceRetention, "temporal-namespace-retention", 30*24*time.Hour, "with -temporal-register-namespace: how long Temporal keeps a closed case's (encrypted) history")
		c.TemporalAPIKey, _ = lookup("TEMPORAL_API_KEY")
	}
	fs.Float64Var(&c.Limits.Rate, "rate-limit", 0, "changing calls and change-feed reads a second per caller (token subject), on average; over it RESOURCE_EXHAUSTED with a retry delay (HTTP 429); 0: no limit (ROTS_RATE_LIMIT)")
	fs.IntVar(&c.Limits.Burst, "rate-burst", 20, "with -rate-limit: how many such calls a caller may make at once after a quiet spell (ROTS_RATE_BURST)")
	fs.IntVar(&c.Limits.MaxConcurrent, "max-concurrent-calls", 0, "calls of one caller in flight at once; one more is RESOURCE_EXHAUSTED; 0: no bound (ROTS_MAX_CONCURRENT_CALLS)")
	fs.DurationVar(&c.ChangeRetention, "change-retention", store.ChangesKept, "how long the change feed (ListChanges) keeps a change; an older page token must resync")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "on a stop, how long the API and the worker finish what they have before they cut it off")
	fs.StringVar(&c.MetricsListen, "metrics-listen", env("ROTS_METRICS_LISTEN", ""), "address of /metrics for Prometheus, e.g. 127.0.0.1:9094 (not 9090, the API's); empty: off (ROTS_METRICS_LISTEN)")
	httpListen := ""
	if mode == "dev" {
		httpListen = "127.0.0.1:8081"
	}
	fs.StringVar(&c.HTTPListen, "http-listen", env("ROTS_HTTP_LISTEN", httpListen), "address of the API as JSON over HTTP, with its OpenAPI document at /openapi.yaml; needs the role api or all; empty: off (ROTS_HTTP_LISTEN)")
	fs.StringVar(&c.HealthListen, "health-listen", env("ROTS_HEALTH_LISTEN", ""), "address of /healthz and /readyz over HTTP, e.g. 127.0.0.1:9093; empty: off (ROTS_HEALTH_LISTEN)")
	fs.StringVar(&c.SMTP.Host, "smtp-host", env("ROTS_SMTP_HOST", ""), "SMTP server for notification mail; none sends no mail (ROTS_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", 587, "SMTP port (ROTS_SMTP_PORT)")
	fs.StringVar(&c.SMTP.From, "smtp-from", env("ROTS_SMTP_FROM", "rots@rots.local"), "sender address (ROTS_SMTP_FROM)")
	fs.StringVar(&c.SMTP.TLS, "smtp-tls", env("ROTS_SMTP_TLS", "starttls"), "none, starttls or tls (ROTS_SMTP_TLS)")
	fs.StringVar(&c.SMTP.Username, "smtp-username", env("ROTS_SMTP_USERNAME", ""), "SMTP user (ROTS_SMTP_USERNAME); the password comes from ROTS_SMTP_PASSWORD")
	fs.DurationVar(&c.DeadlineDay, "deadline-day", 0, "make every working day of every deadline this long, e.g. 10s, to watch the ladder (ROTS_DEADLINE_DAY)")
	fs.IntVar(&c.ReportThreshold, "report-threshold", disclosure.DefaultThreshold, fmt.Sprintf("report counts from 1 to this minus one are suppressed; at least %d (ROTS_REPORT_THRESHOLD)", disclosure.MinThreshold))
	c.SMTP.Password, _ = lookup("ROTS_SMTP_PASSWORD")
	var portErr, dayErr, thresholdErr error
	if v, ok := lookup("ROTS_REPORT_THRESHOLD"); ok {
		c.ReportThreshold, thresholdErr = strconv.Atoi(v)
	}
	if v, ok := lookup("ROTS_SMTP_PORT"); ok {
		c.SMTP.Port, portErr = strconv.Atoi(v)
	}
	if v, ok := lookup("ROTS_DEADLINE_DAY"); ok {
		c.DeadlineDay, dayErr = time.ParseDuration(v)
	}
	limitErr := limitsFromEnv(&c.Limits, lookup)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var acmErr error
	if *acmRoles != "" {
		c.Auth.ACMRoles, acmErr = auth.ParseACMRoles(*acmRoles)
	}
	if err := errors.Join(portErr, dayErr, thresholdErr, acmErr, limitErr); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.validate()
}

// limitsFromEnv reads the limits' environment variables, which the flags
// override.
func limitsFromEnv(l *ratelimit.Config, lookup func(string) (string, bool)) error {
	var errs []error
	if v, ok := lookup("ROTS_RATE_LIMIT"); ok {
		var err error
		if l.Rate, err = strconv.ParseFloat(v, 64); err != nil {
			errs = append(errs, fmt.Errorf("ROTS_RATE_LIMIT: %w", err))
		}
	}
	for name, n := range map[string]*int{"ROTS_RATE_BURST": &l.Burst, "ROTS_MAX_CONCURRENT_CALLS": &l.MaxConcurrent} {
		if v, ok := lookup(name); ok {
			var err error
			if *n, err = strconv.Atoi(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// validate reports every problem at once.
func (c *config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen address %q: %w", c.Listen, err))
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		errs = append(errs, errors.New("database URL must look like postgres://user@host:5432/dbname"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: must be debug, info, warn or error", c.LogLevel))
	}
	switch c.Role {
	case "api", "worker", "web", "all":
	default:
		errs = append(errs, fmt.Errorf("role %q: must be api, worker, web or all", c.Role))
	}
	if c.Role == "web" && c.Web.Listen == "" {
		errs = append(errs, errors.New("the role web needs -web-listen"))
	}
	if c.web() {
		if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
			errs = append(errs, fmt.Errorf("web address %q: %w", c.Web.Listen, err))
		}
		if u, err := url.Parse(c.Web.BaseURL); err != nil || u.Host == "" || u.Scheme != "https" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
			errs = append(errs, fmt.Errorf("web base URL %q: must be an https URL (http only on localhost)", c.Web.BaseURL))
		}
		if c.Role == "web" && c.Web.API == "" {
			errs = append(errs, errors.New("the role web needs -web-api, the address of the gRPC API"))
		}
	}
	if c.Auth.ACMRolesClaim != "" && len(c.Auth.ACMRoles) == 0 {
		errs = append(errs, errors.New("-oidc-acm-roles-claim needs -oidc-acm-roles"))
	}
	if c.TemporalNamespace == "" {
		errs = append(errs, errors.New("Temporal namespace is required"))
	}
	if c.Mode == "dev" {
		if c.DataDir == "" {
			errs = append(errs, errors.New("data directory is required"))
		}
		if c.DevTemporalPort < 0 || c.DevTemporalPort > 65535 {
			errs = append(errs, fmt.Errorf("Temporal port %d: out of range", c.DevTemporalPort))
		}
	} else if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil && c.Role != "web" {
		errs = append(errs, fmt.Errorf("Temporal address %q: must be host:port", c.TemporalAddress))
	}
	if c.SMTP.Host != "" {
		errs = append(errs, c.SMTP.Validate())
	}
	if c.Mode == "serve" {
		if u, err := url.Parse(c.Auth.Issuer); err != nil || u.Scheme != "https" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" {
			errs = append(errs, fmt.Errorf("OIDC issuer %q: must be an https URL", c.Auth.Issuer))
		}
	} else if _, _, err := net.SplitHostPort(c.DevIssuer); err != nil {
		errs = append(errs, fmt.Errorf("dev issuer address %q: %w", c.DevIssuer, err))
	}
	if c.Mode == "serve" && c.KeyFile == "" {
		errs = append(errs, errors.New("a key file for payload encryption is required (-key-file)"))
	}
	if c.Auth.Audience == "" {
		errs = append(errs, errors.New("OIDC audience is required"))
	}
	if c.ReportThreshold < disclosure.MinThreshold {
		errs = append(errs, fmt.Errorf("report threshold %d: must be at least %d", c.ReportThreshold, disclosure.MinThreshold))
	}
	if c.HealthListen != "" {
		if _, _, err := net.SplitHostPort(c.HealthListen); err != nil {
			errs = append(errs, fmt.Errorf("health address %q: %w", c.HealthListen, err))
		}
	}
	if c.HTTPListen != "" {
		if _, _, err := net.SplitHostPort(c.HTTPListen); err != nil {
			errs = append(errs, fmt.Errorf("HTTP address %q: %w", c.HTTPListen, err))
		}
	}
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			errs = append(errs, fmt.Errorf("metrics address %q: %w", c.MetricsListen, err))
		}
	}
	if (c.TemporalTLS.Cert == "") != (c.TemporalTLS.Key == "") {
		errs = append(errs, errors.New("a Temporal TLS client certificate needs its key, and a key its certificate (-temporal-tls-cert, -temporal-tls-key)"))
	}
	if c.RegisterNamespace && c.NamespaceRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("namespace retention %s: at least a day", c.NamespaceRetention))
	}
	if c.Limits.Rate < 0 || c.Limits.Burst < 1 || c.Limits.MaxConcurrent < 0 {
		errs = append(errs, fmt.Errorf("limits: -rate-limit %g and -max-concurrent-calls %d must not be negative, -rate-burst %d at least 1", c.Limits.Rate, c.Limits.MaxConcurrent, c.Limits.Burst))
	}
	if c.ChangeRetention < time.Hour {
		errs = append(errs, fmt.Errorf("change retention %s: at least an hour", c.ChangeRetention))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown timeout %s: must be positive", c.ShutdownTimeout))
	}
	if c.DeadlineDay < 0 {
		errs = append(errs, fmt.Errorf("deadline day %s: must not be negative", c.DeadlineDay))
	}
	return errors.Join(errs...)
}

// mailer is the SMTP mailer, or nil when no server is configured.
func (c *config) mailer() *notify.Mailer {
	if c.SMTP.Host == "" {
		return nil
	}
	m := c.SMTP
	return &m
}
