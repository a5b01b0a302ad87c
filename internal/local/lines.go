package local

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// console writes whole lines to one stream from many goroutines, so that a
// service's log line never lands in the middle of an event line.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

// Printf writes one formatted line.
func (c *console) Printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, format+"\n", args...)
}

func (c *console) writeLine(prefix string, line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.w, prefix)
	c.w.Write(line)
}

// prefixWriter passes whole lines to a console, each prefixed; it keeps a
// partial line until its end arrives.
type prefixWriter struct {
	c      *console
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.c.writeLine(p.prefix, p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
	// A line longer than any log line should be is cut rather than kept.
	if len(p.buf) > 64<<10 {
		p.c.writeLine(p.prefix, append(p.buf, '\n'))
		p.buf = nil
	}
	return len(b), nil
}

// Flush writes a last line that has no end.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.c.writeLine(p.prefix, append(p.buf, '\n'))
		p.buf = nil
	}
}
