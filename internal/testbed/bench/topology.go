package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// The topologies a scenario runs on: the development server (rotsd
// temporal on its SQLite file, one history shard, one API, one worker), and
// the production one (rotsd temporal on PostgreSQL with 16 history shards,
// two APIs called round robin, two workers), as TestProductionTopology
// runs it.
const (
	dev        = "dev"
	production = "production"
)

var topologies = []string{dev, production}

// options are the cluster's options on a topology; temporalDB is the
// Temporal server's database, when it has one.
func topologyOptions(o rotsdproc.Options, topology, temporalDB string) rotsdproc.Options {
	if topology == production {
		o.TemporalPostgres, o.HistoryShards, o.APIs, o.Workers = temporalDB, 16, 2, 2
	}
	return o
}

// temporalDatabase names a database for a Temporal server on PostgreSQL
// (the server creates it and its _visibility twin) and returns a function
// that drops both.
func temporalDatabase() (string, func(), error) {
	server, err := url.Parse(storetest.ServerURL())
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("rots_bench_temporal_%d", time.Now().UnixNano())
	u := *server
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server.String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: drop:", err)
			return
		}
		defer conn.Close(ctx)
		for _, db := range []string{name, name + "_visibility"} {
			if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
				fmt.Fprintln(os.Stderr, "bench: drop:", err)
			}
		}
	}
	return u.String(), drop, nil
}
