package workflows

import (
	"context"

	"github.com/rots-vlaanderen/roundtable/store"
)

// Activities carries the dependencies of the case workflow's activities.
type Activities struct {
	DB *store.DB
}

// ProjectTransition writes a stage change and its event to PostgreSQL. It is
// idempotent, so Temporal may retry it freely.
func (a *Activities) ProjectTransition(ctx context.Context, t store.Transition) error {
	return a.DB.ApplyTransition(ctx, t)
}
