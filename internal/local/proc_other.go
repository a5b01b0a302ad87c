//go:build unix && !linux

package local

import "syscall"

// childAttr puts a service in its own process group, so that Ctrl-C in the
// terminal reaches only the supervisor, which stops the services in order.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
