package packaging_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSystemdUnit checks packaging/connectmail.service with systemd's own
// tools: `systemd-analyze verify` (every key known, ExecStart executable)
// and the offline `systemd-analyze security` exposure score. The unit is
// verified as shipped except that ExecStart points at the release build's
// binary instead of /usr/local/bin, which does not exist here. It does not
// start the service: this machine runs no systemd as PID 1.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile("connectmail.service")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("hardening directives", func(t *testing.T) {
		for _, want := range []string{
			"DynamicUser=yes", "StateDirectory=connectmail", "ProtectSystem=strict", "ProtectHome=yes",
			"NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=\n",
			"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
			"MemoryDenyWriteExecute=yes", "Environment=CONNECTMAIL_DB=sqlite:/var/lib/connectmail/connectmail.db",
			"ExecStart=/usr/local/bin/connectmail serve\n",
		} {
			if !bytes.Contains(unit, []byte("\n"+want)) {
				t.Errorf("connectmail.service lacks %q", strings.TrimSpace(want))
			}
		}
	})
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian package systemd)")
	}
	rel := releaseBuild(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "connectmail.service")
	local := bytes.ReplaceAll(unit, []byte("ExecStart=/usr/local/bin/connectmail "), []byte("ExecStart="+rel.bin+" "))
	if err := os.WriteFile(path, local, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("systemd-analyze verify", func(t *testing.T) {
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
		}
	})
	t.Run("systemd-analyze security", func(t *testing.T) {
		// Exposure runs from 0.0 (locked down) to 10.0 (no sandboxing);
		// --threshold is in tenths and makes it exit non-zero above 1.5.
		out, err := exec.Command(analyze, "security", "--offline=true", "--threshold=15", path).CombinedOutput()
		m := regexp.MustCompile(`Overall exposure level for connectmail.service: (\d+\.\d+ \S+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("systemd-analyze security printed no exposure level: %v\n%s", err, out)
		}
		t.Logf("systemd-analyze security: exposure %s", m[1])
		if err != nil {
			t.Fatalf("exposure %s is above 1.5: %v\n%s", m[1], err, out)
		}
	})
}
