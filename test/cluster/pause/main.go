// Command pause is the test cluster's pod sandbox program: it holds a pod's
// namespaces open and does nothing until it is told to stop.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	// As PID 1 of the sandbox it must also reap orphaned children.
	signal.Ignore(syscall.SIGCHLD)
	<-stop
}
