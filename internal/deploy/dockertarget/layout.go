package dockertarget

import (
	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
)

// Gateway is the front door's service name, and GatewayPort its port in
// its container: the default of "blogctl serve gateway".
const (
	Gateway     = "gateway"
	GatewayPort = 8080
)

// Images lists the images the system needs: one per service and the
// gateway's.
func Images() []image.Service {
	var svcs []image.Service
	for _, s := range blog.Services {
		svcs = append(svcs, image.Service{Name: s.Name, Port: s.Port})
	}
	return append(svcs, image.Service{Name: Gateway, Port: GatewayPort})
}

// Layout lays out the system's containers from each service's image: every
// service under its Kubernetes Service name, so default URLs work unchanged;
// the bus's data in a volume (the other services rebuild theirs from the
// bus); and the gateway published on 127.0.0.1:hostPort.
func Layout(images map[string]string, hostPort int) []Container {
	var cs []Container
	for _, svc := range blog.Services {
		aliases := []string{svc.ServiceName, svc.Name}
		if svc.Name == blog.Posts {
			aliases = append(aliases, blog.PostsNodePortName)
		}
		cs = append(cs, Container{
			Service: svc.Name, Image: images[svc.Name], Port: svc.Port,
			Aliases: aliases, Volume: svc.Name == blog.EventBus,
		})
	}
	return append(cs, Container{
		Service: Gateway, Image: images[Gateway], Port: GatewayPort,
		Aliases: []string{Gateway}, HostPort: hostPort,
	})
}
