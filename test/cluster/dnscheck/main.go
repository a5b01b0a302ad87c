// Command dnscheck asks one DNS server for the addresses of one name and
// fails unless it gets at least one. The test cluster's start-up uses it to
// tell a working cluster DNS from a network that answers every query.
//
// Usage: dnscheck SERVER_IP NAME
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dnscheck SERVER_IP NAME")
		os.Exit(2)
	}
	addrs, err := lookup(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "dnscheck: resolving %s through %s: %v\n", os.Args[2], os.Args[1], err)
		os.Exit(1)
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
}

// lookup resolves name with the DNS server at server:53 only.
func lookup(server, name string) ([]string, error) {
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, net.JoinHostPort(server, "53"))
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return r.LookupHost(ctx, name)
}
