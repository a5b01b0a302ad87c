// Package testenv lets tests that need a real component (a browser, a Docker
// engine, a registry, a Kubernetes cluster) say so. On a developer's machine
// without the component such a test is skipped with a message naming what it
// needs; under the full test run (BLOGCTL_TEST_ALL=1, set by scripts/test)
// a missing component fails the test, so nothing passes silently.
package testenv

import (
	"os"
	"testing"
)

// RequireAll reports whether the full test run is in progress.
func RequireAll() bool { return os.Getenv("BLOGCTL_TEST_ALL") == "1" }

// Need stops t unless the component is available: it fails under the full
// test run and skips elsewhere. why says what is missing and how to get it.
func Need(t testing.TB, available bool, component, why string) {
	t.Helper()
	if available {
		return
	}
	if RequireAll() {
		t.Fatalf("this test needs %s, which is missing: %s", component, why)
	}
	t.Skipf("needs %s (%s); scripts/test installs and starts it", component, why)
}
