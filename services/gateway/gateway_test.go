package gateway_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rots-vlaanderen/roundtable/services/gateway"
)

// newGateway is the handler in front of a gRPC address where nothing
// listens: a call that reaches the gRPC client answers 503 (UNAVAILABLE),
// one the gateway stops itself answers otherwise.
func newGateway(t *testing.T) http.Handler {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	h, err := gateway.New(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Every operation of the document has a handler: none answers the
// gateway's 404 for a route it does not know.
func TestEveryOperationIsServed(t *testing.T) {
	h := newGateway(t)
	var doc openapi2.T
	if err := openapi2.UnmarshalFromData(gateway.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range doc.Paths {
		for method, op := range item.Operations() {
			var body *bytes.Reader
			if method != http.MethodGet {
				body = bytes.NewReader([]byte("{}"))
			} else {
				body = bytes.NewReader(nil)
			}
			req := httptest.NewRequest(method, param.ReplaceAllString(path, "x"), body)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("%s (%s %s) = %d %s, want 503 from the unreachable API", op.OperationID, method, path, rec.Code, rec.Body)
			}
		}
	}
}

// The document needs no token; a body over the bound is refused before any
// call.
func TestOpenAPIServedAndBodiesBounded(t *testing.T) {
	h := newGateway(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), gateway.OpenAPI) || !strings.Contains(rec.Header().Get("Content-Type"), "yaml") {
		t.Errorf("GET /openapi.yaml = %d %q, %d bytes", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
	}
	big := `{"blocked":"` + strings.Repeat("x", gateway.MaxBodyBytes) + `"}`
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/cases", strings.NewReader(big)))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("POST /v1/cases with %d bytes = %d %s, want 400", len(big), rec.Code, rec.Body)
	}
}
