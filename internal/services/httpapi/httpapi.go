// Package httpapi is the HTTP plumbing shared by the blog system's services:
// handlers that return errors to one adapter, which maps them to statuses
// and JSON answers {"error": "..."} and logs each once; a request body limit;
// CORS for any origin; /healthz and /readyz; and a server that shuts down
// gracefully when its context ends.
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// DefaultMaxBody is the default limit of a request body: 1 MiB.
const DefaultMaxBody = 1 << 20

// HandlerFunc is an HTTP handler that returns its error instead of writing
// it. It must not have written anything when it returns an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Options configure a Router.
type Options struct {
	// Logger receives error logs and, at debug level, one line per request.
	Logger *slog.Logger
	// MaxBody limits request bodies; zero means DefaultMaxBody.
	MaxBody int64
	// CORS allows cross-origin requests from any origin, as the browser
	// client needs.
	CORS bool
	// Ready reports whether the service is ready to serve, for /readyz; nil
	// means always ready. Its error is shown to the caller.
	Ready func() error
}

// Router routes requests to handlers, with the shared behaviour of every
// service around them.
type Router struct {
	mux  *http.ServeMux
	opts Options
	log  *slog.Logger
}

// NewRouter returns a router with /healthz and /readyz, which answers a
// request no handler claims with a JSON 404, or 405 when another method
// would have matched.
func NewRouter(opts Options) *Router {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt := &Router{mux: http.NewServeMux(), opts: opts, log: log}
	rt.Handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		return WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	rt.Handle("GET /readyz", rt.ready)
	return rt
}

// Handle registers h for pattern, in http.ServeMux syntax
// ("POST /posts/{id}/comments").
func (rt *Router) Handle(pattern string, h HandlerFunc) {
	rt.mux.Handle(pattern, rt.Adapt(h))
}

// Adapt turns h into an http.Handler that answers h's error as JSON with
// the status Status picks, and logs it once: server errors at error level,
// client errors at info level.
func (rt *Router) Adapt(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status, msg := Status(err)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		rt.log.Log(r.Context(), level, "request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		_ = WriteJSON(w, status, map[string]string{"error": msg})
	})
}

func (rt *Router) ready(w http.ResponseWriter, r *http.Request) error {
	if rt.opts.Ready != nil {
		if err := rt.opts.Ready(); err != nil {
			return WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		}
	}
	return WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// ServeHTTP applies CORS and the body limit, logs the request at debug
// level, and routes it.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt.opts.CORS && cors(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, rt.opts.MaxBody)
	if !rt.log.Enabled(r.Context(), slog.LevelDebug) {
		rt.route(w, r)
		return
	}
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rt.route(rec, r)
	rt.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", rec.status), slog.Duration("took", time.Since(start)))
}

// route serves r with the handler of the route it matches, or answers in
// JSON that none does.
func (rt *Router) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.mux.Handler(r); pattern != "" {
		rt.mux.ServeHTTP(w, r)
		return
	}
	rt.Adapt(rt.noRoute).ServeHTTP(w, r)
}

// noRoute lets the mux answer into a recorder, which tells a 404 from a
// 405 and the methods allowed, and returns that as an error.
func (rt *Router) noRoute(w http.ResponseWriter, r *http.Request) error {
	rec := &statusRecorder{ResponseWriter: headerOnly{http.Header{}}}
	rt.mux.ServeHTTP(rec, r)
	if rec.status != http.StatusMethodNotAllowed {
		return NotFound("no route for %s %s", r.Method, r.URL.Path)
	}
	allow := rec.Header().Get("Allow")
	w.Header().Set("Allow", allow)
	return &Error{
		Status:  http.StatusMethodNotAllowed,
		Message: fmt.Sprintf("%s %s is not allowed; use %s", r.Method, r.URL.Path, allow),
	}
}

// headerOnly is a ResponseWriter that keeps headers and drops the body.
type headerOnly struct{ h http.Header }

func (w headerOnly) Header() http.Header         { return w.h }
func (w headerOnly) Write(b []byte) (int, error) { return len(b), nil }
func (w headerOnly) WriteHeader(int)             {}

// cors sets the CORS headers for any origin and answers a preflight, in
// which case it returns true.
func cors(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "Content-Type")
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
