package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rots-vlaanderen/roundtable/internal/notify"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// logBuffer is a log that the test reads while rotsd writes it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A normal start of rotsd dev, its stop, a restart on the same data
// directory (Temporal's state there) and a second stop log no error and
// exactly one "rotsd ready" line each, naming where everything listens.
// The embedded Temporal server logs errors with stack traces while it
// starts and stops; they are below info.
func TestStartAndStopLogNoError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	dataDir := t.TempDir()
	temporalPort, err := rotsdproc.FreePortRange(8)
	if err != nil {
		t.Fatal(err)
	}
	healthPort, err := rotsdproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	health := "127.0.0.1:" + strconv.Itoa(healthPort)
	metricsPort, err := rotsdproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := "127.0.0.1:" + strconv.Itoa(metricsPort)
	webPort, err := rotsdproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	webURL := "http://localhost:" + strconv.Itoa(webPort)
	for _, run := range []string{"start", "restart"} {
		cfg, err := loadConfig("dev", []string{"-listen", "127.0.0.1:0", "-dev-issuer", "127.0.0.1:0", "-database-url", dbURL,
			"-data-dir", dataDir, "-temporal-port", strconv.Itoa(temporalPort), "-health-listen", health, "-metrics-listen", metricsAddr,
			"-web-listen", "127.0.0.1:" + strconv.Itoa(webPort), "-web-base-url", webURL, "-http-listen", "127.0.0.1:0"}, lookupIn(nil))
		if err != nil {
			t.Fatal(err)
		}
		logs := runUntilReady(ctx, t, cfg, func() {
			// Live and ready, with PostgreSQL and Temporal answering.
			for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
				code, body := get(t, "http://"+health+path)
				if code != http.StatusOK || body != want {
					t.Errorf("%s: GET %s = %d %q, want 200 %q", run, path, code, body, want)
				}
			}
			if code, body := get(t, webURL+"/toegankelijkheid"); code != http.StatusOK || !strings.Contains(body, "Toegankelijkheidsverklaring") {
				t.Errorf("%s: GET the web application's accessibility statement = %d\n%.300s", run, code, body)
			}
			if code, body := get(t, "http://"+metricsAddr+"/metrics"); code != http.StatusOK || !strings.Contains(body, "rots_metrics_store_up 1") {
				t.Errorf("%s: GET /metrics = %d\n%.300s", run, code, body)
			}
		})
		var ready []map[string]any
		for line := range strings.Lines(logs) {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("%s: not a JSON log line: %q", run, line)
				continue
			}
			switch rec["level"] {
			case "ERROR":
				t.Errorf("%s: logged an error: %s", run, line)
			case "WARN":
				t.Logf("%s: logged a warning: %s", run, line)
			}
			if strings.Contains(line, "stacktrace") {
				t.Errorf("%s: logged a stack trace: %.300s", run, line)
			}
			if rec["msg"] == "rotsd ready" {
				ready = append(ready, rec)
			}
		}
		if len(ready) != 1 {
			t.Fatalf("%s: %d ready lines, want 1:\n%s", run, len(ready), logs)
		}
		for key, want := range map[string]string{"temporal": "127.0.0.1:" + strconv.Itoa(temporalPort), "api": "127.0.0.1:", "issuer": "http://127.0.0.1:",
			"health": "http://" + health, "web": webURL, "http": "http://127.0.0.1:"} {
			if got, _ := ready[0][key].(string); !strings.HasPrefix(got, want) {
				t.Errorf("%s: ready line's %s = %q, want %s…", run, key, got, want)
			}
		}
		if !strings.Contains(logs, `"msg":"rotsd stopped"`) {
			t.Errorf("%s: no \"rotsd stopped\" line:\n%s", run, logs)
		}
	}
}

// runUntilReady runs rotsd with cfg until it logs that it is ready, calls
// whileReady, stops it as Ctrl-C does and returns its log, at the default
// level.
func runUntilReady(ctx context.Context, t *testing.T, cfg *config, whileReady func()) string {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- stopped(runCtx, log, run(runCtx, cfg, log)) }()
	for !strings.Contains(logs.String(), `"msg":"rotsd ready"`) {
		select {
		case err := <-done:
			t.Fatalf("rotsd ended before it was ready: %v\n%s", err, logs)
		case <-ctx.Done():
			t.Fatalf("rotsd not ready: %v\n%s", ctx.Err(), logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	whileReady()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("rotsd stopped with %v\n%s", err, logs)
		}
	case <-time.After(time.Minute):
		t.Fatalf("rotsd did not stop\n%s", logs)
	}
	return logs.String()
}

// The SDK logs every failed activity attempt at ERROR; rotsd lowers it to a
// warning, to debug for a mail the mailer has logged already or an attempt
// cut off by a stopping worker, and passes everything else on.
func TestSDKHandlerLowersActivityErrors(t *testing.T) {
	undelivered := &notify.DeliveryError{Err: errors.New("notify.Send: dial tcp 127.0.0.1:1: connect: connection refused")}
	for _, c := range []struct {
		msg   string
		level slog.Level
		err   error
		want  string // level logged; "" is none
	}{
		{"Activity error.", slog.LevelError, errors.New("store: connection refused"), "WARN"},
		{"Activity error.", slog.LevelError, undelivered, ""},
		{"Activity error.", slog.LevelError, context.Canceled, ""},
		{"Started Worker", slog.LevelInfo, nil, ""},
		{"Workflow panic", slog.LevelError, errors.New("boom"), "ERROR"},
		{"mail not sent", slog.LevelError, errors.New("gave up"), "ERROR"},
	} {
		var b bytes.Buffer
		log := slog.New(sdkHandler{slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelInfo})}).With("component", "temporal-client")
		log.Log(context.Background(), c.level, c.msg, "Error", c.err)
		got := ""
		if b.Len() > 0 {
			var rec map[string]any
			if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			got, _ = rec["level"].(string)
		}
		if got != c.want {
			t.Errorf("%q with %v: logged at %q, want %q", c.msg, c.err, got, c.want)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Not ready while a backend does not answer, and the answer says which;
// alive all the same.
func TestReadyOnlyWhenBackendsAnswer(t *testing.T) {
	ctx := context.Background()
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	db.Close() // PostgreSQL away, as far as this process can tell
	deadPort, err := rotsdproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(deadPort)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	srv := httptest.NewServer(healthHandler(db, tc))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || body != "not ready: postgresql, temporal does not answer\n" {
		t.Errorf("GET /readyz = %d %q", code, body)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
}
