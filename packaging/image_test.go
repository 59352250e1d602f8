package packaging_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/connect"
)

// imageName is the tag the tests build the repository's Dockerfile as.
const imageName = "localhost/connectmail:test"

var imageOnce sync.Once
var imageErr error

// connectmailImage builds ../Dockerfile once per test binary, with the
// local builder standing in for docker.io/library/golang. Modules come from
// the Go module proxy inside the build (its network); the machine's compile
// cache is mounted so that a rebuild costs about a link (the Dockerfile's
// GOCACHE build argument).
func connectmailImage(t *testing.T) (podman, string) {
	t.Helper()
	p, builder := containerRuntime(t)
	imageOnce.Do(func() {
		gocache, err := goEnv("GOCACHE")
		if err != nil {
			imageErr = err
			return
		}
		commit, _ := exec.Command("git", "rev-parse", "HEAD").Output()
		previous, _ := p.output("image", "inspect", "--format", "{{.Id}}", imageName)
		start := time.Now()
		out, err := p.output("build", "--format", "docker", "--layers=false",
			"--build-arg", "GO_IMAGE="+builder,
			"--build-arg", "VERSION="+releaseVersion, "--build-arg", "COMMIT="+strings.TrimSpace(string(commit)),
			"--build-arg", "GOCACHE=/host-gocache", "--volume", gocache+":/host-gocache",
			"--tag", imageName, "--file", "../Dockerfile", "..")
		if err != nil {
			imageErr = err
			return
		}
		t.Logf("podman build took %s (%s)", time.Since(start).Round(time.Millisecond), lastLine(out))
		if previous != "" && !strings.HasPrefix(lastLine(out), previous) {
			_, _ = p.output("rmi", previous) // the last run's image, untagged now; in use, it stays
		}
	})
	if imageErr != nil {
		t.Fatal(imageErr)
	}
	return p, imageName
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// container is one running connectmail container.
type container struct {
	p        podman
	name     string
	endpoint string // http://127.0.0.1:<published port>
}

// startContainer runs the image detached with its HTTP port published on a
// free loopback port, removes it at the end of the test, and returns once
// /healthz answers; it logs how long that took.
func startContainer(t *testing.T, p podman, image string, args ...string) *container {
	t.Helper()
	name := uniqueName("connectmail-test-")
	start := time.Now()
	run := append([]string{"run", "--detach", "--name", name, "--publish", "127.0.0.1::4580"}, args...)
	p.must(t, append(run, image)...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("container %s logs:\n%s", name, p.logs(name))
		}
		_, _ = p.output("rm", "--force", "--volumes", "--time", "5", name)
	})
	port := p.must(t, "port", name, "4580/tcp")
	if _, _, err := net.SplitHostPort(port); err != nil {
		t.Fatalf("podman port: %q", port)
	}
	c := &container{p: p, name: name, endpoint: "http://" + port}
	took := waitHealthy(t, c.endpoint, start, 30*time.Second)
	t.Logf("container %s: podman run → /healthz 200 in %s", name, took.Round(time.Millisecond))
	return c
}

