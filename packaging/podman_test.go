package packaging_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// podman drives the podman CLI. This machine's quirks (the runc runtime
// because crun fails here, cgroupfs, rlimits that cannot be raised) live in
// the containers.conf that scripts/testenv.sh writes and exports as
// CONTAINERS_CONF, so every podman child — podman-compose's too — gets them.
type podman struct {
	bin string
}

// cmd is a podman command line; podman inherits the environment.
func (p podman) cmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, p.bin, args...)
}

// output runs podman and returns its trimmed stdout; the error carries stderr.
func (p podman) output(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := p.cmd(ctx, args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return stdout.String(), fmt.Errorf("podman %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// must is output, failing the test on error.
func (p podman) must(tb testing.TB, args ...string) string {
	tb.Helper()
	out, err := p.output(args...)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// logs is a container's output, stdout and stderr together.
func (p podman) logs(name string) string {
	out, err := exec.Command(p.bin, "logs", name).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("podman logs %s: %v\n%s", name, err, out)
	}
	return string(out)
}

// exists reports whether an image is in local storage.
func (p podman) exists(image string) bool {
	return exec.Command(p.bin, "image", "exists", image).Run() == nil
}

// runtimeState is what probing the container runtime found, once per test binary.
type runtimeState struct {
	p       podman
	builder string // the local Go builder image
	skip    string // why the container tests cannot run here ("" = they can)
}

var runtimeOnce sync.Once
var runtimeFound runtimeState

// containerRuntime returns a working podman and the local builder image,
// or skips the test saying why there is none (the rule: skip with a
// clear message where no runtime works). CONNECTMAIL_TEST_REQUIRE_CONTAINERS=1
// turns that skip into a failure, for machines known to run containers.
func containerRuntime(t *testing.T) (podman, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("container tests build an image; skipped with -short")
	}
	runtimeOnce.Do(func() { runtimeFound = probeRuntime() })
	if runtimeFound.skip != "" {
		if os.Getenv("CONNECTMAIL_TEST_REQUIRE_CONTAINERS") == "1" {
			t.Fatalf("CONNECTMAIL_TEST_REQUIRE_CONTAINERS=1 but podman cannot run containers: %s", runtimeFound.skip)
		}
		if os.Getenv("CONNECTMAIL_TEST_PODMAN") != "" {
			t.Skipf("SKIPPED: podman is installed and configured by scripts/testenv.sh but cannot run containers on this machine: %s", runtimeFound.skip)
		}
		t.Skipf("SKIPPED: no working container runtime (source scripts/testenv.sh to install and configure podman): %s", runtimeFound.skip)
	}
	return runtimeFound.p, runtimeFound.builder
}

func probeRuntime() runtimeState {
	bin := os.Getenv("CONNECTMAIL_TEST_PODMAN")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("podman"); err != nil {
			return runtimeState{skip: "podman is not installed"}
		}
	}
	p := podman{bin: bin}
	builder, err := builderImage(p)
	if err != nil {
		return runtimeState{skip: err.Error()}
	}
	// The probe: can a container run at all (runtime, cgroups, rlimits)?
	if out, err := p.output("run", "--rm", "--network", "none", builder, "go", "version"); err != nil {
		return runtimeState{skip: err.Error()}
	} else if !strings.HasPrefix(out, "go version ") {
		return runtimeState{skip: "go version in a container printed " + out}
	}
	return runtimeState{p: p, builder: builder}
}

// goEnv is `go env NAME`.
func goEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	return strings.TrimSpace(string(out)), err
}

// builderImage is the stand-in for docker.io/library/golang, which cannot
// be pulled here: this machine's Go toolchain, a shell and the two
// coreutils the Dockerfile's build stage uses, imported as an image. It is
// rebuilt only when the toolchain version changes.
func builderImage(p podman) (string, error) {
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %v", err)
	}
	goversion, err := goEnv("GOVERSION")
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %v", err)
	}
	tools := []string{"/bin/sh"}
	for _, tool := range []string{"mkdir", "chmod"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			return "", fmt.Errorf("builder image: %v", err)
		}
		tools = append(tools, path)
	}
	img := hostImage{
		name:  "localhost/connectmail-test-golang",
		files: append(tools, "/etc/ssl/certs/ca-certificates.crt"),
		trees: map[string]string{goroot: "/usr/local/go"},
		dirs:  []string{"/tmp", "/root", "/go"},
		changes: []string{
			"ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/bin:/usr/bin:/bin",
			"ENV GOPATH=/go", "ENV HOME=/root", "ENV GOTOOLCHAIN=local",
			"WORKDIR /go",
		},
	}
	return img.build(p, goversion)
}

// hostImage is an image assembled from this machine's files, for the
// stand-ins of images that cannot be pulled here (Go builder, Mailpit, the
// aws CLI). Dynamically linked programs bring the shared libraries ldd
// names, so they run as they do on the host.
type hostImage struct {
	name    string
	files   []string          // copied at the same path (symlinks followed and kept)
	trees   map[string]string // directory on the host → path in the image, copied whole
	dirs    []string          // empty directories, world-writable and sticky like /tmp
	changes []string          // podman import --change instructions
}

