// Package diagnose explains why a pod of the blog system is not ready and
// what fixes it.
//
// Pod (and Classify, its status-only part, cheap enough for every watch
// event) turn a pod into a Finding: the reason (ErrImageNeverPull,
// ImagePullBackOff, CrashLoopBackOff with its exit code and last logs,
// OOMKilled, CreateContainerConfigError, an unbound PersistentVolumeClaim,
// FailedScheduling with the scheduler's reason...), the cause in one line,
// the evidence and the fix in words. Finding.Fixable says whether
// "blogctl doctor --fix" can apply a safe fix by itself.
package diagnose
