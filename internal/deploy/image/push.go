package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
)

// Errors a push can end with; each is wrapped with the registry or image it
// is about and the next step.
var (
	ErrNotBuilt            = errors.New("image not built")
	ErrUnauthorized        = errors.New("not authorized by the registry")
	ErrRegistryUnreachable = errors.New("registry unreachable")
)

// PushOptions says what to push.
type PushOptions struct {
	// Prefix and Services name the images, as for a build.
	Prefix   string
	Services []string
	// ConfigDir is Docker's configuration directory; empty means the
	// default, $DOCKER_CONFIG or ~/.docker.
	ConfigDir string
}

// Push pushes each service's current image, under its input tag and latest,
// with the credentials Docker itself would use for the registry.
func (b *Builder) Push(ctx context.Context, opts PushOptions) ([]Result, error) {
	cf, err := config.Load(opts.ConfigDir)
	if err != nil {
		return nil, fmt.Errorf("reading Docker's credentials: %w", err)
	}

	var results []Result
	for _, name := range opts.Services {
		repo := Repository(opts.Prefix, name)
		r, err := b.current(ctx, name, repo)
		if err != nil {
			return results, err
		}
		auth, domain, err := registryAuth(cf, repo)
		if err != nil {
			return results, err
		}
		for _, ref := range []string{r.Image, repo + ":latest"} {
			digest, err := b.pushRef(ctx, ref, domain, auth)
			if err != nil {
				return results, err
			}
			r.Digest = digest
		}
		results = append(results, r)
	}
	return results, nil
}

// current finds the image that repo:latest names and its input tag.
func (b *Builder) current(ctx context.Context, service, repo string) (Result, error) {
	latest := repo + ":latest"
	found, err := b.Engine.ImageInspect(ctx, latest)
	if cerrdefs.IsNotFound(err) {
		prefix := strings.TrimSuffix(repo, "/"+service)
		return Result{}, fmt.Errorf("pushing %s: %w: run blogctl build --image-prefix %s %s first",
			latest, ErrNotBuilt, prefix, service)
	} else if err != nil {
		return Result{}, fmt.Errorf("looking for image %s: %w", latest, err)
	}
	r := Result{Service: service, ID: found.ID, Size: found.Size, Image: latest, Tag: "latest"}
	for _, t := range found.RepoTags {
		if tag, ok := strings.CutPrefix(t, repo+":sha-"); ok {
			r.Image, r.Tag = t, "sha-"+tag
		}
	}
	return r, nil
}

// registryAuth returns the encoded credentials for the registry of repo, and
// that registry's name.
func registryAuth(cf *configfile.ConfigFile, repo string) (auth, domain string, err error) {
	named, err := reference.ParseNormalizedNamed(repo)
	if err != nil {
		return "", "", fmt.Errorf("reading image name %s: %w: use --image-prefix like cygnet or "+
			"localhost:5000/blog", repo, err)
	}
	domain = reference.Domain(named)
	ac, err := cf.GetAuthConfig(domain)
	if err != nil {
		return "", domain, fmt.Errorf("reading Docker's credentials for %s: %w", domain, err)
	}
	auth, err = authconfig.Encode(registry.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		Auth:          ac.Auth,
		ServerAddress: ac.ServerAddress,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	})
	if err != nil {
		return "", domain, fmt.Errorf("encoding the credentials for %s: %w", domain, err)
	}
	return auth, domain, nil
}

// pushRef pushes one reference and returns the digest the registry gave it.
func (b *Builder) pushRef(ctx context.Context, ref, domain, auth string) (string, error) {
	b.Progress.Begin("pushing " + ref)
	resp, err := b.Engine.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return "", pushError(ref, domain, err)
	}
	defer resp.Close()

	digest, err := followPush(ctx, resp, b.Progress)
	if err != nil {
		return "", pushError(ref, domain, err)
	}
	b.Progress.End(fmt.Sprintf("pushed %s@%s", ref, digest))
	return digest, nil
}

// followPush reads the engine's push output and returns the pushed digest.
func followPush(ctx context.Context, resp client.ImagePushResponse, p Progress) (string, error) {
	var digest string
	layers := map[string]jsonstream.Progress{}
	for m, err := range resp.JSONMessages(ctx) {
		if err != nil {
			return "", err
		}
		if m.Error != nil {
			return "", m.Error
		}
		if m.Aux != nil {
			var aux struct{ Digest string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
				digest = aux.Digest
			}
		}
		if m.Progress != nil && m.ID != "" {
			layers[m.ID] = *m.Progress
			var cur, total int64
			for _, l := range layers {
				cur, total = cur+l.Current, total+l.Total
			}
			p.Count(cur, total, true)
		}
		p.Status(strings.TrimSpace(m.ID + " " + m.Status))
	}
	return digest, nil
}

// pushError names what went wrong in a push, and what to do about it.
func pushError(ref, domain string, err error) error {
	msg := strings.ToLower(err.Error())
	switch {
	case containsAny(msg, "unauthorized", "authentication required", "no basic auth credentials",
		"denied", "incorrect username or password"):
		return fmt.Errorf("pushing %s: %w %s (%w): run docker login %s", ref, ErrUnauthorized, domain, err, domain)
	case containsAny(msg, "connection refused", "no such host", "i/o timeout", "network is unreachable",
		"server gave http response to https client", "tls: "):
		return fmt.Errorf("pushing %s: %w: %s (%w): check that the registry runs and the image prefix names it",
			ref, ErrRegistryUnreachable, domain, err)
	}
	return fmt.Errorf("pushing %s to %s: %w", ref, domain, err)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