// build imports the image unless local storage has it already, and returns
// its name with a tag made of version and a digest of the recipe.
func (h hostImage) build(p podman, version string) (string, error) {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d %q", hostImageRecipe, h)))
	h.name += ":" + version + "-" + hex.EncodeToString(sum[:4])
	if p.exists(h.name) {
		return h.name, nil
	}
	if err := h.importInto(p); err != nil {
		return "", err
	}
	// Images of an older recipe or version are not used again.
	repo, _, _ := strings.Cut(h.name, ":")
	older, _ := p.output("images", "--filter", "reference="+repo, "--format", "{{.Repository}}:{{.Tag}}")
	for _, o := range strings.Fields(older) {
		if o != h.name {
			_, _ = p.output("rmi", o)
		}
	}
	return h.name, nil
}

// hostImageRecipe changes when the way rootfs assembles images does, so that
// cached images are rebuilt.
const hostImageRecipe = 1

func (h hostImage) importInto(p podman) error {
	pr, pw := io.Pipe()
	go func() {
		r := &rootfs{tw: tar.NewWriter(pw), seen: map[string]bool{}}
		pw.CloseWithError(r.build(h))
	}()
	args := []string{"import", "--quiet"}
	for _, c := range h.changes {
		args = append(args, "--change", c)
	}
	cmd := exec.Command(p.bin, append(args, "-", h.name)...)
	cmd.Stdin = pr
	out, err := cmd.CombinedOutput()
	pr.CloseWithError(errors.New("podman import ended"))
	if err != nil {
		return fmt.Errorf("podman import %s: %v\n%s", h.name, err, out)
	}
	return nil
}

// rootfs writes a root file system as a tar stream.
type rootfs struct {
	tw   *tar.Writer
	seen map[string]bool
}

func (r *rootfs) build(h hostImage) error {
	for _, d := range h.dirs {
		if err := r.header(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o1777, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		r.seen[d] = true
	}
	// Merged /usr (Debian 12: /bin → usr/bin and so on), as on the host.
	for _, f := range append([]string{"/bin", "/sbin", "/lib", "/lib64"}, h.files...) {
		if err := r.add(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for src, dst := range h.trees {
		if err := r.tree(src, dst); err != nil {
			return err
		}
	}
	return r.tw.Close()
}

func (r *rootfs) header(hdr *tar.Header) error {
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	return r.tw.WriteHeader(hdr)
}

// add copies a host path into the image at the same place: its parent
// directories (as symlinks where the host has symlinks, as with Debian's
// /bin → usr/bin), the path itself, a symlink's target, and the shared
// libraries of an ELF program.
func (r *rootfs) add(path string) error {
	path = filepath.Clean(path)
	if path == "/" || r.seen[path] {
		return nil
	}
	parent := filepath.Dir(path)
	realParent, err := filepath.EvalSymlinks(parent)
	if err != nil {
		return err
	}
	if realParent != parent {
		r.seen[path] = true
		if err := r.add(parent); err != nil {
			return err
		}
		return r.add(filepath.Join(realParent, filepath.Base(path)))
	}
	if err := r.add(parent); err != nil {
		return err
	}
	r.seen[path] = true
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return r.entry(path, path, fi, true)
}

// tree copies a whole host directory to dst in the image (no ldd: it is
// for self-contained trees such as GOROOT).
func (r *rootfs) tree(src, dst string) error {
	if err := r.add(filepath.Dir(dst)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		return r.entry(path, filepath.Join(dst, rel), fi, false)
	})
}

// entry writes one file system object read from src as dst in the image.
func (r *rootfs) entry(src, dst string, fi fs.FileInfo, deps bool) error {
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(src); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name = strings.TrimPrefix(dst, "/")
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if err := r.header(hdr); err != nil {
		return err
	}
	switch {
	case link != "" && deps:
		target := link
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(src), target)
		}
		return r.add(target)
	case fi.Mode().IsRegular():
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(r.tw, f); err != nil {
			return err
		}
		if deps {
			return r.sharedLibraries(src)
		}
	}
	return nil
}

var lddPath = regexp.MustCompile(`(?m)(?:=>\s*)?(/\S+)\s+\(0x`)

// sharedLibraries adds what ldd says a dynamically linked ELF file needs.
func (r *rootfs) sharedLibraries(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return nil // not ELF
	}
	libs, _ := f.ImportedLibraries()
	f.Close()
	if len(libs) == 0 {
		return nil
	}
	out, err := exec.Command("ldd", path).Output()
	if err != nil {
		return fmt.Errorf("ldd %s: %v", path, err)
	}
	for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
		if err := r.add(m[1]); err != nil {
			return err
		}
	}
	return nil
}

// uniqueName is a container, volume or project name no other test run uses.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
