package bus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/blogctl/blogctl/internal/event"
)

// childDirEnv, when set, makes the test binary run a bus on that data
// directory instead of the tests, so that a test can kill it with SIGKILL.
const childDirEnv = "BLOGCTL_TEST_BUS_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

// runChild serves a bus on a free loopback port, printing the port first.
func runChild(dir string) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b, err := Open(Config{DataDir: dir}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := b.Serve(context.Background(), ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startChild runs a bus in a child process on dir and returns its URL.
func startChild(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the bus process: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus process's address: %v", err)
	}
	return cmd, "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
}

// TestKill9LosesNoAcknowledgedEvent kills a bus process with SIGKILL while
// 16 clients publish, restarts it, and checks that every acknowledged event
// is in the log with the seq it was acknowledged with, and none twice.
func TestKill9LosesNoAcknowledgedEvent(t *testing.T) {
	dir := t.TempDir()
	cmd, url := startChild(t, dir)

	acked := publishUntilKilled(t, cmd, url, 16, 400)
	t.Logf("%d events acknowledged before SIGKILL", len(acked))

	_, url = startChild(t, dir)
	log := readAll(t, url)
	seqOf := map[string]uint64{}
	for i, ev := range log {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d of the log has seq %d, want %d: the log has a gap", i, ev.Seq, i+1)
		}
		if prev, dup := seqOf[ev.ID]; dup {
			t.Errorf("event id %s stored twice, as %d and %d", ev.ID, prev, ev.Seq)
		}
		seqOf[ev.ID] = ev.Seq
	}
	for id, seq := range acked {
		if got, ok := seqOf[id]; !ok || got != seq {
			t.Errorf("acknowledged event %s (seq %d) after restart: seq %d, present %t", id, seq, got, ok)
		}
	}

	// Publishing the acknowledged events again stores nothing new.
	c := event.NewClient(url, nil)
	n := 0
	for id, seq := range acked {
		if n++; n > 50 {
			break
		}
		ev, err := c.Publish(context.Background(), event.Event{Type: "T", ID: id, Data: json.RawMessage(`{}`)})
		if err != nil || ev.Seq != seq {
			t.Errorf("Publish(%s) again = seq %d, %v, want seq %d", id, ev.Seq, err, seq)
		}
	}
	if got := len(readAll(t, url)); got != len(log) {
		t.Errorf("log length after republishing = %d, want %d", got, len(log))
	}
}

// publishUntilKilled publishes from clients goroutines, kills cmd with
// SIGKILL once atLeast events are acknowledged, and returns the
// acknowledged events' seqs by id.
func publishUntilKilled(t *testing.T, cmd *exec.Cmd, url string, clients, atLeast int) map[string]uint64 {
	t.Helper()
	var mu sync.Mutex
	acked := map[string]uint64{}
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				seq, err := postOnce(url, id)
				if err != nil {
					return // the bus is gone
				}
				mu.Lock()
				acked[id] = seq
				enough := len(acked) >= atLeast
				mu.Unlock()
				if enough {
					once.Do(func() {
						cmd.Process.Kill()
						close(killed)
					})
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("the bus stopped answering after %d events, before it was killed", len(acked))
	}
	cmd.Wait()
	return acked
}

// postOnce publishes one event without retrying and returns its seq.
func postOnce(url, id string) (uint64, error) {
	body := fmt.Sprintf(`{"type":"PostCreated","data":{"id":%q,"title":"t"},"id":%q}`, id, id)
	resp, err := http.Post(url+"/events", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("POST /events = %d %s: %v", resp.StatusCode, b, err)
	}
	var r event.Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, err
	}
	return r.Seq, nil
}

// readAll returns the bus's whole log.
func readAll(t *testing.T, url string) []event.Event {
	t.Helper()
	resp, err := http.Get(url + "/events")
	if err != nil {
		t.Fatalf("GET /events: %v", err)
	}
	defer resp.Body.Close()
	var evs []event.Event
	if err := json.NewDecoder(resp.Body).Decode(&evs); err != nil {
		t.Fatalf("decoding GET /events: %v", err)
	}
	return evs
}