// TestContainerImage checks what the image declares: non-root, scratch,
// emulator defaults, the /data volume, ports, health check and labels; and
// reports its size.
func TestContainerImage(t *testing.T) {
	p, image := connectmailImage(t)
	var inspect []struct {
		Size int64
		// podman reports the health check here, docker under Config.
		Healthcheck *struct{ Test []string }
		Config      struct {
			User         string
			Env          []string
			ExposedPorts map[string]any
			Volumes      map[string]any
			Entrypoint   []string
			Cmd          []string
			Labels       map[string]string
		}
	}
	if err := json.Unmarshal([]byte(p.must(t, "image", "inspect", image)), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect: %v", err)
	}
	img := inspect[0]
	t.Logf("image %s: %.1f MB", image, float64(img.Size)/1e6)
	cfg := img.Config
	env := strings.Join(cfg.Env, "\n") + "\n"
	checks := []struct {
		what string
		ok   bool
		got  any
	}{
		{"runs as the numeric non-root user 65532", cfg.User == "65532:65532", cfg.User},
		{"0.0.0.0:4580, emulator mode only when asked", !strings.Contains(env, "CONNECTMAIL_EMULATOR") && strings.Contains(env, "CONNECTMAIL_ADDR=0.0.0.0:4580\n"), cfg.Env},
		{"SQLite database on the volume", strings.Contains(env, "CONNECTMAIL_DB=sqlite:/data/connectmail.db\n"), cfg.Env},
		{"inbound SMTP on 2525", strings.Contains(env, "CONNECTMAIL_SMTP_ADDR=0.0.0.0:2525\n"), cfg.Env},
		{"/data is a volume", cfg.Volumes["/data"] != nil, cfg.Volumes},
		{"exposes 4580 and 2525", cfg.ExposedPorts["4580/tcp"] != nil && cfg.ExposedPorts["2525/tcp"] != nil, cfg.ExposedPorts},
		{"entrypoint is the binary, serve by default", strings.Join(cfg.Entrypoint, " ") == "/connectmail" && strings.Join(cfg.Cmd, " ") == "serve", [][]string{cfg.Entrypoint, cfg.Cmd}},
		{"health check runs connectmail healthcheck", img.Healthcheck != nil && strings.Join(img.Healthcheck.Test, " ") == "CMD /connectmail healthcheck", img.Healthcheck},
		{"OCI labels", cfg.Labels["org.opencontainers.image.source"] == "https://github.com/connectmail/connectmail" && cfg.Labels["org.opencontainers.image.version"] == releaseVersion && len(cfg.Labels["org.opencontainers.image.revision"]) == 40, cfg.Labels},
		{"small (under 40 MB)", img.Size > 0 && img.Size < 40e6, img.Size},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: got %v", c.what, c.got)
		}
	}
	// Nothing but the binary, CA certificates, passwd/group, /tmp and /data:
	// the image has no shell to exec into.
	if out, err := p.output("run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c", "true"); err == nil {
		t.Errorf("the image has a /bin/sh: %s", out)
	}
	out := p.must(t, "run", "--rm", "--network", "none", image, "version")
	if want := "connectmail " + releaseVersion + " (commit "; !strings.HasPrefix(out, want) {
		t.Errorf("connectmail version in the image printed %q, want prefix %q", out, want)
	}
}

