package bus

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/event"
)

// BenchmarkAppendHTTP publishes events from 16 concurrent clients over real
// HTTP to a bus on loopback, each write durable before it is answered, and
// reports writes per second and p50/p99 latency: with no subscriber, and
// while the bus delivers to four subscribers that take batches (blogctl's
// services) or single events (the course's). Run it with
//
//	go test -run '^$' -bench AppendHTTP -benchtime 5000x ./internal/services/bus/
func BenchmarkAppendHTTP(b *testing.B) {
	for _, bc := range []struct {
		name  string
		subs  int
		batch string
	}{
		{name: "subscribers=0"},
		{name: "subscribers=4/batch", subs: 4, batch: "256"},
		{name: "subscribers=4/single", subs: 4},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var urls []string
			for range bc.subs {
				rc := newRecorder()
				rc.batch = bc.batch
				urls = append(urls, startSubscriber(b, rc))
			}
			benchAppend(b, startBus(b, Config{Subscribers: urls}))
		})
	}
}

func benchAppend(b *testing.B, bus *testBus) {
	const clients = 16
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	body := []byte(`{"type":"CommentCreated","data":` +
		`{"id":"0a1b2c3d","content":"hello","postId":"4e5f6a7b","status":"pending"}}`)

	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := post(hc, bus.URL+"/events", body); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "writes/s")
	b.ReportMetric(ms(percentile(all, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 99)), "p99-ms")
}

func post(hc *http.Client, url string, body []byte) error {
	resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s = %s", url, resp.Status)
	}
	return nil
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkDelivery measures how fast the bus delivers a backlog to one
// subscriber over real HTTP, one event per request as the course's
// services take them, and in negotiated batches of 100.
//
//	go test -run '^$' -bench Delivery -benchtime 5000x ./internal/services/bus/
func BenchmarkDelivery(b *testing.B) {
	for _, batch := range []string{"", "100"} {
		name := "single"
		if batch != "" {
			name = "batch" + batch
		}
		b.Run(name, func(b *testing.B) {
			benchDelivery(b, batch)
		})
	}
}

func benchDelivery(b *testing.B, batch string) {
	dir := b.TempDir()
	store, err := OpenStore(dir)
	if err != nil {
		b.Fatal(err)
	}
	// The backlog is written before the clock starts.
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < b.N; i += 16 {
				ev := event.Event{Type: "PostCreated", Data: []byte(`{"id":"0a1b2c3d","title":"t"}`)}
				if _, err := store.Append(context.Background(), ev); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	store.Close()

	rc := newRecorder()
	rc.batch = batch
	url := startSubscriber(b, rc)
	b.ResetTimer()
	startBus(b, Config{DataDir: dir, Subscribers: []string{url}})
	rc.waitCount(b, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
