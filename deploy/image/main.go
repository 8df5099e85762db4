// Command image writes rotsd's container image as an OCI image layout (a
// directory), without a Docker engine: one layer with a static rotsd at
// /usr/local/bin/rotsd and an /etc/passwd naming the non-root user 65532,
// nothing else — no shell, no package manager. CI builds it (image_test.go);
// an operator pushes the directory with crane (deploy/README.md).
//
//	CGO_ENABLED=0 go build -o rotsd ./cmd/rotsd
//	go run ./deploy/image -binary rotsd -out rotsd-oci -tag 1.4.0
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's user: 65532, "nonroot" as in the distroless images.
const (
	user       = "65532:65532"
	binaryPath = "usr/local/bin/rotsd"
)

// epoch stamps every file and the config, so that the same binary gives the
// same image digest.
var epoch = time.Unix(0, 0).UTC()

func main() {
	binary := flag.String("binary", "rotsd", "the static rotsd binary (CGO_ENABLED=0 go build)")
	out := flag.String("out", "rotsd-oci", "directory of the OCI image layout to write; must not exist")
	tag := flag.String("tag", "latest", "the image's reference name in the layout's index")
	arch := flag.String("arch", runtime.GOARCH, "the binary's architecture (GOARCH)")
	caCerts := flag.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "the CA certificates (PEM) to trust, from the build host")
	flag.Parse()
	if err := build(*binary, *caCerts, *out, *tag, *arch); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", *out)
}

// build writes the layout of the image holding binary and caCerts into dir.
func build(binary, caCerts, dir, tag, arch string) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists already", dir)
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	certs, err := os.ReadFile(caCerts)
	if err != nil {
		return err
	}
	img, err := image(bin, certs, arch)
	if err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
	}))
}

// image is the one-layer image around bin.
func image(bin, certs []byte, arch string) (v1.Image, error) {
	layerTar, err := rootfs(bin, certs)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, layer)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config = v1.Config{
		User:       user,
		Entrypoint: []string{"/" + binaryPath},
		Cmd:        []string{"serve"},
		WorkingDir: "/",
		Env:        []string{"PATH=/usr/local/bin"},
		Labels: map[string]string{
			"org.opencontainers.image.title":  "rotsd",
			"org.opencontainers.image.source": "https://github.com/rots-vlaanderen/roundtable",
		},
	}
	return mutate.ConfigFile(img, cfg)
}

// rootfs is the layer's tar: the directories, /etc/passwd and /etc/group
// with root and nonroot, the CA certificates where Go looks first, an
// empty /tmp and the binary.
func rootfs(bin, certs []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: epoch})
	}
	file := func(name string, mode int64, body []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	steps := []func() error{
		func() error { return dir("etc", 0o755) },
		func() error {
			return file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"))
		},
		func() error { return file("etc/group", 0o644, []byte("root:x:0:\nnonroot:x:65532:\n")) },
		func() error { return dir("etc/ssl", 0o755) },
		func() error { return dir("etc/ssl/certs", 0o755) },
		func() error { return file("etc/ssl/certs/ca-certificates.crt", 0o644, certs) },
		func() error { return dir("tmp", 0o1777) },
		func() error { return dir("usr", 0o755) },
		func() error { return dir("usr/local", 0o755) },
		func() error { return dir("usr/local/bin", 0o755) },
		func() error { return file(binaryPath, 0o755, bin) },
		tw.Close,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
