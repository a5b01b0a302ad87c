//go:build !serveonly

package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// manifestsOptions holds what "blogctl manifests" needs.
type manifestsOptions struct {
	streams    *Streams
	out        string
	prefix     string
	tag        string
	pullPolicy string
	words      string
	flags      manifestFlags
}

func newManifestsCmd(s *Streams) *cobra.Command {
	o := &manifestsOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "manifests",
		Short: "Write the Kubernetes manifests of the blog system, one file per service",
		Long: `Write the Kubernetes manifests of the blog system into a directory: one file
per service with its Deployment and Service, the posts NodePort posts-srv and
the ingress-nginx Ingress ingress-srv. The files are the source of truth:
edit them, then "blogctl apply -f DIR" applies them.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return o.run() },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.out, "out", kube.DefaultManifestsDir, "directory to write the files to")
	fs.StringVar(&o.prefix, "image-prefix", defaultImagePrefix, "image name prefix: images are PREFIX/SERVICE:TAG")
	fs.StringVar(&o.tag, "tag", "latest", "image tag, such as the sha-... tag of a build")
	fs.StringVar(&o.pullPolicy, "pull-policy", string(corev1.PullIfNotPresent),
		"imagePullPolicy: Always, IfNotPresent or Never")
	fs.StringVar(&o.words, "words", "", "words that get a comment rejected, comma-separated, "+
		"given to the moderation service as BLOGCTL_WORDS (empty: its default, orange)")
	o.flags.addFlags(cmd)
	return cmd
}

func (o *manifestsOptions) run() error {
	cfg, err := o.flags.config()
	if err != nil {
		return err
	}
	cfg.ImagePrefix, cfg.Tag, cfg.PullPolicy = o.prefix, o.tag, corev1.PullPolicy(o.pullPolicy)
	cfg.Words = o.words
	files, err := manifest.Render(cfg)
	if err != nil {
		return err
	}
	paths, err := manifest.Write(o.out, files)
	for _, p := range paths {
		fmt.Fprintln(o.streams.Out, p)
	}
	return err
}
