// Package web is the Dutch web application of ROTS roundtable: pages
// rendered on the server from embedded templates, for the people on the
// case path, signed in with OpenID Connect.
//
// It is a client of the gRPC API with the signed-in person's token and has
// no access rules of its own: what a page shows is what the API returns to
// that person, and the access log records the reads as for any client.
// Handlers stay thin: read the form, call the API, render. It keeps only
// its sessions itself, in PostgreSQL.
//
// It must not import the services, the workflows or internal/authz.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Config is how the web application is reached and signs people in.
type Config struct {
	// BaseURL is where people reach the application, e.g.
	// https://rots.vlaanderen.be; the sign-in callback and the links in
	// mails start with it.
	BaseURL string
	// Issuer, ClientID and ClientSecret are the application's registration
	// at the OpenID Connect provider.
	Issuer       string
	ClientID     string
	ClientSecret string
	// Bearer is the token the API gets: "access_token" (default) or, for a
	// provider whose access tokens the API cannot verify, "id_token".
	Bearer string
	// IdleTimeout ends a session nobody used for that long; Lifetime ends
	// every session, however active.
	IdleTimeout time.Duration
	Lifetime    time.Duration
}

func (c Config) withDefaults() Config {
	if c.Bearer == "" {
		c.Bearer = "access_token"
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.Lifetime == 0 {
		c.Lifetime = 10 * time.Hour
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var problems []string
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems = append(problems, fmt.Sprintf("web base URL %q must be an absolute http(s) URL", c.BaseURL))
	}
	if c.Issuer == "" {
		problems = append(problems, "the web application needs an OpenID Connect issuer")
	}
	if c.ClientID == "" {
		problems = append(problems, "the web application needs an OpenID Connect client ID")
	}
	if c.Bearer != "" && c.Bearer != "access_token" && c.Bearer != "id_token" {
		problems = append(problems, fmt.Sprintf("web bearer %q must be access_token or id_token", c.Bearer))
	}
	if len(problems) > 0 {
		return fmt.Errorf("web: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Server serves the pages.
type Server struct {
	cfg       Config
	db        *store.DB
	verifier  *auth.Verifier
	log       *slog.Logger
	signIn    *signIn
	pages     *pages
	cases     rotsv1.CaseServiceClient
	tables    rotsv1.ConsultationServiceClient
	directory rotsv1.DirectoryServiceClient
	inbox     rotsv1.NotificationServiceClient
	admin     rotsv1.AdminServiceClient
	reports   rotsv1.ReportServiceClient
	signals   rotsv1.SignalServiceClient
	audit     rotsv1.AuditServiceClient
	practices rotsv1.PracticeServiceClient
	now       func() time.Time
}

// New returns the web application. api is a connection to the gRPC API;
// db keeps the sessions; verifier reads who a token is for, as the API
// does, to greet them and choose their pages.
func New(cfg Config, api grpc.ClientConnInterface, db *store.DB, verifier *auth.Verifier, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web.New: %w", err)
	}
	return &Server{
		cfg: cfg, db: db, verifier: verifier, log: log, pages: p,
		signIn:    newSignIn(cfg),
		cases:     rotsv1.NewCaseServiceClient(api),
		tables:    rotsv1.NewConsultationServiceClient(api),
		directory: rotsv1.NewDirectoryServiceClient(api),
		inbox:     rotsv1.NewNotificationServiceClient(api),
		admin:     rotsv1.NewAdminServiceClient(api),
		reports:   rotsv1.NewReportServiceClient(api),
		signals:   rotsv1.NewSignalServiceClient(api),
		audit:     rotsv1.NewAuditServiceClient(api),
		practices: rotsv1.NewPracticeServiceClient(api),
		now:       time.Now,
	}, nil
}

// Handler is the whole application: the security headers and the refusal
// of cross-site form posts around every route.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	mux.HandleFunc("GET /aanmelden", s.startSignIn)
	mux.HandleFunc("GET /aanmelden/terug", s.finishSignIn)
	mux.HandleFunc("POST /afmelden", s.signOut)
	mux.HandleFunc("GET /afgemeld", s.public("afgemeld", "U bent afgemeld"))
	mux.HandleFunc("GET /verlopen", s.public("verlopen", "Uw sessie is verlopen"))
	mux.HandleFunc("GET /toegankelijkheid", s.public("toegankelijkheid", "Toegankelijkheidsverklaring"))
	mux.HandleFunc("GET /{$}", s.signedIn(s.home))
	s.routes(mux)
	mux.HandleFunc("/", s.signedIn(func(w http.ResponseWriter, r *http.Request, v *visit) {
		s.notFound(w, r, v)
	}))
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin form post refused", "path", routeOf(r))
		s.errorPage(w, r, nil, http.StatusForbidden, "Verzoek geweigerd",
			"Dit formulier kwam niet van ROTS roundtable zelf en is daarom niet verwerkt. Open de pagina opnieuw en probeer nog eens.")
	}))
	return secureHeaders(s.cfg.Issuer, cop.Handler(mux))
}

// routes are the pages of the case path.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /aanmeldingen", s.signedIn(s.myCases))
	mux.HandleFunc("GET /aanmeldingen/nieuw", s.signedIn(s.newCaseForm))
	mux.HandleFunc("POST /aanmeldingen/nieuw", s.signedIn(s.submitCase))
	mux.HandleFunc("GET /werkbak", s.signedIn(s.workQueue))
	// The search is posted: it may be an alias, which stays out of the address.
	mux.HandleFunc("POST /werkbak", s.signedIn(s.workQueue))
	mux.HandleFunc("GET /dossiers/{id}", s.signedIn(s.casePage))
	mux.HandleFunc("POST /dossiers/{id}/{command}", s.signedIn(s.caseCommand))
	mux.HandleFunc("GET /berichten", s.signedIn(s.messages))
	mux.HandleFunc("POST /berichten/{id}/gelezen", s.signedIn(s.markRead))
	// The pages of the other roles, each in its own file.
	s.partnerRoutes(mux)
	s.managerRoutes(mux)
	s.kernkwadrantRoutes(mux)
	s.signalRoutes(mux)
	s.adminRoutes(mux)
	s.auditorRoutes(mux)
	s.practiceRoutes(mux)
}

// home sends each role to where its work is.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *visit) {
	switch v.who.Role {
	case auth.Submitter:
		http.Redirect(w, r, "/aanmeldingen", http.StatusSeeOther)
	case auth.Coordinator:
		http.Redirect(w, r, "/werkbak", http.StatusSeeOther)
	case auth.Partner:
		http.Redirect(w, r, "/tafels", http.StatusSeeOther)
	case auth.Manager:
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	case auth.Admin:
		http.Redirect(w, r, "/beleid", http.StatusSeeOther)
	case auth.Auditor:
		http.Redirect(w, r, "/toegangslog", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/berichten", http.StatusSeeOther)
	}
}

// routeOf is a request's path pattern for logs: the pattern, never the
// path itself, which may hold IDs.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method
}
