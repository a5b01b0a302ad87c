// Package diagnose explains why a pod of the blog system is not ready and
// fixes what is safe to fix.
//
// Pod (and Classify, its status-only part, cheap enough for every watch
// event) turn a pod into a Finding: the reason (ErrImageNeverPull,
// ImagePullBackOff, CrashLoopBackOff with its exit code and last logs,
// OOMKilled, CreateContainerConfigError, an unbound PersistentVolumeClaim,
// FailedScheduling with the scheduler's reason...), the cause in one line,
// the evidence and the fix in words. Examine does it for every pod of a
// namespace. Finding.Fixable says whether a safe automatic fix exists.
//
// PlanFix turns a fixable finding into the steps of its fix: load the
// image into the node or push it, set imagePullPolicy: Never in the
// manifest file, apply the file, delete the failing pod. Every fix edits
// and applies the manifest files, never only the live objects. Fixer.Fix
// plans and carries out the fix of one finding; it is what "blogctl doctor
// --fix" runs for each finding, and what a caller such as the terminal UI
// calls to fix one. kube.NewFixer builds a Fixer wired to a cluster, the
// Docker engine and the manifests directory.
package diagnose
