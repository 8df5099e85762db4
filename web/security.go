package web

import (
	"net/http"
	"net/url"
)

// secureHeaders sets, on every response, a Content-Security-Policy that
// allows no inline script and no other origin but the identity provider's
// for forms (the sign-out form is redirected there), refuses framing and
// content sniffing, keeps the address of a page out of other sites'
// referrers, and keeps pages with personal data out of caches.
func secureHeaders(issuer string, next http.Handler) http.Handler {
	formAction := "'self'"
	if u, err := url.Parse(issuer); err == nil && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
		"form-action " + formAction + "; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if len(r.URL.Path) < 8 || r.URL.Path[:8] != "/static/" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
