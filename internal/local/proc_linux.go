package local

import "syscall"

// childAttr puts a service in its own process group, so that Ctrl-C in the
// terminal reaches only the supervisor, which stops the services in order;
// and has the kernel stop it if the supervisor dies without cleaning up.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
