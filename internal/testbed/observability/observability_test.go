// Package observability runs rotsd as processes with traces exported to
// an OTLP receiver of its own and /metrics on, walks a case with seeded
// personal data through its stages, and checks that a stage command is one
// trace from the gRPC call to PostgreSQL, that no span and no metric shows
// the personal data, and that the dashboards and alerts of
// deploy/monitoring use only metrics rotsd serves.
package observability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// bin is the rotsd binary, built once for the package.
var bin string

// TestMain builds rotsd. It does not wait for rotsdproc.Exclusive: its
// one cluster carries a couple of cases and measures nothing, and a wait
// behind the fault tests and the benchmark would spend go test's ten
// minutes.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rotsd-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	bin, err = rotsdproc.Build(ctx, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The seeded personal data: none of it may leave rotsd in a span or a
// metric.
const (
	alias       = "Zoë Q."
	contactName = "Griet Vanoverbekeq"
	email       = "griet.vanoverbekeq@vclb-limburg.test"
	school      = "Sint-Ursulaschool Lierq"
	blocked     = "Weigert al maanden de schoolpoort doorq"
	question    = "Is het zorgteam van Lierq al betrokken?"
	answer      = "Ja, sinds de herfstvakantie bij Lierq"
	advice      = "Start een NAFT-traject in Lierq"
	closingNote = "Terug op school na de krokusq"
)

var seeded = []string{alias, contactName, email, school, blocked, question, answer, advice, closingNote,
	"Zoë", "Vanoverbekeq", "Sint-Ursula", "schoolpoort", "Lierq"}

func seededCase() *rotsv1.SubmitCaseRequest {
	req := rotsdproc.SampleCase(uuid.NewString())
	req.Contact = &rotsv1.ContactPerson{Name: contactName, Email: email}
	req.YoungPerson.Alias, req.YoungPerson.School = alias, school
	req.Blocked = blocked
	return req
}

