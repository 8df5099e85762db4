package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/rots-vlaanderen/roundtable/internal/devtemporal"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// A plain cluster needs nothing; a CA turns TLS on; a client certificate
// makes it mutual; an API key goes with TLS; broken files are said at
// start.
func TestTemporalConnection(t *testing.T) {
	dir := t.TempDir()
	ca, _ := writeCert(t, dir, "ca")
	cert, key := writeCert(t, dir, "rotsd")

	if opts, creds, err := temporalConnection(temporalTLS{}, ""); err != nil || opts.TLS != nil || creds != nil {
		t.Errorf("plain: TLS %v, credentials %v, %v", opts.TLS, creds, err)
	}
	opts, _, err := temporalConnection(temporalTLS{CA: ca, ServerName: "temporal.rots.internal"}, "")
	if err != nil || opts.TLS == nil || opts.TLS.RootCAs == nil || opts.TLS.ServerName != "temporal.rots.internal" || len(opts.TLS.Certificates) != 0 {
		t.Errorf("TLS with a CA: %+v, %v", opts.TLS, err)
	}
	opts, _, err = temporalConnection(temporalTLS{CA: ca, Cert: cert, Key: key}, "")
	if err != nil || opts.TLS == nil || len(opts.TLS.Certificates) != 1 {
		t.Errorf("mTLS: %+v, %v", opts.TLS, err)
	}
	opts, creds, err := temporalConnection(temporalTLS{}, "secret-key")
	if err != nil || opts.TLS == nil || creds == nil {
		t.Errorf("API key: TLS %v, credentials %v, %v", opts.TLS, creds, err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]temporalTLS{
		"missing CA":  {CA: filepath.Join(dir, "none.pem")},
		"CA not PEM":  {CA: notPEM},
		"key for CA":  {Cert: cert, Key: ca},
		"missing key": {Cert: cert, Key: filepath.Join(dir, "none.pem")},
	} {
		if _, _, err := temporalConnection(tt, ""); err == nil || !strings.Contains(err.Error(), "Temporal TLS") {
			t.Errorf("%s: %v, want an error naming Temporal TLS", name, err)
		}
	}
}

// A client certificate without its key, or a key without its certificate,
// and a health address that is none, are refused with the rest.
func TestLoadConfigTemporalTLSAndHealth(t *testing.T) {
	env := lookupIn(map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "ROTS_OIDC_ISSUER": "https://idp.example", "ROTS_KEY_FILE": "/keys"})
	_, err := loadConfig("serve", []string{"-temporal-tls-cert", "c.pem", "-health-listen", "nine"}, env)
	if err == nil || !strings.Contains(err.Error(), "needs its key") || !strings.Contains(err.Error(), "health address") {
		t.Errorf("error %v, want the certificate without key and the health address", err)
	}
	cfg, err := loadConfig("serve", []string{"-temporal-tls-ca", "ca.pem", "-temporal-register-namespace", "-health-listen", "0.0.0.0:9093"},
		lookupIn(map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "ROTS_OIDC_ISSUER": "https://idp.example", "ROTS_KEY_FILE": "/keys", "TEMPORAL_API_KEY": "k"}))
	if err != nil || cfg.TemporalTLS.CA != "ca.pem" || !cfg.RegisterNamespace || cfg.NamespaceRetention != 30*24*time.Hour ||
		cfg.HealthListen != "0.0.0.0:9093" || cfg.TemporalAPIKey != "k" {
		t.Errorf("config %+v, %v", cfg, err)
	}
}

// With -temporal-register-namespace rotsd registers its namespace on a
// real server, with the retention asked for, and a second start leaves it.
func TestRegisterNamespace(t *testing.T) {
	port, err := rotsdproc.FreePortRange(8)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := devtemporal.Start(devtemporal.Config{DatabaseFile: filepath.Join(t.TempDir(), "t.db"), Namespace: "default", FrontendPort: port,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()
	ctx := context.Background()
	opts := client.Options{HostPort: ts.HostPort, Namespace: "rots-limburg"}
	for range 2 {
		if err := registerNamespace(ctx, opts, 45*24*time.Hour, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	nc, err := client.NewNamespaceClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ns, err := nc.Describe(ctx, "rots-limburg")
	if err != nil {
		t.Fatal(err)
	}
	if got := ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 45*24*time.Hour {
		t.Errorf("retention %s, want 45 days", got)
	}
}

// A stop lets the API finish its calls, but not for ever: a call still
// open after the bound is cut off, and the stop returns.
func TestStopWithinCutsOffWhatOutlastsTheBound(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Watch is a call that stays open until the server ends it.
	watch, err := healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { stopWithin(srv, 100*time.Millisecond); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the stop waited for an open call beyond its bound")
	}
	if _, err := watch.Recv(); err == nil {
		t.Error("the open call was not cut off")
	}
}

// rotsd temporal refuses a persistence it does not have, and shards or a
// port PostgreSQL cannot take, before it starts anything.
func TestRunTemporalRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-persistence", "cassandra"},
		{"-persistence", "postgres", "-history-shards", "0"},
		{"-persistence", "postgres", "-temporal-port", "40000"},
	} {
		if err := runTemporal(context.Background(), args); err == nil {
			t.Errorf("rotsd temporal %v started", args)
		}
	}
}
