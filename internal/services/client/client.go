// Package client is the blog system's web client: a page of plain HTML, CSS
// and JavaScript embedded in the binary, served by "blogctl serve client".
// The page calls the services through relative URLs, so it works behind the
// gateway of "blogctl up --target local" and behind the Kubernetes ingress
// alike.
package client

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/blogctl/blogctl/internal/services/httpapi"
)

//go:embed static
var static embed.FS

// contentPolicy forbids inline scripts and any source but the page's own
// origin: even if user content reached the page as markup, it could not run.
const contentPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// Assets returns the page's files: index.html, app.js and style.css.
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has a static directory
	}
	return sub
}

// Handler serves the page, with /healthz and /readyz.
func Handler(log *slog.Logger) http.Handler {
	return handler(log, 0)
}

func handler(log *slog.Logger, maxBody int64) http.Handler {
	rt := httpapi.NewRouter(httpapi.Options{Logger: log, MaxBody: maxBody})
	files := http.FileServerFS(Assets())
	rt.Handle("GET /", func(w http.ResponseWriter, r *http.Request) error {
		h := w.Header()
		h.Set("Content-Security-Policy", contentPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// Revalidate each time, so a new binary's page is seen at once.
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
		return nil
	})
	return rt
}

// Config configures the client's server.
type Config struct {
	// Addr is the address to listen on, ":3000" by default.
	Addr string
	// MaxBody limits request bodies; zero means httpapi.DefaultMaxBody.
	MaxBody int64
	Logger  *slog.Logger
}

// Run serves the page on cfg.Addr until ctx ends, then shuts down
// gracefully.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Info("serving the web client", "addr", cfg.Addr)
	if err := httpapi.ListenAndServe(ctx, cfg.Addr, handler(log, cfg.MaxBody), log); err != nil {
		return fmt.Errorf("running the web client: %w", err)
	}
	log.Info("web client stopped")
	return nil
}
