package dockertarget

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Row is one container of the system, as status lists it.
type Row struct {
	Service   string `json:"service"`
	Container string `json:"container"`
	Image     string `json:"image"`
	State     string `json:"state"`
	// Status is the engine's description, as docker ps shows it: "Up 2
	// minutes (healthy)".
	Status string `json:"status"`
	// Restarts counts the engine's restarts of the container under its
	// restart policy.
	Restarts int      `json:"restarts"`
	Ports    []string `json:"ports"`
	// URL is where the container answers from this machine: the first
	// port it publishes, such as the gateway's http://127.0.0.1:8080;
	// empty when it publishes none. The JSON has it in Ports already.
	URL string `json:"-"`
}

// Status lists the system's containers, sorted by service.
func (s *System) Status(ctx context.Context) ([]Row, error) {
	list, err := s.Engine.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: s.projectFilter()})
	if err != nil {
		return nil, fmt.Errorf("listing the system's containers: %w", err)
	}
	rows := make([]Row, 0, len(list.Items))
	for _, c := range list.Items {
		r := Row{
			Service: c.Labels[LabelService], Image: c.Image,
			State: string(c.State), Status: c.Status, Ports: []string{},
		}
		if len(c.Names) > 0 {
			r.Container = strings.TrimPrefix(c.Names[0], "/")
		}
		for _, p := range c.Ports {
			if p.PublicPort != 0 {
				r.Ports = append(r.Ports, fmt.Sprintf("%s:%d->%d/%s", p.IP, p.PublicPort, p.PrivatePort, p.Type))
				r.URL = cmp.Or(r.URL, publishedURL(p.IP, p.PublicPort))
				continue
			}
			r.Ports = append(r.Ports, fmt.Sprintf("%d/%s", p.PrivatePort, p.Type))
		}
		slices.Sort(r.Ports)
		// The list leaves out the restart count; a container removed
		// since the list just shows none.
		if in, err := s.Engine.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{}); err == nil {
			r.Restarts = in.Container.RestartCount
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b Row) int { return strings.Compare(a.Service, b.Service) })
	return rows, nil
}

// publishedURL is the address of a port published on ip: a port published
// on every address (0.0.0.0 or ::) is reached on 127.0.0.1.
func publishedURL(ip netip.Addr, port uint16) string {
	host := "127.0.0.1"
	if ip.IsValid() && !ip.IsUnspecified() {
		host = ip.String()
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// Logs copies a service's container logs to w, following them when follow
// is set, until ctx ends.
func (s *System) Logs(ctx context.Context, service string, follow bool, w io.Writer) error {
	name := s.ContainerName(service)
	rc, err := s.Engine.ContainerLogs(ctx, name, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true, Follow: follow,
	})
	if err != nil {
		return fmt.Errorf("reading the logs of %s: %w: is the system up? run blogctl up --target docker", name, err)
	}
	defer rc.Close()
	if _, err := stdcopy.StdCopy(w, w, rc); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the logs of %s: %w", name, err)
	}
	return nil
}
