package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// followTail is how much of a log file's end a follower starts with.
const followTail = 64 << 10

// followFile returns the end of the file at path and then, as "tail -f"
// does, what is appended to it, until ctx ends. It checks for more every
// poll while the log view is open, and not at all otherwise.
func followFile(ctx context.Context, path string, poll time.Duration) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the log %s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil && st.Size() > followTail {
		if _, err := f.Seek(st.Size()-followTail, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("reading the log %s: %w", path, err)
		}
	}
	return &follower{ctx: ctx, f: f, poll: poll}, nil
}

type follower struct {
	ctx  context.Context
	f    *os.File
	poll time.Duration
}

func (r *follower) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if n > 0 || !errors.Is(err, io.EOF) {
			return n, err
		}
		select {
		case <-r.ctx.Done():
			return 0, io.EOF
		case <-time.After(r.poll):
		}
	}
}

func (r *follower) Close() error { return r.f.Close() }
