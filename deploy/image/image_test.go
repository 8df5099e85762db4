package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// The image built from a static rotsd is read back from its OCI layout: it
// runs as a non-root user, holds no shell, and its binary is a static rotsd
// that runs.
func TestImage(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "rotsd")
	gobuild := exec.Command("go", "build", "-trimpath", "-o", bin, "../../cmd/rotsd")
	gobuild.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := gobuild.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	oci := filepath.Join(dir, "oci")
	if err := build(bin, "/etc/ssl/certs/ca-certificates.crt", oci, "test", runtime.GOARCH); err != nil {
		t.Fatal(err)
	}

	p, err := layout.FromPath(oci)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "test" {
		t.Fatalf("index %+v: want one image named test", im.Manifests)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Config.User; u == "" || u == "0" || u == "root" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root:") {
		t.Errorf("user %q: runs as root", u)
	}
	if got := strings.Join(cfg.Config.Entrypoint, " "); got != "/usr/local/bin/rotsd" {
		t.Errorf("entrypoint %q", got)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cfg.OS, cfg.Architecture)
	}

	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var binary, certs []byte
	var mode int64
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(h.Name, "./")
			switch base := filepath.Base(name); {
			case base == "sh" || base == "bash" || base == "busybox" || strings.HasPrefix(name, "bin/"):
				t.Errorf("the image holds %s: no shell wanted", name)
			case name == "etc/ssl/certs/ca-certificates.crt":
				if certs, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
			case name == "usr/local/bin/rotsd":
				mode = h.Mode
				if binary, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
			}
		}
		rc.Close()
	}
	if binary == nil {
		t.Fatal("no /usr/local/bin/rotsd in the image")
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(certs) {
		t.Error("no CA certificates in the image: rotsd could not verify its identity provider")
	}
	if mode&0o111 != 0o111 || mode&0o022 != 0 {
		t.Errorf("rotsd's mode %o: want executable by all, writable by its owner only", mode)
	}
	// Static: no program interpreter, so it runs without a libc.
	f, err := elf.NewFile(bytes.NewReader(binary))
	if err != nil {
		t.Fatal(err)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Error("rotsd in the image is dynamically linked")
		}
	}
	extracted := filepath.Join(dir, "extracted-rotsd")
	if err := os.WriteFile(extracted, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	// With no subcommand rotsd prints its usage and exits 1.
	out, _ := exec.Command(extracted).CombinedOutput()
	if !strings.Contains(string(out), "usage: rotsd dev|serve|") {
		t.Errorf("the image's rotsd printed %q, not rotsd's usage", out)
	}
	// The subcommand the chart's Deployments run knows the flags they pass.
	out, _ = exec.Command(extracted, "serve", "-role", "api", "-health-listen", ":9093", "-h").CombinedOutput()
	if !strings.Contains(string(out), "-metrics-listen") {
		t.Errorf("rotsd serve -h printed %q", out)
	}
}
