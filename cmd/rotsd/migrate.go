package main

import (
	"context"
	"fmt"
)

// migrate applies the application database's pending migrations and exits:
// a deployment runs it once per release (the Helm chart's pre-upgrade Job)
// before the new processes start. rotsd serve migrates at start too, under
// the same lock, so running it is never required for correctness.
func migrate(ctx context.Context, args []string) error {
	db, err := openStore(ctx, "migrate", args)
	if err != nil {
		return err
	}
	db.Close()
	fmt.Println("database migrated")
	return nil
}
