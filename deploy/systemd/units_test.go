// Package systemd holds the unit files of a one-host installation; its
// test checks them with systemd-analyze verify against a real rotsd.
package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every unit passes systemd-analyze verify, with ExecStart pointing at a
// rotsd built from this tree, and starts rotsd with a subcommand it has.
func TestUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is missing; .ci/run installs systemd")
		}
		t.Skip("systemd-analyze is not installed here (CI installs it)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rotsd")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/rotsd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	units, err := filepath.Glob("*.service")
	if err != nil || len(units) != 4 {
		t.Fatalf("units %v, %v; want four", units, err)
	}
	for _, unit := range units {
		b, err := os.ReadFile(unit)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "/usr/local/bin/rotsd", bin)
		name := strings.Replace(unit, "@.service", "@9190.service", 1)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		// verify complains of what the host lacks (the rots user, the
		// env files); the unit's own mistakes are what must not appear.
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line == "" || strings.Contains(line, "/etc/rots/") || strings.Contains(line, "Failed to resolve user") {
				continue
			}
			t.Errorf("%s: %s", unit, line)
		}
		if err != nil && len(out) == 0 {
			t.Errorf("%s: %v", unit, err)
		}
		for _, sub := range []string{" temporal ", " serve "} {
			if strings.Contains(text, "ExecStart="+bin+sub) {
				args := strings.Fields(strings.SplitN(text[strings.Index(text, "ExecStart="+bin)+len("ExecStart="+bin):], "\n", 2)[0])
				if out, err := exec.Command(bin, append(args, "-h")...).CombinedOutput(); err != nil && !strings.Contains(string(out), "Usage") {
					t.Errorf("%s: rotsd %v -h: %v\n%s", unit, args, err, out)
				}
			}
		}
	}
}