// TestContainerSmoke runs the image as a user would (`podman run -p`), runs
// the acceptance smoke test against it through the published port, checks
// its HEALTHCHECK, and shows that the data lives on the /data volume: a new
// container on the same volume still has the instance.
func TestContainerSmoke(t *testing.T) {
	p, image := connectmailImage(t)
	volume := uniqueName("connectmail-test-data-")
	t.Cleanup(func() { _, _ = p.output("volume", "rm", "--force", volume) })
	c := startContainer(t, p, image, "--env", "CONNECTMAIL_EMULATOR=1", "--volume", volume+":/data", "--env", "CONNECTMAIL_LOG_LEVEL=debug")
	instanceID := smoke(t, c.endpoint)

	// The image's HEALTHCHECK (podman runs it on demand here: no systemd timers).
	if out, err := p.output("healthcheck", "run", c.name); err != nil {
		t.Errorf("podman healthcheck run: %v %q", err, out)
	}
	if status := p.must(t, "inspect", "--format", "{{.State.Health.Status}}", c.name); status != "healthy" {
		t.Errorf("health status after a check: %q", status)
	}
	logs := p.logs(c.name)
	if _, after, ok := strings.Cut(logs, "msg=started startup="); ok {
		t.Logf("server startup inside the container (server.New to listening): %s", strings.Fields(after)[0])
	} else {
		t.Errorf("no startup time in the container's debug log:\n%s", logs)
	}
	if !strings.Contains(logs, "EMULATOR MODE") {
		t.Errorf("the emulator's warning is not in the container's log:\n%s", logs)
	}

	p.must(t, "rm", "--force", "--volumes", "--time", "10", c.name) // the named volume stays
	again := startContainer(t, p, image, "--env", "CONNECTMAIL_EMULATOR=1", "--volume", volume+":/data")
	client := sdkFromEnvironment(t, map[string]string{"AWS_ENDPOINT_URL": again.endpoint})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := client.ListInstances(ctx, &connect.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, i := range list.InstanceSummaryList {
		found = found || *i.Id == instanceID
	}
	if !found {
		t.Errorf("instance %s is gone after a new container on the same /data volume", instanceID)
	}
}

// TestContainerEmulatorOnlyWhenAsked: as the image comes, with neither
// CONNECTMAIL_EMULATOR=1 nor credentials, the server refuses to listen on
// 0.0.0.0 (`podman run -p 4580:4580 connectmail` must not open the public
// test/test key to the network); a credentials file with the emulator on is
// refused too, so the public key cannot ride along with real ones.
func TestContainerEmulatorOnlyWhenAsked(t *testing.T) {
	p, image := connectmailImage(t)
	creds := filepath.Join(t.TempDir(), "credentials.json")
	if err := os.WriteFile(creds, []byte(`{"keys": [{"accessKeyId": "AKIAX", "secretAccessKey": "x"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"the image's defaults: no emulator, no credentials", nil, "refusing to listen on 0.0.0.0:4580"},
		{"emulator off, no credentials", []string{"--env", "CONNECTMAIL_EMULATOR=0"}, "refusing to listen on 0.0.0.0:4580"},
		{"credentials with the emulator on", []string{"--env", "CONNECTMAIL_EMULATOR=1", "--volume", creds + ":/c.json:ro", "--env", "CONNECTMAIL_CREDENTIALS=/c.json"}, "does not go with --credentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm", "--network", "none"}, c.args...), image)
			out, err := p.output(args...)
			if err == nil || !strings.Contains(out+err.Error(), c.want) {
				t.Fatalf("the container did not refuse with %q: %v %s", c.want, err, out)
			}
		})
	}
}

// TestContainerWithCredentials is the README's way out of emulator mode:
// a credentials file mounted read-only, the emulator off. The file's key
// works; the public test/test key does not.
func TestContainerWithCredentials(t *testing.T) {
	p, image := connectmailImage(t)
	creds := filepath.Join(t.TempDir(), "credentials.json")
	const id, secret = "AKIACONTAINERTEST", "container-test-secret"
	doc := fmt.Sprintf(`{"keys": [{"accessKeyId": %q, "secretAccessKey": %q, "allow": ["connect:*", "inspect:*"]}]}`, id, secret)
	if err := os.WriteFile(creds, []byte(doc), 0o644); err != nil { // readable by the image's UID 65532
		t.Fatal(err)
	}
	c := startContainer(t, p, image, "--volume", creds+":/run/secrets/credentials.json:ro",
		"--env", "CONNECTMAIL_CREDENTIALS=/run/secrets/credentials.json")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, k := range []struct {
		id, secret string
		ok         bool
	}{{id, secret, true}, {"test", "test", false}} {
		client := sdkFromEnvironment(t, map[string]string{"AWS_ENDPOINT_URL": c.endpoint, "AWS_ACCESS_KEY_ID": k.id, "AWS_SECRET_ACCESS_KEY": k.secret})
		_, err := client.ListInstances(ctx, &connect.ListInstancesInput{})
		if (err == nil) != k.ok {
			t.Errorf("ListInstances with key %s: %v, want success=%v", k.id, err, k.ok)
		}
	}
}

// TestContainerHostCheck: the emulator answers its own host names and
// loopback, and refuses other Host headers (DNS rebinding stays closed).
func TestContainerHostCheck(t *testing.T) {
	p, image := connectmailImage(t)
	c := startContainer(t, p, image, "--env", "CONNECTMAIL_EMULATOR=1")
	hostname := p.must(t, "inspect", "--format", "{{.Config.Hostname}}", c.name)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(c.endpoint, "http://"))
	cases := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + port, true},
		{"localhost:" + port, true},
		{hostname + ":4580", true},
		{"attacker.example:" + port, false},
		{"connectmail.example.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			code := statusWithHost(t, c.endpoint+"/api/v1/messages", tc.host)
			if (code == 200) != tc.ok {
				t.Errorf("GET /api/v1/messages with Host %s: %d, want allowed=%v", tc.host, code, tc.ok)
			}
		})
	}
}

func statusWithHost(t *testing.T, url, host string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
