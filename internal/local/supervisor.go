package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/gateway"
	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// Up runs the whole system until ctx ends, then stops it cleanly and returns
// nil. It returns an error, having stopped everything it started, if a
// service cannot start or is not ready in time. A service that exits once
// the system is up is started again after a backoff, or, under RestartNever,
// stops the whole system with an error.
func Up(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	p, err := newPlan(cfg)
	if err != nil {
		return err
	}
	out := &console{w: cfg.ErrOut}

	// One up per data directory: a second would fight over the bus's log.
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Close()

	// Claim the gateway's port first and check the others, so that a taken
	// port is reported before anything starts.
	gwLn, err := net.Listen("tcp", net.JoinHostPort(p.host, strconv.Itoa(p.gateway)))
	if err != nil {
		return fmt.Errorf("listening for the gateway on port %d: %w: "+
			"stop what uses it, or choose another with --gateway-port", p.gateway, err)
	}
	defer gwLn.Close()
	if err := checkPorts(p); err != nil {
		return err
	}
	logDir := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}

	// The addresses are the result: print them first, the gateway on top.
	if err := printEndpoints(cfg, p); err != nil {
		return err
	}

	s := &supervisor{cfg: cfg, plan: p, out: out, logDir: logDir}
	defer s.stopAll()
	return s.run(ctx, gwLn)
}

// checkPorts reports every service port that something already listens on.
func checkPorts(p plan) error {
	var errs []error
	for _, s := range blog.Services {
		port := p.ports[s.Name]
		ln, err := net.Listen("tcp", net.JoinHostPort(p.host, strconv.Itoa(port)))
		if err != nil {
			errs = append(errs, fmt.Errorf("port %d for %s is taken", port, s.Name))
			continue
		}
		ln.Close()
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New("stop what uses them (an earlier \"blogctl up\"?), "+
			"or move every port with --port-base"))
	}
	return errors.Join(errs...)
}

