package rotsdproc

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// olderReadyLine is what a rotsd from before ReadyLine logged once its
// worker polled.
const olderReadyLine = `"msg":"worker started"`

// StartWorker starts one more worker, of bin (an older or newer rotsd
// than the cluster's, for a rolling upgrade), with the cluster's settings,
// and waits until it polls. Close stops it with the others.
func (c *Cluster) StartWorker(ctx context.Context, bin string) (*Proc, error) {
	w, err := Start(bin, c.opts.Dir, numbered("worker", len(c.Workers)), c.serve("worker", "127.0.0.1:0")...)
	if err != nil {
		return nil, err
	}
	c.Workers = append(c.Workers, w)
	if len(c.Workers) == 1 {
		c.Worker = w
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		err := w.waitUntil(ctx, "polling", 50*time.Millisecond, func() error {
			if w.logged(ReadyLine) || w.logged(olderReadyLine) {
				return nil
			}
			return errors.New("not ready yet")
		})
		// An older rotsd's worker exits when the namespace, registered a
		// moment ago, has not reached every Temporal service yet; started
		// again, as systemd's Restart=on-failure does, it finds it. (The
		// tree's rotsd waits for it itself.)
		if err == nil || w.Running() || !w.logged("is not found") || ctx.Err() != nil {
			return w, err
		}
		time.Sleep(time.Second)
		if err := w.Restart(); err != nil {
			return w, err
		}
	}
}

// logged reports whether the latest run has logged s so far.
func (p *Proc) logged(s string) bool {
	b, _ := os.ReadFile(p.LogFile)
	return int64(len(b)) >= p.logFrom && bytes.Contains(b[p.logFrom:], []byte(s))
}

// StartAPI starts one more API, of bin, and waits until it serves; Dial
// does not know it: dial its address.
func (c *Cluster) StartAPI(ctx context.Context, bin string) (*Proc, string, error) {
	port, err := FreePort()
	if err != nil {
		return nil, "", err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	api, err := Start(bin, c.opts.Dir, numbered("api", len(c.APIs)), c.serve("api", addr)...)
	if err != nil {
		return nil, "", err
	}
	c.APIs, c.APIAddrs = append(c.APIs, api), append(c.APIAddrs, addr)
	return api, addr, c.WaitAPI(ctx)
}

// Web is the web application as a process of its own (rotsd serve -role
// web).
type Web struct {
	*Proc
	// URL is where people reach it; HealthURL serves /healthz and /readyz.
	URL, HealthURL string
}

// WebClientID is the client ID the web application signs in with at the
// development issuer, which checks no client secret.
const WebClientID = "rots-web"

// StartWeb starts the web application as a process of its own, a client
// of the API at api, signing people in at the cluster's development
// issuer, and waits until it is ready. Its client secret comes from
// ROTS_WEB_CLIENT_SECRET in this process's environment, as in production.
func (c *Cluster) StartWeb(ctx context.Context, api string) (*Web, error) {
	ports := make([]string, 2)
	for i := range ports {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	web := &Web{URL: "http://" + ports[0], HealthURL: "http://" + ports[1]}
	args := append(c.serve("web", "127.0.0.1:0"), "-web-listen", ports[0], "-web-base-url", web.URL,
		"-web-api", api, "-web-client-id", WebClientID, "-health-listen", ports[1])
	p, err := Start(c.opts.Bin, c.opts.Dir, numbered("web", len(c.webs)), args...)
	if err != nil {
		return nil, err
	}
	c.webs, web.Proc = append(c.webs, p), p
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return web, p.WaitLog(ctx, ReadyLine)
}

// Wait waits until the process exits and returns its exit code.
func (p *Proc) Wait(ctx context.Context) (int, error) {
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode(), nil
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

// Terminate sends SIGTERM, as systemd's stop does, and does not wait.
func (p *Proc) Terminate() error { return p.cmd.Process.Signal(syscall.SIGTERM) }

// KeyFile is the payload keys the cluster's processes share: a cluster on
// a restored backup needs the same.
func (c *Cluster) KeyFile() string { return filepath.Join(c.opts.Dir, "payload-keys") }
