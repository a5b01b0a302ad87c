package kube

import "strings"

// isDone tells kubectl's final status line.
func isDone(msg string) bool { return strings.Contains(msg, "successfully rolled out") }

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func trimNewline(s string) string { return strings.TrimRight(s, "\n") }
