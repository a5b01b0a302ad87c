// Package cli holds blogctl's commands: one file and one options struct per
// command, with the work itself done by the packages they call.
package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Streams are the I/O streams a command writes through. stdout carries the
// result the user asked for; stderr carries progress, hints and warnings.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutTerminal and ErrTerminal say whether Out and ErrOut are terminals.
	// They change presentation only, never content.
	OutTerminal bool
	ErrTerminal bool
}

// SystemStreams returns the process's standard streams.
func SystemStreams() *Streams {
	return &Streams{
		In:          os.Stdin,
		Out:         os.Stdout,
		ErrOut:      os.Stderr,
		OutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// Color reports whether output to a terminal may use colour: not when
// NO_COLOR is set, whatever its value.
func Color() bool {
	_, set := os.LookupEnv("NO_COLOR")
	return !set
}
