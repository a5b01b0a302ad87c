package httpapi

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// GCPercent is the garbage collector's target that TuneGC sets: the heap
// may grow to five times what is live before a collection. A service's
// live heap is small and its garbage is per request, so the default of
// 100 spends a tenth of the event bus's CPU collecting.
const GCPercent = 400

// cgroupMemoryFiles are where a container's memory limit is read from:
// cgroup v2, then v1.
var cgroupMemoryFiles = []string{
	"/sys/fs/cgroup/memory.max",
	"/sys/fs/cgroup/memory/memory.limit_in_bytes",
}

// TuneGC sets the garbage collector's target to GCPercent unless the
// GOGC environment variable sets one, and, in a container with a memory
// limit and no GOMEMLIMIT, a soft memory limit of three quarters of it, so
// that the larger target never brings the process near the limit.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	for _, path := range cgroupMemoryFiles {
		if limit, ok := memoryMax(path); ok {
			debug.SetMemoryLimit(limit / 4 * 3)
			return
		}
	}
}

// memoryMax reads a cgroup memory limit file: a number of bytes; "max" in
// cgroup v2, or a number near the largest int64 in v1, when there is no
// limit.
func memoryMax(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= 1<<60 {
		return 0, false
	}
	return n, true
}