// TestObservability walks two cases with traces and metrics on; its
// subtests check the traces, the metrics and deploy/monitoring.
func TestObservability(t *testing.T) {
	rec := startReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+rec.Addr)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100") // ms: spans reach the receiver at once
	t.Setenv("ROTS_METRICS_LISTEN", "127.0.0.1:0")
	ctx := context.Background()
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	// A working day of a second: the case left at intake escalates.
	cl, err := rotsdproc.StartCluster(ctx, rotsdproc.Options{Bin: bin, Dir: t.TempDir(), DatabaseURL: dbURL, DeadlineDay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range []*rotsdproc.Proc{cl.API, cl.Worker} {
				t.Logf("%s errors logged:\n%s", p.Name, p.Errors(10))
			}
		}
		cl.Close()
	})
	conn, err := cl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cases := rotsv1.NewCaseServiceClient(conn)
	clb := rotsdproc.WithToken(ctx, cl.Token(auth.Submitter, "limburg", rotsdproc.SampleOrg))
	tandem := rotsdproc.WithToken(ctx, cl.Token(auth.Coordinator, "limburg", ""))

	// One case through its stages; another left at intake to escalate.
	sub, err := cases.SubmitCase(clb, seededCase())
	if err != nil {
		t.Fatal(err)
	}
	name := sub.GetCase().GetName()
	steps := []func() error{
		func() error {
			_, err := cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name,
				Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION, Question: question})
			return err
		},
		func() error {
			_, err := cases.AnswerQuestion(clb, &rotsv1.AnswerQuestionRequest{RequestId: uuid.NewString(), Name: name, Answer: answer})
			return err
		},
		func() error {
			_, err := cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name,
				Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
			return err
		},
		func() error {
			_, err := cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: name,
				Advice: advice, Decision: rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY})
			return err
		},
		func() error {
			_, err := cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: name})
			return err
		},
		func() error {
			_, err := cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: name,
				Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL, Note: closingNote})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	// Refused calls: their statuses and the spans' errors hold no value
	// of the request either.
	invalid := seededCase()
	invalid.Contact.Email = contactName // not an address
	if _, err := cases.SubmitCase(clb, invalid); err == nil {
		t.Error("a submission with a name for an address was taken")
	}
	if _, err := cases.AnswerQuestion(clb, &rotsv1.AnswerQuestionRequest{RequestId: uuid.NewString(), Name: name, Answer: answer}); err == nil {
		t.Error("an answer to a closed case was taken")
	}
	waiting, err := cases.SubmitCase(clb, seededCase())
	if err != nil {
		t.Fatal(err)
	}
	caseIDs := []string{strings.TrimPrefix(name, "cases/"), strings.TrimPrefix(waiting.GetCase().GetName(), "cases/")}

	apiMetrics, workerMetrics := metricsURL(t, cl.API), metricsURL(t, cl.Worker)
	var scraped string
	eventually.Until(t, 2*time.Minute, func() (bool, string) {
		scraped = scrape(t, apiMetrics) + scrape(t, workerMetrics)
		return strings.Contains(scraped, "rots_escalations_total{"), "no escalation counted yet"
	})

	var trace []span
	eventually.Until(t, time.Minute, func() (bool, string) {
		trace = commandTrace(rec.spans())
		return trace != nil, "no trace yet from a stage command's gRPC call to PostgreSQL"
	})

	t.Run("trace", func(t *testing.T) {
		root := trace[0]
		if root.Service != "rotsd-api" || root.Kind != tracepb.Span_SPAN_KIND_SERVER {
			t.Errorf("the trace's root is %s of %s (%s), want the API's gRPC server span", root.Name, root.Service, root.Kind)
		}
		if db := trace[len(trace)-1]; db.Service != "rotsd-worker" {
			t.Errorf("the query %s was sent by %s, want the worker", db.Name, db.Service)
		}
		for _, s := range trace[1:] {
			if !bytes.Equal(s.TraceId, root.TraceId) {
				t.Errorf("span %s is in trace %x, its root in %x", s.Name, s.TraceId, root.TraceId)
			}
		}
		t.Logf("a stage command, root to query:\n%s", printTree(rec.spans(), root))
	})
	t.Run("no personal data in spans", func(t *testing.T) {
		raw := rec.rawRequests()
		if len(raw) == 0 {
			t.Fatal("no spans received")
		}
		// The scan sees what spans carry: a method, a statement.
		all := bytes.Join(raw, nil)
		for _, seen := range []string{"rots.v1.CaseService/SubmitCase", "db.query.text", "INSERT INTO access_log"} {
			if !bytes.Contains(all, []byte(seen)) {
				t.Errorf("no exported span holds %q", seen)
			}
		}
		for _, b := range raw {
			for _, secret := range seeded {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("an exported span holds %q: %s", secret, context200(b, secret))
				}
			}
		}
		t.Logf("%d spans in %d requests scanned", len(rec.spans()), len(raw))
	})
	t.Run("no personal data in metrics", func(t *testing.T) {
		for _, secret := range append(slices.Clone(seeded), caseIDs...) {
			if strings.Contains(scraped, secret) {
				t.Errorf("/metrics shows %q", secret)
			}
		}
		t.Logf("/metrics of the API and the worker, in part:\n%s", excerpt(scraped))
		for _, want := range []string{"rots_rpc_requests_total{", "rots_access_log_append_seconds_count", "rots_mail_failures_total",
			"rots_escalations_total{", "temporal_request_total",
			// RotsWorkerMissing watches this one.
			`temporal_worker_task_slots_available{activity_type="none",client_name="temporal_go",namespace="default",task_queue="rots-cases",worker_type="WorkflowWorker"`} {
			if !strings.Contains(scraped, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("observed", func(t *testing.T) {
		// The reads and commands appended to the access log, and an
		// escalation fired, through the store's and the activities' hooks.
		for _, name := range []string{"rots_access_log_append_seconds_count", "rots_escalations_total"} {
			if total(scraped, name) == 0 {
				t.Errorf("%s is 0", name)
			}
		}
	})
	t.Run("monitoring", func(t *testing.T) { checkMonitoring(t, sampleNames(scraped)) })
}

// commandTrace is a chain of spans from a stage command's gRPC server
// span through the workflow update and an activity to a PostgreSQL query,
// each the parent of the next; nil when there is none yet.
func commandTrace(spans []span) []span {
	byID := map[string]span{}
	for _, s := range spans {
		byID[string(s.SpanId)] = s
	}
	for _, s := range spans {
		if !strings.HasPrefix(s.Name, "postgresql") {
			continue
		}
		chain := []span{s}
		for p := s; len(p.ParentSpanId) > 0; {
			parent, ok := byID[string(p.ParentSpanId)]
			if !ok || !bytes.Equal(parent.TraceId, p.TraceId) {
				break
			}
			chain = append([]span{parent}, chain...)
			p = parent
		}
		if isStageCommand(chain[0].Name) && has(chain, "HandleUpdate:") && has(chain, "RunActivity:") {
			return chain
		}
	}
	return nil
}

func isStageCommand(name string) bool {
	for _, m := range []string{"DecideIntake", "AnswerQuestion", "RecordConsult", "CloseCase"} {
		if name == "rots.v1.CaseService/"+m {
			return true
		}
	}
	return false
}

func has(chain []span, prefix string) bool {
	return slices.ContainsFunc(chain, func(s span) bool { return strings.HasPrefix(s.Name, prefix) })
}

// printTree is the root's trace as an indented list with each span's
// service and duration, for the docs.
func printTree(spans []span, root span) string {
	children := map[string][]span{}
	for _, s := range spans {
		if bytes.Equal(s.TraceId, root.TraceId) {
			children[string(s.ParentSpanId)] = append(children[string(s.ParentSpanId)], s)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s\n", hex.EncodeToString(root.TraceId))
	var walk func(s span, depth int)
	walk = func(s span, depth int) {
		d := time.Duration(s.EndTimeUnixNano - s.StartTimeUnixNano)
		statement := ""
		if q := stringAttr(s.Attributes, "db.query.text"); q != "" {
			statement = ": " + strings.Join(strings.Fields(q), " ")
			statement = statement[:min(len(statement), 70)]
		}
		fmt.Fprintf(&b, "%s- %s (%s) %.1f ms%s\n", strings.Repeat("  ", depth), s.Name, s.Service, float64(d.Microseconds())/1000, statement)
		kids := children[string(s.SpanId)]
		slices.SortFunc(kids, func(a, b span) int { return int(a.StartTimeUnixNano>>10) - int(b.StartTimeUnixNano>>10) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	walk(root, 0)
	return b.String()
}

func context200(b []byte, s string) string {
	i := bytes.Index(b, []byte(s))
	return fmt.Sprintf("%q", b[max(0, i-100):min(len(b), i+len(s)+100)])
}

// metricsURL is where a process serves /metrics, from its ready line.
func metricsURL(t *testing.T, p *rotsdproc.Proc) string {
	t.Helper()
	f, err := os.Open(p.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	url := ""
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Metrics string `json:"metrics"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "rotsd ready" {
			url = line.Metrics
		}
	}
	if url == "" {
		t.Fatalf("%s logged no metrics address", p.Name)
	}
	return url
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// sampleNames is the set of sample names of a scrape (a histogram's
// _bucket, _sum and _count each).
func sampleNames(scraped string) map[string]bool {
	names := map[string]bool{}
	for line := range strings.Lines(scraped) {
		if line == "" || line[0] == '#' {
			continue
		}
		name, _, _ := strings.Cut(line, " ")
		name, _, _ = strings.Cut(name, "{")
		names[name] = true
	}
	return names
}

// excerpt is a line of each metric family of a scrape (a histogram's
// count), one of a stage command or of the case workflow where there is
// one, for the docs.
func excerpt(scraped string) string {
	var b strings.Builder
	lines := map[string]string{}
	var families []string
	for line := range strings.Lines(scraped) {
		name, _, _ := strings.Cut(line, " ")
		name, _, _ = strings.Cut(name, "{")
		if line[0] == '#' || strings.HasSuffix(name, "_bucket") || strings.HasSuffix(name, "_sum") ||
			!strings.HasPrefix(name, "rots_") && !strings.HasPrefix(name, "temporal_") {
			continue
		}
		preferred := strings.Contains(line, "DecideIntake") || strings.Contains(line, "WorkflowWorker") || strings.Contains(line, "ProjectTransition")
		if _, ok := lines[name]; !ok {
			families = append(families, name)
			lines[name] = line
		} else if preferred {
			lines[name] = line
		}
	}
	for _, f := range families {
		b.WriteString(lines[f])
	}
	return b.String()
}

// total is the sum of the samples of a name in a scrape.
func total(scraped, name string) float64 {
	var sum float64
	for line := range strings.Lines(scraped) {
		sample, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if n, _, _ := strings.Cut(sample, "{"); !ok || n != name {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(value, &v); err == nil {
			sum += v
		}
	}
	return sum
}
