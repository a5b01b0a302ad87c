//go:build !serveonly

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/kube"
)

func TestManifestsDirOf(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	for _, f := range []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml"), filepath.Join(other, "c.yaml")} {
		if err := os.WriteFile(f, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"nothing given", nil, kube.DefaultManifestsDir},
		{"one directory", []string{dir}, dir},
		{"one directory, trailing slash", []string{dir + "/"}, dir},
		{"one file", []string{filepath.Join(dir, "a.yaml")}, dir},
		{"two files in one directory", []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}, dir},
		{"a directory and a file in it", []string{dir, filepath.Join(dir, "b.yaml")}, dir},
		{"files in two directories", []string{filepath.Join(dir, "a.yaml"), filepath.Join(other, "c.yaml")},
			kube.DefaultManifestsDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, manifestsDirOf(tt.paths)); diff != "" {
				t.Errorf("manifestsDirOf(%q) (-want +got):\n%s", tt.paths, diff)
			}
		})
	}
}

func TestDoctorFixCommand(t *testing.T) {
	ns := []string{"-n", "trial-kube-2"}
	tests := []struct {
		dir, containerd string
		cluster         []string
		want            string
	}{
		{"", "", nil, "blogctl doctor --fix"},
		{"", "", ns, "blogctl doctor --fix -n trial-kube-2"},
		{kube.DefaultManifestsDir, "", ns, "blogctl doctor --fix -n trial-kube-2"},
		{kube.DefaultManifestsDir + "/", "", nil, "blogctl doctor --fix"},
		{"deploy/k8s", "", ns, "blogctl doctor --fix --manifests-dir deploy/k8s -n trial-kube-2"},
		{"b2", "/run/containerd/containerd.sock", ns,
			"blogctl doctor --fix --manifests-dir b2 --containerd-address /run/containerd/containerd.sock -n trial-kube-2"},
		{"my manifests", "", []string{"-n", "blog", "--context", "kind-x", "--kubeconfig", "/tmp/it's"},
			`blogctl doctor --fix --manifests-dir 'my manifests' -n blog --context kind-x --kubeconfig '/tmp/it'\''s'`},
	}
	for _, tt := range tests {
		if got := doctorFixCommand(tt.dir, tt.containerd, tt.cluster); got != tt.want {
			t.Errorf("doctorFixCommand(%q, %q, %q) = %q, want %q", tt.dir, tt.containerd, tt.cluster, got, tt.want)
		}
	}
}

// TestCommandArgs checks that a printed command carries the namespace
// always, and the context and kubeconfig only when they were given, by
// flag or by environment.
func TestCommandArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"namespace only", []string{"-n", "trial"}, nil, []string{"-n", "trial"}},
		{"the context's namespace", nil, nil, []string{"-n", "resolved"}},
		{"context and kubeconfig flags", []string{"--context", "kind-a", "--kubeconfig", "/k"}, nil,
			[]string{"-n", "resolved", "--context", "kind-a", "--kubeconfig", "/k"}},
		{"context from the environment", nil, map[string]string{"BLOGCTL_CONTEXT": "kind-b"},
			[]string{"-n", "resolved", "--context", "kind-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var f kubeFlags
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			f.addFlags(cmd)
			bindEnvAll(cmd)
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			ns := f.namespace
			if ns == "" {
				ns = "resolved"
			}
			if diff := cmp.Diff(tt.want, f.commandArgs(ns)); diff != "" {
				t.Errorf("commandArgs() after %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// A fixable finding names the doctor command that fixes it; one that is
// not fixable names none.
func TestPrintFindingNamesTheFixCommand(t *testing.T) {
	fixable := &diagnose.Finding{Pod: "posts-1", Reason: "ErrImageNeverPull", Cause: "no image",
		Fix: "load it", AutoFix: diagnose.FixImage}
	var b strings.Builder
	printFinding(&b, fixable, "blogctl doctor --fix --manifests-dir deploy")
	if want := `"blogctl doctor --fix --manifests-dir deploy" can apply this fix`; !strings.Contains(b.String(), want) {
		t.Errorf("printFinding wrote %q, want it to contain %q", b.String(), want)
	}

	b.Reset()
	fixable.AutoFix = diagnose.FixNone
	printFinding(&b, fixable, "blogctl doctor --fix")
	if strings.Contains(b.String(), "can apply") {
		t.Errorf("printFinding wrote %q for a finding with no safe fix", b.String())
	}

	// A fix for later names the doctor command with the cluster flags.
	b.Reset()
	later := &diagnose.Finding{Pod: "posts-1", Reason: "ErrImageNeverPull", Cause: "no image",
		Fix: `build it first (docker build -t x .), then run "blogctl doctor --fix"; or correct the image`}
	printFinding(&b, later, "blogctl doctor --fix -n blog --context kind-x")
	want := `then run "blogctl doctor --fix -n blog --context kind-x"; or`
	if !strings.Contains(b.String(), want) {
		t.Errorf("printFinding wrote %q, want it to contain %q", b.String(), want)
	}
}

// A rollout that ran out of time says how to see why, with the cluster
// flags, and how to wait longer; a failed one is explained by its finding.
func TestExplainRolloutTimeout(t *testing.T) {
	timedOut := &kube.RolloutError{Deployment: "client-depl", Err: kube.ErrRolloutTimeout}
	var b strings.Builder
	err := explainRollout(&b, timedOut, "blogctl doctor --fix -n blog")
	if !errors.Is(err, kube.ErrRolloutTimeout) {
		t.Errorf("explainRollout() lost the timeout: %v", err)
	}
	want := `see why its pods are not ready with "blogctl doctor -n blog", or wait longer with --timeout`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("explainRollout() = %q, want it to contain %q", err, want)
	}
	other := errors.New("listing deployments: boom")
	if got := explainRollout(&b, other, "blogctl doctor --fix"); got != other {
		t.Errorf("explainRollout(%v) = %v, want it unchanged", other, got)
	}
	if b.Len() != 0 {
		t.Errorf("explainRollout printed %q with no finding", b.String())
	}
}

// With no finding that looked fixable there is no fixer; --fix then says
// that each finding has no safe fix, and does not crash.
func TestFixAllWithoutFixer(t *testing.T) {
	var out, errOut strings.Builder
	o := &doctorOptions{streams: &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}}
	crash := &diagnose.Finding{Pod: "moderation-1", Reason: "CrashLoopBackOff", Fix: "read its logs"}
	err := o.fixAll(t.Context(), nil, []*diagnose.Finding{crash})
	if !errors.Is(err, diagnose.ErrNoSafeFix) || !strings.Contains(err.Error(), "moderation-1") {
		t.Errorf("fixAll without a fixer = %v, want ErrNoSafeFix naming the pod", err)
	}
	if out.Len() != 0 {
		t.Errorf("fixAll without a fixer printed %q, want no \"fixed\" line", out.String())
	}
}
