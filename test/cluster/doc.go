// Package cluster holds the smoke test of the project's single-node test
// cluster. The cluster itself is started and stopped by the scripts in this
// directory (up, down, load-image); see README.md.
package cluster
