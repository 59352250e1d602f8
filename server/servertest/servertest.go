// Package servertest runs a real connectmail server inside a test: the
// server package's own tests and those of the packages that drive it from
// outside (the AWS API sweep, the SDK clients, the web UI).
package servertest

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/connectmail/connectmail/server"
)

// Config is server.Defaults on a free loopback port, with a fresh SQLite
// database in the test's temporary directory and no log output.
func Config(tb testing.TB) server.Config {
	cfg := server.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = "sqlite:" + filepath.Join(tb.TempDir(), "cm.db")
	cfg.Logger = slog.New(slog.DiscardHandler)
	return cfg
}

// Server is a connectmail server running in a test.
type Server struct {
	*server.Server
	// Addr is the HTTP listener's address, URL its base URL.
	Addr, URL string
	tb        testing.TB
	cancel    context.CancelFunc
	done      chan error
	once      sync.Once
}

// Start runs a server with cfg until Stop or the end of the test.
func Start(tb testing.TB, cfg server.Config) *Server {
	tb.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Server: srv, Addr: addr, URL: "http://" + addr, tb: tb, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx) }()
	tb.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down gracefully and fails the test if it stopped
// with an error. Stopping again does nothing.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cancel()
		if err := <-s.done; err != nil {
			s.tb.Errorf("server stopped with %v", err)
		}
	})
}
