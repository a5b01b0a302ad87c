package dockertarget

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLayout(t *testing.T) {
	images := map[string]string{}
	for _, s := range Images() {
		images[s.Name] = "p/" + s.Name + ":sha-1"
	}
	got := Layout(images, 18080)

	type summary struct {
		Service  string
		Aliases  []string
		HostPort int
		Volume   bool
	}
	var sums []summary
	for _, c := range got {
		if c.Image != images[c.Service] {
			t.Errorf("Layout() runs %s from %q, want %q", c.Service, c.Image, images[c.Service])
		}
		sums = append(sums, summary{c.Service, c.Aliases, c.HostPort, c.Volume})
	}
	want := []summary{
		{"event-bus", []string{"event-bus-srv", "event-bus"}, 0, true},
		{"posts", []string{"posts-clusterip-srv", "posts", "posts-srv"}, 0, false},
		{"comments", []string{"comments-srv", "comments"}, 0, false},
		{"query", []string{"query-srv", "query"}, 0, false},
		{"moderation", []string{"moderation-srv", "moderation"}, 0, false},
		{"client", []string{"client-srv", "client"}, 0, false},
		{"gateway", []string{"gateway"}, 18080, false},
	}
	if diff := cmp.Diff(want, sums); diff != "" {
		t.Errorf("Layout() mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateOptions(t *testing.T) {
	s := &System{Project: "demo"}
	tests := []struct {
		name      string
		c         Container
		wantPorts string
		wantMount string
	}{
		{"published", Container{Service: "gateway", Image: "g", Port: 8080, HostPort: 9090}, "127.0.0.1:9090", ""},
		{"volume", Container{Service: "event-bus", Image: "b", Port: 4005, Volume: true}, "", "demo-event-bus-data:/data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := s.createOptions(tt.c)
			if o.Name != "demo-"+tt.c.Service {
				t.Errorf("createOptions(%s).Name = %q, want demo-%s", tt.c.Service, o.Name, tt.c.Service)
			}
			var ports, mounts string
			for _, bs := range o.HostConfig.PortBindings {
				for _, b := range bs {
					ports = b.HostIP.String() + ":" + b.HostPort
				}
			}
			for _, m := range o.HostConfig.Mounts {
				mounts = m.Source + ":" + m.Target
			}
			if ports != tt.wantPorts || mounts != tt.wantMount {
				t.Errorf("createOptions(%s) publishes %q and mounts %q, want %q and %q",
					tt.c.Service, ports, mounts, tt.wantPorts, tt.wantMount)
			}
			if _, ok := o.NetworkingConfig.EndpointsConfig["demo"]; !ok {
				t.Errorf("createOptions(%s) joins %v, want network demo", tt.c.Service, o.NetworkingConfig.EndpointsConfig)
			}
			if o.Config.Labels[LabelProject] != "demo" || o.Config.Labels[LabelService] != tt.c.Service {
				t.Errorf("createOptions(%s) labels = %v, want project and service", tt.c.Service, o.Config.Labels)
			}
		})
	}
}

func TestSpecChangesWithContainer(t *testing.T) {
	base := Container{Service: "gateway", Image: "g:1", Port: 8080, HostPort: 8080}
	tests := []struct {
		name   string
		change func(*Container)
		same   bool
	}{
		{"nothing", func(*Container) {}, true},
		{"image", func(c *Container) { c.Image = "g:2" }, false},
		{"host port", func(c *Container) { c.HostPort = 9090 }, false},
		{"env", func(c *Container) { c.Env = []string{"A=b"} }, false},
	}
	for _, tt := range tests {
		c := base
		tt.change(&c)
		if got := c.spec() == base.spec(); got != tt.same {
			t.Errorf("spec() after changing %s: same = %v, want %v", tt.name, got, tt.same)
		}
	}
}
