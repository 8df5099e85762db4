package metrics_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/metrics"
)

// The activities' and the store's observations and the Temporal SDK's
// metrics reach the scrape under their names.
func TestObservers(t *testing.T) {
	m := metrics.New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.Escalated("intake", 2)
	m.Escalated("intake", 2)
	m.MailFailed()
	m.AccessLogAppended(3 * time.Millisecond)
	sdk := m.TemporalHandler().WithTags(map[string]string{"namespace": "default", "worker_type": "WorkflowWorker"})
	sdk.Counter("temporal_request").Inc(3)
	sdk.Gauge("temporal_worker_task_slots_available").Update(5)
	sdk.Timer("temporal_workflow_task_schedule_to_start_latency").Record(20 * time.Millisecond)
	out := scrape(t, m)
	for _, want := range []string{
		`rots_escalations_total{kind="intake",rung="2"} 2`,
		`rots_mail_failures_total 1`,
		`rots_access_log_append_seconds_bucket{le="0.005"} 1`,
		`temporal_request_total{namespace="default",worker_type="WorkflowWorker"} 3`,
		`temporal_worker_task_slots_available{namespace="default",worker_type="WorkflowWorker"} 5`,
		`temporal_workflow_task_schedule_to_start_latency_seconds_bucket{namespace="default",worker_type="WorkflowWorker",le="0.025"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	if strings.Contains(out, "otel_scope") || strings.Contains(out, "target_info") {
		t.Errorf("the scrape has OpenTelemetry's scope or target labels:\n%s", out)
	}
}
