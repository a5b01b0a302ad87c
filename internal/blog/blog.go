// Package blog describes the blog system that blogctl runs and deploys: its
// services, their ports and the Kubernetes names of the course it comes from.
package blog

import (
	"fmt"
	"slices"
)

// Service names, as given to "blogctl serve".
const (
	Posts      = "posts"
	Comments   = "comments"
	Query      = "query"
	Moderation = "moderation"
	EventBus   = "event-bus"
	Client     = "client"
)

// Service is one service of the blog system with its default names.
type Service struct {
	// Name is the service's name on the command line and in image names.
	Name string
	// Port is the port the service listens on.
	Port int
	// Deployment and ServiceName are the Kubernetes Deployment and ClusterIP
	// Service names that the course uses.
	Deployment  string
	ServiceName string
	// Subscribes says whether the event bus delivers events to the service.
	Subscribes bool
}

// Services lists every service, in start order: the bus first, the client
// last.
var Services = []Service{
	{Name: EventBus, Port: 4005, Deployment: "event-bus-depl", ServiceName: "event-bus-srv"},
	{Name: Posts, Port: 4000, Deployment: "posts-depl", ServiceName: "posts-clusterip-srv", Subscribes: true},
	{Name: Comments, Port: 4001, Deployment: "comments-depl", ServiceName: "comments-srv", Subscribes: true},
	{Name: Query, Port: 4002, Deployment: "query-depl", ServiceName: "query-srv", Subscribes: true},
	{Name: Moderation, Port: 4003, Deployment: "moderation-depl", ServiceName: "moderation-srv", Subscribes: true},
	{Name: Client, Port: 3000, Deployment: "client-depl", ServiceName: "client-srv"},
}

// PostsNodePortName is the NodePort Service the course uses in development.
const PostsNodePortName = "posts-srv"

// IngressName and IngressHost are the course's Ingress and its host.
const (
	IngressName = "ingress-srv"
	IngressHost = "posts.com"
)

// Lookup returns the service called name.
func Lookup(name string) (Service, error) {
	i := slices.IndexFunc(Services, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return Service{}, fmt.Errorf("unknown service %q: use one of %v", name, Names())
	}
	return Services[i], nil
}

// Names returns every service's name, in start order.
func Names() []string {
	names := make([]string, len(Services))
	for i, s := range Services {
		names[i] = s.Name
	}
	return names
}

// DefaultURL returns the in-cluster URL of a service: what the course's
// code calls, for example http://event-bus-srv:4005.
func (s Service) DefaultURL() string {
	return fmt.Sprintf("http://%s:%d", s.ServiceName, s.Port)
}

// DefaultSubscribers returns the in-cluster URLs the event bus delivers to.
func DefaultSubscribers() []string {
	var urls []string
	for _, s := range Services {
		if s.Subscribes {
			urls = append(urls, s.DefaultURL()+"/events")
		}
	}
	return urls
}
