package local

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blogctl/blogctl/internal/event"
)

// FormatEvent renders one blog event as a line for people, for example
// `#12 CommentModerated  comment 3fa2c1d0 on post 9b1e2a3c approved`. User
// text is quoted, so that no control character reaches the terminal.
func FormatEvent(ev event.Event) string {
	return fmt.Sprintf("#%-4d %-17s %s", ev.Seq, ev.Type, describe(ev))
}

func describe(ev event.Event) string {
	switch ev.Type {
	case event.PostCreated:
		p, err := event.DataAs[event.Post](ev)
		if err != nil {
			return "(unreadable data)"
		}
		return fmt.Sprintf("post %s %s", p.ID, quote(p.Title))
	case event.CommentCreated, event.CommentModerated, event.CommentUpdated:
		c, err := event.DataAs[event.Comment](ev)
		if err != nil {
			return "(unreadable data)"
		}
		s := fmt.Sprintf("comment %s on post %s %s", c.ID, c.PostID, c.Status)
		if ev.Type == event.CommentCreated {
			s += " " + quote(c.Content)
		}
		return s
	}
	return "(not a blog event; the services ignore it)"
}

// quote shortens s to 40 characters and quotes it.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// reader is the part of the bus client that following needs.
type reader interface {
	Read(ctx context.Context, since uint64, limit int, wait time.Duration) (event.Page, error)
}

// follow prints every event the bus logs after the events already there,
// until ctx ends. While the bus cannot be read it retries every second and
// says so once.
func follow(ctx context.Context, bus reader, out *console) {
	since, ok := head(ctx, bus)
	failing := false
	for ctx.Err() == nil {
		page, err := bus.Read(ctx, since, 100, 10*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				out.Printf("warning: cannot follow the event bus, retrying: %v", err)
				failing = true
			}
			sleep(ctx, time.Second)
			continue
		}
		if failing {
			out.Printf("following the event bus again")
			failing = false
		}
		if !ok {
			// The head was unknown: skip the history once, print from here.
			since, ok = page.Head, true
			continue
		}
		for _, ev := range page.Events {
			out.Printf("%s", strings.TrimRight(FormatEvent(ev), " "))
			since = max(since, ev.Seq)
		}
	}
}

// head returns the bus's last sequence number, so that following starts
// with new events instead of the whole history.
func head(ctx context.Context, bus reader) (uint64, bool) {
	page, err := bus.Read(ctx, 0, 1, 0)
	if err != nil {
		return 0, false
	}
	return page.Head, true
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
