package web

import (
	"log/slog"
	"net/http"
	"time"
)

// PageHeaders sets the security headers of customer pages. Links carry
// credentials in their path, so nothing is cached or sent as a referrer.
func PageHeaders(next http.Handler) http.Handler {
	return PageHeadersWith("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", next)
}

// PageHeadersWith sets the pages' security headers with csp as their
// Content-Security-Policy (the dashboard's allows its own stylesheet).
func PageHeadersWith(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		setCommon(h)
		next.ServeHTTP(w, r)
	})
}

// APIHeaders sets the headers of the JSON API.
func APIHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCommon(w.Header())
		next.ServeHTTP(w, r)
	})
}

// setCommon sets what pages and API responses share: no sniffing, no
// caching (they hold personal data), HTTPS only.
func setCommon(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer beneath, so that a
// streamed response (a CSV export) can flush as it goes.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Log writes one line per request: method, route pattern (never the path,
// which may hold a token or an email address), status and duration.
func Log(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		slog.InfoContext(r.Context(), "request", "method", r.Method, "route", r.Pattern,
			"status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}
