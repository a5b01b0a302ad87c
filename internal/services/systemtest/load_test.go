package systemtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// httpClient is shared by the simulated browsers, with a pool big enough
// for all of them.
var httpClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second,
	},
}

// load describes a run of simulated browsers.
type load struct {
	// Clients write concurrently, each Writes times: a post, then
	// CommentsPerPost comments on it, and again. Every third comment on a
	// post contains "orange".
	Clients, Writes, CommentsPerPost int
	// Pause, if set, is waited between a client's writes.
	Pause time.Duration
}

type ackedPost struct{ ID, Title string }

type ackedComment struct{ ID, PostID, Content string }

// result is what a load run saw acknowledged, and how fast.
type result struct {
	mu        sync.Mutex
	posts     []ackedPost
	comments  []ackedComment
	latencies []time.Duration
	// postLat and commentLat split latencies by kind of write.
	postLat, commentLat []time.Duration
	failures            int
	lastErr             error
	start               time.Time
	end                 time.Time
}

// run drives the load against s until every client has done its writes or
// ctx ends.
func (l load) run(ctx context.Context, s *system) *result {
	r := &result{}
	l.runInto(ctx, s, r)
	return r
}

// runInto is run with a result the caller can watch while it fills.
func (l load) runInto(ctx context.Context, s *system, r *result) {
	r.mu.Lock()
	r.start = time.Now()
	r.mu.Unlock()
	var wg sync.WaitGroup
	for c := range l.Clients {
		wg.Go(func() { l.client(ctx, s, c, r) })
	}
	wg.Wait()
	r.mu.Lock()
	r.end = time.Now()
	r.mu.Unlock()
}

// acked returns how many writes have been acknowledged so far.
func (r *result) acked() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.posts) + len(r.comments)
}

func (l load) client(ctx context.Context, s *system, c int, r *result) {
	var post string
	comments := 0
	for n := 0; n < l.Writes && ctx.Err() == nil; n++ {
		if l.Pause > 0 {
			time.Sleep(l.Pause)
		}
		start := time.Now()
		if post == "" || comments == l.CommentsPerPost {
			title := fmt.Sprintf("post %d-%d", c, n)
			var p ackedPost
			body := map[string]string{"title": title}
			if err := postJSON(ctx, s.url(blog.Posts)+"/posts", body, &p); err != nil {
				r.fail(err)
				continue
			}
			post, comments = p.ID, 0
			r.ackPost(p, time.Since(start))
			continue
		}

		content := fmt.Sprintf("comment %d-%d", c, n)
		if comments%3 == 2 {
			content += " about an orange"
		}
		var list []struct{ ID, Content string }
		url := s.url(blog.Comments) + "/posts/" + post + "/comments"
		err := postJSON(ctx, url, map[string]string{"content": content}, &list)
		if err == nil && (len(list) == 0 || list[len(list)-1].Content != content) {
			err = fmt.Errorf("comment answer does not end with the new comment: %v", list)
		}
		if err != nil {
			r.fail(err)
			continue
		}
		comments++
		acked := ackedComment{ID: list[len(list)-1].ID, PostID: post, Content: content}
		r.ackComment(acked, time.Since(start))
	}
}

func (r *result) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures++
	r.lastErr = err
}

func (r *result) ackPost(p ackedPost, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, p)
	r.latencies = append(r.latencies, d)
	r.postLat = append(r.postLat, d)
}

func (r *result) ackComment(c ackedComment, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.comments = append(r.comments, c)
	r.latencies = append(r.latencies, d)
	r.commentLat = append(r.commentLat, d)
}

// postJSON posts body and decodes a 201 answer into out.
func postJSON(ctx context.Context, url string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	ans, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s = %d %s", url, resp.StatusCode, strings.TrimSpace(string(ans)))
	}
	return json.Unmarshal(ans, out)
}

// getJSON gets url and decodes a 200 answer into out.
func getJSON(url string, out any) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
