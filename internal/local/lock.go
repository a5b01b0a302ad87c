package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the file, in the data directory, that a running "up" holds
// locked, so that a second "up" on the same data cannot start beside it.
const lockFile = "up.lock"

// ErrAlreadyRunning reports a second "up" on a data directory in use.
var ErrAlreadyRunning = errors.New("the local blog system already runs")

// lockDataDir takes the data directory's lock, which the kernel releases
// when the process ends, however it ends.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking the data directory: %w", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return f, nil
	}
	f.Close()
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, fmt.Errorf("locking the data directory: %w", err)
	}
	who := ""
	if st, err := ReadState(dir); err == nil {
		who = fmt.Sprintf(" (pid %d)", st.PID)
	}
	return nil, fmt.Errorf("%w from %s%s: see it with \"blogctl status --target local --data-dir %s\", "+
		"stop it with \"blogctl down --target local --data-dir %s\", or use another --data-dir",
		ErrAlreadyRunning, dir, who, dir, dir)
}
