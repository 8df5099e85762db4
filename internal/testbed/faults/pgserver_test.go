package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// pgServer is a PostgreSQL server of the test's own, in a temporary
// directory: one it may crash and start again, which the machine's shared
// server, that other tests use, must never be.
type pgServer struct {
	bin, data, logFile string
	port               int
	cred               *syscall.Credential // the postgres OS user, when this test runs as root
}

// postgresBin is the directory of Debian's PostgreSQL programs, the newest
// version installed.
func postgresBin() (string, error) {
	dirs, err := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if err != nil || len(dirs) == 0 {
		return "", fmt.Errorf("no /usr/lib/postgresql/<version>/bin/initdb (%v)", err)
	}
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

// startPGServer initialises a cluster in a temporary directory and starts
// it on a free loopback port with trust authentication; the test's end
// stops it and removes the directory. Without PostgreSQL's programs it
// skips, and fails with CI=true.
func startPGServer(t *testing.T) *pgServer {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("PostgreSQL's server programs are not installed here: %v", err)
	}
	s := &pgServer{bin: bin}
	dir, err := os.MkdirTemp("", "rots-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// initdb refuses to run as root: the cluster belongs to postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.data, s.logFile = filepath.Join(dir, "data"), filepath.Join(dir, "server.log")
	if s.port, err = rotsdproc.FreePort(); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run("initdb", "-D", s.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.run("pg_ctl", "stop", "-D", s.data, "-m", "fast", "-w") })
	return s
}

// run runs one of PostgreSQL's programs as the cluster's owner.
func (s *pgServer) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = "/"
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// start starts the server on its data directory and waits until it takes
// connections (after a crash: until its recovery is done).
func (s *pgServer) start() error {
	// Enough connections for a Temporal server with 16 shards, two APIs
	// and two workers; the socket in the data directory, not /run.
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c max_connections=300", s.port, s.data)
	if out, err := s.run("pg_ctl", "start", "-D", s.data, "-l", s.logFile, "-w", "-t", "120", "-o", opts); err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	return nil
}

// crash stops the server as a crash would: every backend killed at once,
// no checkpoint, so the next start recovers from the write-ahead log.
func (s *pgServer) crash() error {
	if out, err := s.run("pg_ctl", "stop", "-D", s.data, "-m", "immediate", "-w"); err != nil {
		return fmt.Errorf("pg_ctl stop -m immediate: %v\n%s", err, out)
	}
	return nil
}

// url is the URL of a database on the server.
func (s *pgServer) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// createDatabase creates an empty database on the server.
func (s *pgServer) createDatabase(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return s.url(name)
}
