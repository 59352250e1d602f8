package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/connectmail/connectmail/server"
)

// healthcheck is `connectmail healthcheck`: it GETs /healthz of the server
// listening on --addr and exits 0 on 200 OK, 1 otherwise. It exists for
// container images without a shell or curl (HEALTHCHECK CMD ["/connectmail",
// "healthcheck"]); it reads the same CONNECTMAIL_ADDR as `serve`, so it finds
// the server the image's environment configures.
func healthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := server.Defaults().Addr
	if v, ok := os.LookupEnv(envName("addr")); ok {
		addr = v
	}
	fs.StringVar(&addr, "addr", addr, "the server's --addr `HOST:PORT`; an unspecified host (0.0.0.0, ::, empty) means this machine's loopback")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: connectmail healthcheck [--addr HOST:PORT] [--timeout D]\n\nExits 0 when GET http://HOST:PORT/healthz answers 200 OK, 1 otherwise.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	url, err := healthzURL(addr)
	if err != nil {
		fmt.Fprintln(stderr, "connectmail healthcheck:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := getOK(ctx, url); err != nil {
		fmt.Fprintln(stderr, "connectmail healthcheck:", err)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// healthzURL is the /healthz URL of a server listening on addr; a listener
// on every interface is reached on loopback.
func healthzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %v", addr, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || ip != nil && ip.Equal(net.IPv4zero):
		host = "127.0.0.1"
	case ip != nil && ip.Equal(net.IPv6unspecified):
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

func getOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// Straight to the server: a proxy in the environment is not on the way to it.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}
