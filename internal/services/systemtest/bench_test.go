package systemtest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchEnv turns on TestThroughput; benchWritesEnv sets its number of
// writes.
const (
	benchEnv       = "BLOGCTL_BENCH"
	benchWritesEnv = "BLOGCTL_BENCH_WRITES"
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
	writes := 2000
	if os.Getenv(benchEnv) == "1" {
		writes = 40000
	} else {
		t.Logf("a short run: set %s=1 for the benchmark", benchEnv)
	}
	if v, err := strconv.Atoi(os.Getenv(benchWritesEnv)); err == nil && v > 0 {
		writes = v
	}
	const clients = 16

	s := startSystem(t)
	l := load{Clients: clients, Writes: writes / clients, CommentsPerPost: 3}
	r := l.run(context.Background(), s)
	if r.failures > 0 {
		t.Errorf("%d writes failed, last: %v", r.failures, r.lastErr)
	}
	converged := waitConverged(t, s, r, time.Minute)
	counts := checkLog(t, s)

	lat, posts, comments := sorted(r.latencies), sorted(r.postLat), sorted(r.commentLat)
	elapsed := r.end.Sub(r.start)
	report := fmt.Sprintf(`clients            %d
writes             %d (%d posts, %d comments, %d failed)
writes/s           %.0f
latency p50        %s
latency p99        %s
latency max        %s
posts p50/p99      %s / %s
comments p50/p99   %s / %s
query converged    %s after the last write
events in the log  %v
`, clients, len(lat), len(r.posts), len(r.comments), r.failures,
		float64(len(lat))/elapsed.Seconds(),
		percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1],
		percentile(posts, 0.50), percentile(posts, 0.99),
		percentile(comments, 0.50), percentile(comments, 0.99),
		converged.Sub(r.end).Round(time.Millisecond), counts)
	for _, name := range services {
		if err := s.stop(name); err != nil {
			t.Errorf("stopping %s: %v", name, err)
		}
		cpu := s.cpu[name]
		report += fmt.Sprintf("cpu %-14s %s (%.0f µs a write)\n", name, cpu.Round(time.Millisecond),
			float64(cpu.Microseconds())/float64(len(lat)))
	}
	t.Log("\n" + report)
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
