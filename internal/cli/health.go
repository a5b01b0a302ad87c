package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthOptions holds what "blogctl health" needs. An image has no shell or
// curl, so its HEALTHCHECK runs this command against the service's /readyz.
type healthOptions struct {
	streams *Streams
	url     string
	timeout time.Duration
}

func newHealthCmd(s *Streams) *cobra.Command {
	o := &healthOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "health <url>",
		Short: "Exit 0 if a URL answers 2xx: a health probe for containers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.url = args[0]
			return o.run(cmd.Context())
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 2*time.Second, "how long to wait for the answer")
	return cmd
}

func (o *healthOptions) run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.url, nil)
	if err != nil {
		return fmt.Errorf("checking %s: %w", o.url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("checking %s: %w", o.url, err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("checking %s: answered %s", o.url, resp.Status)
	}
	fmt.Fprintf(o.streams.Out, "%s: %s\n", o.url, resp.Status)
	return nil
}
