// Package e2e holds blogctl's end-to-end tests of the Kubernetes target:
// they run blogctl's commands against a real cluster (the test cluster of
// test/cluster, whose env file names it) and a real Docker engine.
package e2e
