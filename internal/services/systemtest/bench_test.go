package systemtest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// benchEnv turns on the full TestThroughput; benchWritesEnv and
// benchClientsEnv change its number of writes and of clients.
const (
	benchEnv        = "BLOGCTL_BENCH"
	benchWritesEnv  = "BLOGCTL_BENCH_WRITES"
	benchClientsEnv = "BLOGCTL_BENCH_CLIENTS"
)

// TestThroughput is the documented benchmark (see the package doc): 16
// clients write posts and comments, a third of the comments rejected,
// against separate serve processes. It reports writes per second, write
// latency, and the time until the query service shows the final state,
// and fails if anything acknowledged is lost or stored twice.
//
// Its figures mean something only on an otherwise idle machine and
// without the race detector, so it makes 40,000 writes only with
// BLOGCTL_BENCH=1. Otherwise it makes 2,000, as a check that nothing is
// lost or doubled under concurrent load.
func TestThroughput(t *testing.T) {
	writes, clients := benchSize(t)
	s := startSystem(t)
	l := load{Clients: clients, Writes: writes / clients, CommentsPerPost: 3}
	before := selfCPU(t)
	r := l.run(context.Background(), s)
	clientCPU := selfCPU(t) - before
	if r.failures > 0 {
		t.Errorf("%d writes failed, last: %v", r.failures, r.lastErr)
	}
	converged := waitConverged(t, s, r, time.Minute)
	counts := checkLog(t, s)

	// Time a restart of the query service, which rebuilds its view from
	// the whole log before it is ready. Its CPU time is left out.
	if err := s.stop(blog.Query); err != nil {
		t.Errorf("stopping query: %v", err)
	}
	cpu := maps.Clone(s.cpu)
	restart := time.Now()
	s.start(blog.Query)
	s.waitReady(blog.Query)
	replay := time.Since(restart)
	for _, name := range services {
		if err := s.stop(name); err != nil {
			t.Errorf("stopping %s: %v", name, err)
		}
		if name != blog.Query {
			cpu[name] = s.cpu[name]
		}
	}

	report := r.report(clients) + fmt.Sprintf(`query converged    %s after the last write
events in the log  %v
query restart      ready %s after its start, the log replayed
`, converged.Sub(r.end).Round(time.Millisecond), counts, replay.Round(time.Millisecond))
	cpu["clients"] = clientCPU
	for _, name := range append(services, "clients") {
		report += fmt.Sprintf("cpu %-14s %s (%.0f µs a write)\n", name, cpu[name].Round(time.Millisecond),
			float64(cpu[name].Microseconds())/float64(len(r.latencies)))
	}
	t.Log("\n" + report)
}

// selfCPU returns the CPU time the test process has used, which is mostly
// the simulated browsers' while the load runs.
func selfCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("reading the test's CPU time: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSize returns the number of writes and clients of TestThroughput.
func benchSize(t *testing.T) (writes, clients int) {
	writes, clients = 2000, 16
	if os.Getenv(benchEnv) == "1" {
		writes = 40000
	} else {
		t.Logf("a short run: set %s=1 for the benchmark", benchEnv)
	}
	if v, err := strconv.Atoi(os.Getenv(benchWritesEnv)); err == nil && v > 0 {
		writes = v
	}
	if v, err := strconv.Atoi(os.Getenv(benchClientsEnv)); err == nil && v > 0 {
		clients = v
	}
	return writes, clients
}

// report describes the load run: writes per second and latencies.
func (r *result) report(clients int) string {
	lat, posts, comments := sorted(r.latencies), sorted(r.postLat), sorted(r.commentLat)
	if len(lat) == 0 {
		return "no write was acknowledged\n"
	}
	return fmt.Sprintf(`clients            %d
writes             %d (%d posts, %d comments, %d failed)
writes/s           %.0f
latency p50        %s
latency p99        %s
latency max        %s
posts p50/p99      %s / %s
comments p50/p99   %s / %s
`, clients, len(lat), len(r.posts), len(r.comments), r.failures,
		float64(len(lat))/r.end.Sub(r.start).Seconds(),
		percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1],
		percentile(posts, 0.50), percentile(posts, 0.99),
		percentile(comments, 0.50), percentile(comments, 0.99))
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))].Round(10 * time.Microsecond)
}

func sorted(d []time.Duration) []time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d
}
