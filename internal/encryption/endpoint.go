package encryption

import (
	"context"
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// TokenVerifier checks a bearer token.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (auth.Principal, error)
}

// Endpoint is the codec server the Temporal Web UI calls to show decrypted
// payloads (its "codec endpoint" setting, with "pass the user access token"
// on). It decodes only, and only for an admin or an auditor.
func (c Codec) Endpoint(v TokenVerifier, allowOrigin string) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allowOrigin != "" && r.Header.Get("Origin") == allowOrigin {
			w.Header().Set("Access-Control-Allow-Origin", allowOrigin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
		}
		if r.Method == http.MethodOptions {
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/decode") {
			http.NotFound(w, r)
			return
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, err := v.Verify(r.Context(), token)
		if err != nil {
			http.Error(w, "a valid bearer token is required", http.StatusUnauthorized)
			return
		}
		if p.Role != auth.Admin && p.Role != auth.Auditor {
			http.Error(w, "only an admin or an auditor may decode payloads", http.StatusForbidden)
			return
		}
		inner.ServeHTTP(w, r)
	})
}
