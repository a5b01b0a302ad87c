// Package gateway is the blog system's single front door: one address that
// routes requests to the services as the course's ingress does for host
// posts.com, so the web client and any course client can use relative URLs.
package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// Backends are the addresses the gateway routes to.
type Backends struct {
	Posts    *url.URL
	Comments *url.URL
	Query    *url.URL
	Client   *url.URL
}

// Route is one rule of the gateway: requests whose path matches Path go to
// Service.
type Route struct {
	// Path is the ingress path, a regular expression matched, as
	// ingress-nginx does with use-regex, case-insensitively against the start
	// of the request path.
	Path    string
	Service string
}

// Routes are the course's ingress rules in the order ingress-nginx tries
// them. ingress-nginx sorts regex locations by path length, longest first,
// which is what makes /posts/{id}/comments reach the comments service
// although /posts would also match it; the catch-all comes last.
var Routes = []Route{
	{Path: "/posts/?(.*)/comments", Service: blog.Comments},
	{Path: "/posts/create", Service: blog.Posts},
	{Path: "/posts", Service: blog.Query},
	{Path: "/?(.*)", Service: blog.Client},
}

type rule struct {
	re    *regexp.Regexp
	name  string
	proxy *httputil.ReverseProxy
}

// Gateway routes each request to the service its path belongs to.
type Gateway struct {
	rules []rule
	log   *slog.Logger
}

// New returns a gateway over the given backends. Every backend must be set.
func New(b Backends, log *slog.Logger) (*Gateway, error) {
	targets := map[string]*url.URL{
		blog.Posts: b.Posts, blog.Comments: b.Comments, blog.Query: b.Query, blog.Client: b.Client,
	}
	g := &Gateway{log: log}
	for _, r := range Routes {
		target := targets[r.Service]
		if target == nil {
			return nil, fmt.Errorf("building the gateway: no address for the %s service", r.Service)
		}
		g.rules = append(g.rules, rule{
			re:    regexp.MustCompile("(?i)^" + r.Path),
			name:  r.Service,
			proxy: g.newProxy(r.Service, target),
		})
	}
	return g, nil
}

// Match returns the service that serves path.
func (g *Gateway) Match(path string) string {
	if r := g.match(path); r != nil {
		return r.name
	}
	return ""
}

func (g *Gateway) match(path string) *rule {
	for i := range g.rules {
		if g.rules[i].re.MatchString(path) {
			return &g.rules[i]
		}
	}
	return nil
}

// ServeHTTP forwards r to the service its path belongs to.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rl := g.match(r.URL.Path)
	if rl == nil {
		// Unreachable with the catch-all in Routes, kept for safety.
		writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
		return
	}
	rl.proxy.ServeHTTP(w, r)
}

func (g *Gateway) newProxy(name string, target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			// Keep the host the client asked for, as an ingress does.
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			g.log.Warn("proxying", "service", name, "method", r.Method, "path", r.URL.Path, "err", err)
			status := http.StatusBadGateway
			if errors.Is(err, http.ErrHandlerTimeout) {
				status = http.StatusGatewayTimeout
			}
			writeError(w, status, fmt.Sprintf("the %s service is not reachable; is it running?", name))
		},
		// Flush at once so that streamed answers (server-sent events, long
		// polls) pass through unbuffered.
		FlushInterval: -1,
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Server returns an HTTP server for h on addr with the timeouts blogctl's
// servers use.
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}
