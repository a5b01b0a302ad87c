package image_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"strconv"
	"testing"

	"github.com/moby/moby/client"
)

// testPrefix returns an image prefix no other test uses, and removes its
// images when the test ends.
func testPrefix(t *testing.T, c *client.Client) string {
	t.Helper()
	prefix := "blogctltest-" + randomName()
	t.Cleanup(func() { removeImages(t, c, prefix) })
	return prefix
}

func randomName() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// removeImages removes every image whose name starts with prefix/.
func removeImages(t testing.TB, c *client.Client, prefix string) {
	ctx := context.Background()
	list, err := c.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		if t != nil {
			t.Logf("listing images to clean up: %v", err)
		}
		return
	}
	for _, img := range list.Items {
		for _, tag := range img.RepoTags {
			if len(tag) > len(prefix) && tag[:len(prefix)+1] == prefix+"/" {
				c.ImageRemove(ctx, tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
			}
		}
	}
}

// freePort returns a TCP port free on 127.0.0.1 just now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}
