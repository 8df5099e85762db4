package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// temporalTLS is how rotsd reaches a secured Temporal cluster: the CA that
// signed the frontend's certificate, and for mTLS the client's
// certificate and key.
type temporalTLS struct {
	CA, Cert, Key, ServerName string
}

func (t temporalTLS) on() bool { return t.CA != "" || t.Cert != "" || t.ServerName != "" }

// temporalConnection is the TLS and credentials of the Temporal client:
// none for a plain cluster (rotsd dev, rotsd temporal); TLS with the given
// CA and, for mTLS, a client certificate; an API key (Temporal Cloud)
// always over TLS.
func temporalConnection(t temporalTLS, apiKey string) (client.ConnectionOptions, client.Credentials, error) {
	var opts client.ConnectionOptions
	if !t.on() && apiKey == "" {
		return opts, nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return opts, nil, fmt.Errorf("Temporal TLS CA: %w", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return opts, nil, fmt.Errorf("Temporal TLS CA %s: no PEM certificate in it", t.CA)
		}
	}
	if t.Cert != "" {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return opts, nil, fmt.Errorf("Temporal TLS client certificate: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	opts.TLS = conf
	var creds client.Credentials
	if apiKey != "" {
		creds = client.NewAPIKeyStaticCredentials(apiKey)
	}
	return opts, creds, nil
}

// registerNamespace registers the namespace with the given retention of
// closed workflows' histories, or leaves it as it is when it exists.
func registerNamespace(ctx context.Context, opts client.Options, retention time.Duration, log *slog.Logger) error {
	nc, err := client.NewNamespaceClient(opts)
	if err != nil {
		return fmt.Errorf("registerNamespace: %w", err)
	}
	defer nc.Close()
	err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        opts.Namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(retention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	switch {
	case errors.As(err, &exists):
		return nil
	case err != nil:
		return fmt.Errorf("registerNamespace(%s): %w", opts.Namespace, err)
	}
	log.Info("Temporal namespace registered", "namespace", opts.Namespace, "retention", retention.String())
	return nil
}
