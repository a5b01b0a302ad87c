// Package local runs the whole blog system on one machine, with no Docker and
// no cluster: a supervisor starts every service as a child process
// "blogctl serve <service>", waits until each is ready, serves the gateway,
// prints one line per blog event, and stops everything on Ctrl-C.
package local

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// Defaults of the local target.
const (
	DefaultHost         = "127.0.0.1"
	DefaultGatewayPort  = 8080
	DefaultReadyTimeout = 60 * time.Second
	DefaultGrace        = 10 * time.Second
)

// Config says how to run the local system.
type Config struct {
	// Binary is the blogctl executable that runs each service.
	Binary string
	// DataDir holds the services' data, their logs and the state file;
	// DefaultDataDir() if empty.
	DataDir string
	// Host is the address every service listens on; DefaultHost if empty.
	Host string
	// PortBase moves every service's port: posts at PortBase, comments at
	// PortBase+1 and so on (see Ports). Zero keeps the standard ports.
	PortBase int
	// GatewayPort is the gateway's port; DefaultGatewayPort if zero.
	GatewayPort int
	// Words are the moderation service's rejected words; empty keeps its
	// default.
	Words string
	// Verbose copies the services' logs to ErrOut, each line prefixed with
	// the service's name.
	Verbose bool
	// ReadyTimeout bounds the wait for every service to be ready.
	ReadyTimeout time.Duration
	// Grace is how long a service may take to stop after SIGTERM before it
	// is killed.
	Grace time.Duration
	// Restart says what to do when a service exits while the system is up;
	// RestartOnFailure if empty.
	Restart RestartPolicy
	// RestartDelay is the wait before the first restart of a service; it
	// doubles with each restart up to MaxRestartDelay, and goes back to
	// RestartDelay once the service has stayed up RestartResetAfter.
	// The defaults are DefaultRestartDelay, DefaultMaxRestartDelay and
	// DefaultRestartResetAfter.
	RestartDelay, MaxRestartDelay, RestartResetAfter time.Duration

	// Out receives the result: the addresses to reach the system.
	Out io.Writer
	// ErrOut receives progress, one line per blog event and warnings.
	ErrOut io.Writer
}

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.Host == "" {
		c.Host = DefaultHost
	}
	if c.GatewayPort == 0 {
		c.GatewayPort = DefaultGatewayPort
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.Restart == "" {
		c.Restart = RestartOnFailure
	}
	if c.RestartDelay <= 0 {
		c.RestartDelay = DefaultRestartDelay
	}
	if c.MaxRestartDelay <= 0 {
		c.MaxRestartDelay = DefaultMaxRestartDelay
	}
	if c.RestartResetAfter <= 0 {
		c.RestartResetAfter = DefaultRestartResetAfter
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.ErrOut == nil {
		c.ErrOut = io.Discard
	}
	return c
}

// DefaultDataDir returns $XDG_DATA_HOME/blogctl/local, or
// ~/.local/share/blogctl/local when XDG_DATA_HOME is not set.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "blogctl", "local")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "blogctl", "local")
	}
	return filepath.Join(home, ".local", "share", "blogctl", "local")
}

// portOffsets place each service relative to --port-base, in the order of
// the standard ports: posts 4000, comments 4001, query 4002, moderation
// 4003, event-bus 4005. The client, whose standard port 3000 lies outside
// that block, comes right after it.
var portOffsets = map[string]int{
	blog.Posts: 0, blog.Comments: 1, blog.Query: 2, blog.Moderation: 3,
	blog.EventBus: 5, blog.Client: 6,
}

// Ports returns each service's port for a port base; zero means the
// standard ports.
func Ports(base int) map[string]int {
	ports := make(map[string]int, len(blog.Services))
	for _, s := range blog.Services {
		ports[s.Name] = s.Port
		if base > 0 {
			ports[s.Name] = base + portOffsets[s.Name]
		}
	}
	return ports
}

// Endpoint is one thing the local system serves, and where.
type Endpoint struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// GatewayName names the gateway among the endpoints.
const GatewayName = "gateway"

// plan is the addresses of one run.
type plan struct {
	host    string
	gateway int
	ports   map[string]int
}

func newPlan(c Config) (plan, error) {
	p := plan{host: c.Host, gateway: c.GatewayPort, ports: Ports(c.PortBase)}
	if _, err := ParseRestartPolicy(string(c.Restart)); err != nil {
		return p, fmt.Errorf("checking --restart: %w", err)
	}
	if c.PortBase < 0 || c.PortBase+portOffsets[blog.Client] > 65535 {
		return p, fmt.Errorf("checking --port-base %d: use a port from 1 to %d", c.PortBase,
			65535-portOffsets[blog.Client])
	}
	if c.GatewayPort < 1 || c.GatewayPort > 65535 {
		return p, fmt.Errorf("checking --gateway-port %d: use a port from 1 to 65535", c.GatewayPort)
	}
	for name, port := range p.ports {
		if port == c.GatewayPort {
			return p, fmt.Errorf("checking ports: the gateway and %s would both use port %d: "+
				"change --gateway-port or --port-base", name, port)
		}
	}
	return p, nil
}

func (p plan) url(name string) string {
	port := p.gateway
	if name != GatewayName {
		port = p.ports[name]
	}
	return fmt.Sprintf("http://%s:%d", p.host, port)
}

// endpoints lists the gateway first, then every service in start order.
func (p plan) endpoints() []Endpoint {
	eps := []Endpoint{{Name: GatewayName, URL: p.url(GatewayName)}}
	for _, s := range blog.Services {
		eps = append(eps, Endpoint{Name: s.Name, URL: p.url(s.Name)})
	}
	return eps
}

// env returns the environment that configures service name, on top of the
// supervisor's own.
func (p plan) env(name, dataDir, words string) []string {
	env := append(os.Environ(),
		"BLOGCTL_HOST="+p.host,
		fmt.Sprintf("BLOGCTL_PORT=%d", p.ports[name]),
		"BLOGCTL_DATA_DIR="+filepath.Join(dataDir, name),
		"BLOGCTL_EVENT_BUS_URL="+p.url(blog.EventBus),
	)
	if name == blog.EventBus {
		env = append(env, "BLOGCTL_SUBSCRIBERS="+p.subscribers())
	}
	if words != "" {
		env = append(env, "BLOGCTL_WORDS="+words)
	}
	return env
}

func (p plan) subscribers() string {
	var s string
	for _, svc := range blog.Services {
		if !svc.Subscribes {
			continue
		}
		if s != "" {
			s += ","
		}
		s += p.url(svc.Name) + "/events"
	}
	return s
}