func printEndpoints(cfg Config, p plan) error {
	tw := tabwriter.NewWriter(cfg.Out, 0, 4, 2, ' ', 0)
	for _, ep := range p.endpoints() {
		note := ""
		if ep.Name == GatewayName {
			note = "\topen this in a browser"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", ep.Name, ep.URL, note)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("printing the addresses: %w", err)
	}
	return nil
}

type supervisor struct {
	cfg    Config
	plan   plan
	out    *console
	logDir string
	units  []*unit

	// startedAt is when the system was ready; stateMu orders the writes of
	// the state file.
	startedAt time.Time
	stateMu   sync.Mutex
	stopOnce  sync.Once
}

func (s *supervisor) run(ctx context.Context, gwLn net.Listener) error {
	// Serve the gateway at once; it answers 502 for a service not up yet.
	gw, gwLog, err := s.gateway()
	if err != nil {
		return err
	}
	gctx, stopGateway := context.WithCancel(context.WithoutCancel(ctx))
	var gwErr error
	gwDone := make(chan struct{})
	go func() {
		gwErr = httpapi.Serve(gctx, httpapi.NewServer(gw, nil), gwLn, 5*time.Second)
		close(gwDone)
	}()
	defer func() {
		stopGateway()
		<-gwDone
		gwLog.Close()
	}()

	start := time.Now()
	if err := s.startAll(ctx); err != nil {
		return err
	}
	if err := s.waitAllReady(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		s.out.Printf("stopping the blog system")
		return nil
	}
	s.startedAt = time.Now().UTC()
	if err := s.writeState(); err != nil {
		return err
	}
	// The state file goes once every service has stopped, which is what
	// "blogctl down" waits for.
	defer func() {
		s.stopAll()
		removeState(s.cfg.DataDir)
	}()
	took := time.Since(start).Round(10 * time.Millisecond)
	s.out.Printf("ready in %s; data in %s; press Ctrl-C to stop", took, s.cfg.DataDir)

	fctx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go follow(fctx, event.NewClient(s.plan.url(blog.EventBus), nil), s.out)
	if err := s.watch(ctx, gwDone); err != nil {
		return err
	}
	select {
	case <-gwDone:
		return fmt.Errorf("the gateway stopped: %w", gwErr)
	default:
		return nil
	}
}

// gateway builds the gateway, logging to gateway.log in the logs directory
// and, when verbose, to the console.
func (s *supervisor) gateway() (*gateway.Gateway, io.Closer, error) {
	f, err := os.OpenFile(filepath.Join(s.logDir, GatewayName+".log"),
		os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the gateway's log: %w", err)
	}
	var w io.Writer = f
	if s.cfg.Verbose {
		w = io.MultiWriter(f, &prefixWriter{c: s.out, prefix: "[gateway] "})
	}
	log := slog.New(slog.NewTextHandler(w, nil)).With("service", GatewayName)

	u := func(name string) *url.URL {
		v, _ := url.Parse(s.plan.url(name))
		return v
	}
	g, err := gateway.New(gateway.Backends{
		Posts: u(blog.Posts), Comments: u(blog.Comments), Query: u(blog.Query), Client: u(blog.Client),
	}, log)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return g, f, nil
}

// startAll starts every service in start order, the bus first.
func (s *supervisor) startAll(ctx context.Context) error {
	for _, svc := range blog.Services {
		if ctx.Err() != nil {
			return nil
		}
		c := command{
			binary: s.cfg.Binary,
			name:   svc.Name,
			url:    s.plan.url(svc.Name),
			env:    s.plan.env(svc.Name, s.cfg.DataDir, s.cfg.Words),
		}
		p, err := startProcess(c, s.logDir, s.verbose())
		if err != nil {
			return err
		}
		c.keepLog = true
		s.units = append(s.units, &unit{cmd: c, proc: p})
	}
	return nil
}

// verbose is the console that services' logs are copied to, if any.
func (s *supervisor) verbose() *console {
	if s.cfg.Verbose {
		return s.out
	}
	return nil
}

// procs returns the current process of every service.
func (s *supervisor) procs() []*process {
	ps := make([]*process, 0, len(s.units))
	for _, u := range s.units {
		p, _ := u.current()
		ps = append(ps, p)
	}
	return ps
}

// waitAllReady waits for every service under one deadline and reports every
// one that failed.
func (s *supervisor) waitAllReady(ctx context.Context) error {
	procs := s.procs()
	s.out.Printf("waiting for %d services to be ready (logs in %s)", len(procs), s.logDir)
	wctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	errc := make(chan error, len(procs))
	for _, p := range procs {
		go func() { errc <- p.waitReady(wctx, hc) }()
	}
	var errs []error
	for range procs {
		err := <-errc
		if err != nil && !errors.Is(err, errStopWaiting) {
			errs = append(errs, err)
			cancel() // fail fast: one failure is enough to stop
		}
	}
	switch {
	case ctx.Err() != nil:
		return nil
	case errors.Is(wctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("starting the blog system: not ready within %s (raise --ready-timeout "+
			"if it needs longer): %w", s.cfg.ReadyTimeout, errors.Join(errs...))
	case len(errs) > 0:
		return fmt.Errorf("starting the blog system: %w", errors.Join(errs...))
	}
	return nil
}

// watch keeps every service running until ctx ends or the gateway stops.
// Under RestartNever, a service that stops on its own ends the watch with
// an error. No service is started again once watch has returned.
func (s *supervisor) watch(ctx context.Context, gwDone <-chan struct{}) error {
	kctx, stopKeeping := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stopKeeping()
		wg.Wait()
	}()
	exited := make(chan *process, len(s.units))
	for _, u := range s.units {
		wg.Go(func() { s.keep(kctx, u, exited) })
	}

	select {
	case <-ctx.Done():
		s.out.Printf("stopping the blog system")
		return nil
	case p := <-exited:
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("%s stopped on its own (%v), so the whole system is stopping%s\n"+
			"start it again with \"blogctl up --target local\"", p.name, p.err, p.tail())
	case <-gwDone:
		// The caller reports why.
		return nil
	}
}

// stopAll stops every service at once, each with SIGTERM and then SIGKILL
// after the grace period. Only the first call does anything.
func (s *supervisor) stopAll() {
	s.stopOnce.Do(func() {
		var wg sync.WaitGroup
		procs := s.procs()
		for _, p := range procs {
			wg.Go(func() { p.stop(s.cfg.Grace) })
		}
		wg.Wait()
		if len(procs) > 0 {
			s.out.Printf("stopped")
		}
	})
}
