package packaging_test

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinarySmoke runs the release archive's static binary configured the
// way the README runs the container image (CONNECTMAIL_EMULATOR=1 on
// 0.0.0.0, nothing on the command line but serve) and passes it the same smoke test as the
// container.
func TestBinarySmoke(t *testing.T) {
	rel := releaseBuild(t)
	cmd := exec.Command(rel.bin, "serve", "--log-format", "json")
	cmd.Env = append(os.Environ(),
		"CONNECTMAIL_EMULATOR=1", "CONNECTMAIL_ADDR=0.0.0.0:0",
		"CONNECTMAIL_DB=sqlite:"+filepath.Join(t.TempDir(), "connectmail.db"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("connectmail did not drain within 30s of SIGTERM")
		}
	})
	ready := make(chan string, 1)
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			var line struct{ Msg, HTTP string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "connectmail ready" {
				ready <- strings.TrimPrefix(line.HTTP, "http://")
			}
		}
		exited <- cmd.Wait()
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-exited:
		exited <- err
		t.Fatalf("connectmail exited before it was ready: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("connectmail was not ready within 30s")
	}
	t.Logf("release binary: exec → ready in %s", time.Since(start).Round(time.Millisecond))
	host, port, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsUnspecified() {
		t.Fatalf("listening on %q, want every interface", addr)
	}
	smoke(t, "http://127.0.0.1:"+port)
}
