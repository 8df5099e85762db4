package encryption_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/encryption"
)

// The codec endpoint decodes for an admin or auditor token only.
func TestEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is, issuer, err := devissuer.Serve(l, "rots", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	defer issuer.Close()
	url := is.URL

	keys, err := encryption.ParseKeyring([]byte(encryption.NewKeyLine("k1")))
	if err != nil {
		t.Fatal(err)
	}
	codec := encryption.Codec{Keys: keys}
	p, err := codec.DataConverter().ToPayload("Jorre")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"payloads": []map[string]any{{"metadata": p.GetMetadata(), "data": p.GetData()}}})
	srv := httptest.NewServer(codec.Endpoint(auth.NewVerifier(auth.Config{Issuer: url, Audience: "rots"}), ""))
	defer srv.Close()

	token := func(role, region string) string {
		tok, err := is.Token(devissuer.Claims{Subject: "x", Role: role, Region: region}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name, path, token string
		want              int
	}{
		{"no token", "/decode", "", http.StatusUnauthorized},
		{"coordinator", "/decode", token("coordinator", "limburg"), http.StatusForbidden},
		{"auditor", "/decode", token("auditor", "vlaanderen"), http.StatusOK},
		{"encode is not offered", "/encode", token("admin", "vlaanderen"), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+tt.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, out)
			}
			// "Jorre" as JSON is "\"Jorre\"", base64 IkpvcnJlIg==.
			if tt.want == http.StatusOK && !strings.Contains(string(out), "IkpvcnJlIg==") {
				t.Errorf("decoded body %s lacks the plain payload", out)
			}
		})
	}
}
