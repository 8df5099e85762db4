package devtemporal

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// levelTrace is below slog's debug: the server's own debug log, which no
// -log-level shows.
const levelTrace = slog.LevelDebug - 4

// Phases of the server, for its logger.
const (
	starting int32 = iota
	running
	stopping
)

// serverLog is the Temporal server's logger on top of rotsd's slog logger.
// The embedded server is chatty, and while it starts and stops it logs
// errors, with stack traces, for its services waiting on each other
// ("Frontend is not healthy yet", "Not enough hosts to serve the request"):
// an ordinary start or stop, not rotsd's errors. So its debug is dropped,
// its info and warnings are debug, and its errors are warnings — or debug
// while it starts or stops, or when they say a service is unavailable for a
// moment. Stack traces are dropped.
type serverLog struct {
	log *slog.Logger
	// phase is shared by every logger derived with With.
	phase *atomic.Int32
}

var _ log.Logger = (*serverLog)(nil)
var _ log.WithLogger = (*serverLog)(nil)

func newServerLog(l *slog.Logger) *serverLog {
	return &serverLog{log: l, phase: new(atomic.Int32)}
}

func (l *serverLog) Debug(msg string, tags ...tag.Tag) { l.emit(levelTrace, msg, tags) }
func (l *serverLog) Info(msg string, tags ...tag.Tag)  { l.emit(slog.LevelDebug, msg, tags) }
func (l *serverLog) Warn(msg string, tags ...tag.Tag)  { l.emit(slog.LevelDebug, msg, tags) }
func (l *serverLog) Error(msg string, tags ...tag.Tag) {
	level := slog.LevelWarn
	if l.phase.Load() != running || transient(tags) {
		level = slog.LevelDebug
	}
	l.emit(level, msg, tags)
}

// DPanic, Panic and Fatal are the server's real errors.
func (l *serverLog) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }
func (l *serverLog) Panic(msg string, tags ...tag.Tag) {
	l.emit(slog.LevelError, msg, tags)
	panic(msg)
}
func (l *serverLog) Fatal(msg string, tags ...tag.Tag) {
	l.emit(slog.LevelError, msg, tags)
	os.Exit(1)
}

// With returns a logger that adds the tags to every line.
func (l *serverLog) With(tags ...tag.Tag) log.Logger {
	return &serverLog{log: l.log.With(attrs(tags)...), phase: l.phase}
}

func (l *serverLog) emit(level slog.Level, msg string, tags []tag.Tag) {
	if !l.log.Enabled(context.Background(), level) {
		return // before converting the tags: most lines go nowhere
	}
	l.log.Log(context.Background(), level, msg, attrs(tags)...)
}

// transient reports whether an error logged with tags is one the server
// recovers from by itself: a service or host not (yet, or no longer)
// there, or a call canceled.
func transient(tags []tag.Tag) bool {
	for _, t := range tags {
		err, ok := tagError(t)
		if !ok {
			continue
		}
		var unavailable *serviceerror.Unavailable
		if errors.As(err, &unavailable) || errors.Is(err, context.Canceled) {
			return true
		}
	}
	return false
}

// tagError is the error a tag holds (tag.Error), if any.
func tagError(t tag.Tag) (error, bool) {
	var v any
	if zt, ok := t.(tag.ZapTag); ok {
		v = zt.Field().Interface // the error itself; Value would be its message
	} else {
		v = t.Value()
	}
	err, ok := v.(error)
	return err, ok && err != nil
}

// attrs converts the server's tags to slog arguments; an error becomes its
// message.
func attrs(tags []tag.Tag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		if t.Key() == "" {
			continue // zap.Skip
		}
		if err, ok := tagError(t); ok {
			out = append(out, slog.String(t.Key(), err.Error()))
			continue
		}
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}
