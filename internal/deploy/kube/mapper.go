package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// NewApplier builds an Applier for the cluster, with a REST mapper that
// discovers the server's kinds once and caches them.
func (c *Cluster) NewApplier() (*Applier, error) {
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		return nil, fmt.Errorf("building a client for context %q: %w", c.Context, err)
	}
	cached := memory.NewMemCacheClient(c.Clientset.Discovery())
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(cached)
	return &Applier{Dynamic: dyn, Mapper: mapper, Namespace: c.Namespace}, nil
}

func schemaGVR(group, version, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
}
