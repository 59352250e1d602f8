package packaging_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestComposeRecipe brings up the repository's docker-compose.yml with
// podman-compose, unchanged except for its *_IMAGE and *_PORT variables:
// the connectmail image built from the Dockerfile, and stand-ins built from
// this machine for the two images that cannot be pulled here — Mailpit
// (go install github.com/axllent/mailpit@v1.33.1) and the aws CLI (this
// machine's aws CLI v1; the recipe names the official v2 image). The app
// container's script must finish, and Mailpit — reached from the host on
// its published port — must hold the message connectmail relayed to it.
func TestComposeRecipe(t *testing.T) {
	p, connectmail := connectmailImage(t)
	compose, err := exec.LookPath("podman-compose")
	if err != nil {
		if os.Getenv("CONNECTMAIL_TEST_PODMAN") != "" {
			t.Fatal("scripts/testenv.sh set up podman but podman-compose is missing")
		}
		t.Skip("podman-compose is not installed (Debian package podman-compose)")
	}
	mailpit, err := mailpitImage(p)
	if err != nil {
		t.Fatal(err)
	}
	awscli, err := awsCLIImage(p)
	if err != nil {
		t.Skipf("no aws CLI to build the app image from: %v", err)
	}
	project := uniqueName("cmcompose")
	cmPort, mpPort := freePort(t), freePort(t)
	env := append(os.Environ(), "CONNECTMAIL_IMAGE="+connectmail, "MAILPIT_IMAGE="+mailpit, "AWS_CLI_IMAGE="+awscli,
		"CONNECTMAIL_PORT="+cmPort, "MAILPIT_PORT="+mpPort)
	file, _ := filepath.Abs("../docker-compose.yml")
	run := func(ctx context.Context, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, compose, append([]string{"--project-name", project, "--file", file}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if out, err := run(ctx, "down", "--volumes"); err != nil {
			t.Logf("podman-compose down: %v\n%s", err, out)
		}
		// podman-compose 1.0.3 leaves the project's network behind.
		_, _ = p.output("network", "rm", "--force", project+"_default")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if out, err := run(ctx, "up", "--detach"); err != nil {
		t.Fatalf("podman-compose up: %v\n%s", err, out)
	}
	app := p.must(t, "ps", "--all", "--format", "{{.Names}}",
		"--filter", "label=io.podman.compose.project="+project, "--filter", "label=com.docker.compose.service=app")
	if app == "" || strings.Contains(app, "\n") {
		t.Fatalf("app containers of project %s: %q", project, app)
	}
	code, err := p.output("wait", app)
	logs := p.logs(app)
	if err != nil || code != "0" || !strings.Contains(logs, "delivered to Mailpit") {
		t.Fatalf("app container: exit %q %v\n%s", code, err, logs)
	}
	t.Logf("compose up → app finished in %s", time.Since(start).Round(time.Millisecond))

	// What the relay received, seen from the host through Mailpit's API.
	resp, err := http.Get("http://127.0.0.1:" + mpPort + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Total    int
		Messages []struct {
			Subject string
			From    struct{ Address string }
			To      []struct{ Address, Name string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || len(list.Messages) != 1 {
		t.Fatalf("Mailpit holds %d messages, want 1", list.Total)
	}
	m := list.Messages[0]
	if m.Subject != "Hello from compose" || m.From.Address != "support@example.com" || len(m.To) != 1 || m.To[0].Address != "customer@example.org" {
		t.Errorf("Mailpit's message: %+v", m)
	}
	// connectmail's own port, published on loopback, answers too.
	if resp, err := http.Get("http://127.0.0.1:" + cmPort + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("connectmail on its published port: %v", err)
	}
}

// freePort is a loopback TCP port nothing listens on right now.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// mailpitImage is Mailpit v1.33.1 as an image (ENTRYPOINT /mailpit, as the
// official one), from the binary scripts/testenv.sh installs or a fresh
// go install.
func mailpitImage(p podman) (string, error) {
	bin := os.Getenv("CONNECTMAIL_TEST_MAILPIT")
	if bin == "" {
		dir, err := os.MkdirTemp("", "connectmail-mailpit")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "install", "github.com/axllent/mailpit@v1.33.1")
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go install mailpit: %v\n%s", err, out)
		}
		bin = filepath.Join(dir, "mailpit")
	}
	content, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(content) // in the recipe, so in the tag
	return hostImage{
		name:    "localhost/connectmail-test-mailpit",
		files:   []string{bin},
		dirs:    []string{"/tmp"},
		changes: []string{fmt.Sprintf("ENTRYPOINT [%q]", bin), fmt.Sprintf("LABEL binary.sha256=%x", sum)},
	}.build(p, "v1.33.1")
}

// pythonFiles prints the aws CLI's version, then every file an aws CLI
// process needs from its Python installation: the interpreter, the standard
// library (without its tests and GUI), and the files of awscli and the
// distributions it requires.
const pythonFiles = `
import importlib.metadata as md, os, re, sys, sysconfig
import awscli
print(awscli.__version__)
files, seen, todo = {sys.executable}, set(), ["awscli"]
while todo:
    name = todo.pop()
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        continue
    seen.add(key)
    dist = md.distribution(name)
    for req in dist.requires or []:
        if "extra ==" not in req:
            todo.append(re.match(r"[A-Za-z0-9_.-]+", req).group(0))
    for f in dist.files or []:
        path = os.path.normpath(str(dist.locate_file(f)))
        if os.path.isfile(path):
            files.add(path)
skip = {"site-packages", "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3"}
for root, dirs, names in os.walk(sysconfig.get_paths()["stdlib"]):
    dirs[:] = [d for d in dirs if d not in skip and not d.startswith("config-")]
    files.update(os.path.join(root, n) for n in names if ".opt-" not in n)
print("\n".join(sorted(files)))
`

// awsCLIImage is this machine's aws CLI (v1, on its Python) as an image
// with a shell, standing in for docker.io/amazon/aws-cli.
func awsCLIImage(p podman) (string, error) {
	var python string
	for _, candidate := range []string{"python3", "python"} {
		path, err := exec.LookPath(candidate)
		if err == nil && exec.Command(path, "-c", "import awscli").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		return "", fmt.Errorf("no python on PATH imports awscli")
	}
	out, err := exec.Command(python, "-c", pythonFiles).Output()
	if err != nil {
		return "", fmt.Errorf("listing the aws CLI's files: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	version, files := lines[0], lines[1:]
	var bindir, interpreter string
	for _, f := range files {
		if filepath.Base(f) == "aws" && filepath.Base(filepath.Dir(f)) == "bin" {
			bindir = filepath.Dir(f)
			script, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			first, _, _ := strings.Cut(string(script), "\n")
			interpreter, _, _ = strings.Cut(strings.TrimPrefix(first, "#!"), " ")
		}
	}
	if bindir == "" || !filepath.IsAbs(interpreter) {
		return "", fmt.Errorf("the awscli distribution lists no bin/aws with a #! line")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return "", err
	}
	return hostImage{
		name:    "localhost/connectmail-test-awscli",
		files:   append([]string{"/bin/sh", sleep, interpreter}, files...),
		dirs:    []string{"/tmp"},
		changes: []string{"ENV PATH=" + bindir + ":/usr/bin:/bin", "ENV HOME=/tmp", `ENTRYPOINT ["aws"]`},
	}.build(p, version)
}
