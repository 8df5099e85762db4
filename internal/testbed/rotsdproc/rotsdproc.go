// Package rotsdproc runs rotsd as real child processes — the embedded
// Temporal server (`rotsd temporal`), the API and the worker (`rotsd
// serve`) — so that fault tests can kill and restart each of them and
// benchmarks can measure them apart.
package rotsdproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles rotsd into dir and returns the binary's path. It runs the
// go command from the module's root, so the build cache serves.
func Build(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("rotsdproc.Build: finding the module: %w", err)
	}
	bin := filepath.Join(dir, "rotsd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rotsd")
	cmd.Dir = strings.TrimSpace(string(out))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("rotsdproc.Build: %w\n%s", err, out)
	}
	return bin, nil
}

// Proc is one child process, restartable with the same arguments. Its
// standard error (rotsd's JSON log) is appended to a file.
type Proc struct {
	Name    string
	bin     string
	args    []string
	LogFile string
	cmd     *exec.Cmd
	exited  chan struct{}
	// logFrom is where the latest run's log begins.
	logFrom int64
}

// Start starts bin with args; the log goes to dir/name.log.
func Start(bin, dir, name string, args ...string) (*Proc, error) {
	p := &Proc{Name: name, bin: bin, args: args, LogFile: filepath.Join(dir, name+".log")}
	return p, p.start()
}

func (p *Proc) start() error {
	log, err := os.OpenFile(p.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	if st, err := log.Stat(); err == nil {
		p.logFrom = st.Size()
	}
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	// Its own process group: a Ctrl-C of the test does not reach it first.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		cmd.Wait()
		close(exited)
	}(p.cmd, p.exited)
	return nil
}

// Running reports whether the process has not exited.
func (p *Proc) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Kill sends SIGKILL, as a crash would, and waits for the process to go.
func (p *Proc) Kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the process to shut down gracefully and kills it after 20
// seconds.
func (p *Proc) Stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.Kill()
	}
}

// Restart starts the process again with the same arguments; it must have
// exited.
func (p *Proc) Restart() error {
	if p.Running() {
		return fmt.Errorf("restart %s: still running", p.Name)
	}
	return p.start()
}

// Pid is the process id of the latest run, for reading its /proc.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// RSS is the process's resident memory in bytes, from /proc.
func (p *Proc) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// WaitLog waits until the process's latest run logs s.
func (p *Proc) WaitLog(ctx context.Context, s string) error {
	return p.waitUntil(ctx, fmt.Sprintf("logging %q", s), 50*time.Millisecond, func() error {
		if b, _ := os.ReadFile(p.LogFile); int64(len(b)) >= p.logFrom && bytes.Contains(b[p.logFrom:], []byte(s)) {
			return nil
		}
		return errors.New("not logged yet")
	})
}

// waitUntil calls ready every interval until it returns nil; it fails when
// the process exits first or ctx ends, with the log's tail.
func (p *Proc) waitUntil(ctx context.Context, what string, every time.Duration, ready func() error) error {
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if !p.Running() {
			return fmt.Errorf("%s exited before %s:\n%s", p.Name, what, p.Tail(2000))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not %s: %w\n%s", p.Name, what, errors.Join(err, ctx.Err()), p.Tail(2000))
		case <-time.After(every):
		}
	}
}

// Tail is the last n bytes of the log, for failure messages.
func (p *Proc) Tail(n int) string {
	b, _ := os.ReadFile(p.LogFile)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// Errors is the log's first n lines at level ERROR, for failure messages:
// the tail often holds only what came after.
func (p *Proc) Errors(n int) string {
	b, _ := os.ReadFile(p.LogFile)
	var lines []string
	for line := range strings.Lines(string(b)) {
		if len(lines) < n && strings.Contains(line, `"level":"ERROR"`) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "")
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreePortRange returns the first of n consecutive free ports: the
// embedded Temporal server takes eight from its frontend port on.
func FreePortRange(n int) (int, error) {
	return freeRange(n, func() (int, error) {
		first, err := FreePort()
		if first+n > 65535 {
			return 0, errors.New("range past the last port")
		}
		return first, err
	})
}

// freeLowPortRange returns the first of n consecutive free ports below
// 32768: a Temporal server on PostgreSQL keeps its members' ports as
// SMALLINT.
func freeLowPortRange(n int) (int, error) {
	return freeRange(n, func() (int, error) { return 10000 + rand.IntN(22000), nil })
}

// freeRange tries first ports from pick until the n from one on are free.
func freeRange(n int, pick func() (int, error)) (int, error) {
	for range 100 {
		first, err := pick()
		if err != nil {
			continue
		}
		free := true
		for port := first; port < first+n && free; port++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return first, nil
		}
	}
	return 0, fmt.Errorf("no range of %d free ports found", n)
}

// Exclusive waits until no other process on this machine holds the
// cluster lock, and takes it. The fault tests and the benchmark each run
// clusters that load both cores; run side by side (go test runs packages
// in parallel) they would measure each other.
func Exclusive() (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "rotsdproc.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
