package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/rots-vlaanderen/roundtable/internal/notify"
)

// sdkHandler is the Temporal SDK client's and worker's log handler: it
// lowers the SDK's known-noisy lines and passes the rest on unchanged.
//
//   - "Activity error." is one failed attempt, logged by the SDK at ERROR
//     for every attempt of every retry. A retried attempt is a warning; the
//     workflow logs the failure that counts, when the retries give up. A
//     mail not delivered is debug here: the mailer has logged it as a
//     warning already (notify.DeliveryError). An attempt canceled because
//     the worker stops is debug.
//   - "Started Worker" and "Stopped Worker" are debug: rotsd says when it is
//     ready.
type sdkHandler struct{ slog.Handler }

func (h sdkHandler) Handle(ctx context.Context, r slog.Record) error {
	if level := sdkLevel(r); level != r.Level {
		if !h.Handler.Enabled(ctx, level) {
			return nil
		}
		r.Level = level
	}
	return h.Handler.Handle(ctx, r)
}

func (h sdkHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return sdkHandler{h.Handler.WithAttrs(attrs)}
}

func (h sdkHandler) WithGroup(name string) slog.Handler {
	return sdkHandler{h.Handler.WithGroup(name)}
}

// sdkLevel is the level a line of the SDK's is logged at.
func sdkLevel(r slog.Record) slog.Level {
	switch r.Message {
	case "Started Worker", "Stopped Worker":
		return min(r.Level, slog.LevelDebug)
	case "Activity error.":
		var err error
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "Error" {
				err, _ = a.Value.Any().(error)
				return false
			}
			return true
		})
		var undelivered *notify.DeliveryError
		if errors.As(err, &undelivered) || errors.Is(err, context.Canceled) {
			return min(r.Level, slog.LevelDebug)
		}
		return min(r.Level, slog.LevelWarn)
	}
	return r.Level
}
