package devtemporal

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/log/tag"
)

// The server's own log is lowered: nothing of it above debug while it
// starts or stops, its errors warnings while it runs — except those that
// say a service is unavailable for a moment — and no stack traces.
func TestServerLogLowersLevels(t *testing.T) {
	notHealthy := serviceerror.NewUnavailable("Frontend is not healthy yet")
	noHosts := serviceerror.NewUnavailable("Not enough hosts to serve the request")
	for _, c := range []struct {
		phase int32
		log   func(l *serverLog)
		want  string // level logged at debug; "" is none
	}{
		{starting, func(l *serverLog) { l.Error("service failures", tag.Error(notHealthy)) }, "DEBUG"},
		{starting, func(l *serverLog) { l.Error("unexpected", tag.Error(errors.New("disk full"))) }, "DEBUG"},
		{running, func(l *serverLog) { l.Error("service failures", tag.Error(notHealthy)) }, "DEBUG"},
		{running, func(l *serverLog) {
			l.Error("Failed to check Nexus endpoints ownership", tag.Error(errors.Join(errors.New("cannot resolve"), noHosts)))
		}, "DEBUG"},
		{running, func(l *serverLog) { l.Error("persistence", tag.Error(errors.New("disk full"))) }, "WARN"},
		{running, func(l *serverLog) { l.Warn("HTTP API port has not been set") }, "DEBUG"},
		{running, func(l *serverLog) { l.Info("Frontend is now healthy") }, "DEBUG"},
		{running, func(l *serverLog) { l.Debug("Quota changed") }, ""},
		{running, func(l *serverLog) { l.DPanic("invariant broken") }, "ERROR"},
		{stopping, func(l *serverLog) { l.Error("error fetching user data from parent", tag.Error(errors.New("closed"))) }, "DEBUG"},
	} {
		var b bytes.Buffer
		l := newServerLog(slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})))
		l.phase.Store(c.phase)
		c.log(l.With(tag.NewStringTag("component", "matching-engine")).(*serverLog))
		got := ""
		if b.Len() > 0 {
			var rec map[string]any
			if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			got, _ = rec["level"].(string)
			if rec["component"] != "matching-engine" {
				t.Errorf("line %s lost the logger's tags", b.String())
			}
			if strings.Contains(b.String(), "stacktrace") {
				t.Errorf("line %s has a stack trace", b.String())
			}
		}
		if got != c.want {
			t.Errorf("phase %d: %s logged at %q, want %q", c.phase, b.String(), got, c.want)
		}
	}
}

// An error tag becomes its message, other tags their values.
func TestServerLogTags(t *testing.T) {
	var b bytes.Buffer
	l := newServerLog(slog.New(slog.NewJSONHandler(&b, nil)))
	l.phase.Store(running)
	l.Error("persistence", tag.Error(errors.New("disk full")), tag.ShardID(3), tag.NewStringTag("wf-namespace", "default"))
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["error"] != "disk full" || rec["shard-id"] != float64(3) || rec["wf-namespace"] != "default" || rec["msg"] != "persistence" {
		t.Errorf("line = %s", b.String())
	}
}
