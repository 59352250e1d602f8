package packaging_test

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// releaseVersion is what the tests stamp into release builds.
const releaseVersion = "v0.0.0-releasetest"

// release is one run of scripts/release.sh for this machine's platform.
type release struct {
	dir     string // OUT
	archive string // the archive's file name
	bin     string // connectmail extracted from it
	commit  string
	took    time.Duration
	err     error
}

var releaseOnce sync.Once
var releaseRun release

// releaseBuild runs scripts/release.sh for linux/GOARCH once per test
// binary (the binary smoke test and the systemd test use its binary).
func releaseBuild(t *testing.T) release {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the release test unpacks and runs the linux archive")
	}
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "connectmail-release")
		if err != nil {
			releaseRun.err = err
			return
		}
		releaseRun = release{dir: dir, commit: "0123456789abcdef0123456789abcdef01234567"}
		start := time.Now()
		cmd := exec.Command("../scripts/release.sh", releaseVersion)
		cmd.Env = append(os.Environ(), "TARGETS=linux/"+runtime.GOARCH, "OUT="+dir, "COMMIT="+releaseRun.commit)
		if out, err := cmd.CombinedOutput(); err != nil {
			releaseRun.err = fmt.Errorf("scripts/release.sh: %v\n%s", err, out)
			return
		}
		releaseRun.took = time.Since(start)
		releaseRun.archive = fmt.Sprintf("connectmail_%s_linux_%s.tar.gz", strings.TrimPrefix(releaseVersion, "v"), runtime.GOARCH)
		releaseRun.bin, releaseRun.err = extract(filepath.Join(dir, releaseRun.archive), filepath.Join(dir, "unpacked"))
	})
	if releaseRun.err != nil {
		t.Fatal(releaseRun.err)
	}
	return releaseRun
}

// extract unpacks a release tar.gz and returns the path of its connectmail.
func extract(archive, into string) (string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(zr)
	bin := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		path := filepath.Join(into, filepath.FromSlash(hdr.Name))
		if !strings.HasPrefix(path, into+string(filepath.Separator)) {
			return "", fmt.Errorf("archive entry %q escapes", hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return "", err
			}
			out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(hdr.Mode)&0o777)
			if err != nil {
				return "", err
			}
			_, err = io.Copy(out, tr)
			out.Close()
			if err != nil {
				return "", err
			}
			if filepath.Base(path) == "connectmail" {
				bin = path
			}
		}
	}
	if bin == "" {
		return "", fmt.Errorf("%s has no connectmail", archive)
	}
	return bin, nil
}

func TestReleaseScript(t *testing.T) {
	rel := releaseBuild(t)
	t.Logf("scripts/release.sh for linux/%s took %s", runtime.GOARCH, rel.took.Round(time.Millisecond))

	t.Run("checksums match the archives", func(t *testing.T) {
		sums, err := os.ReadFile(filepath.Join(rel.dir, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		sc := bufio.NewScanner(strings.NewReader(string(sums)))
		for sc.Scan() {
			sum, name, ok := strings.Cut(sc.Text(), "  ")
			if !ok {
				t.Fatalf("SHA256SUMS line %q is not sha256sum's format", sc.Text())
			}
			b, err := os.ReadFile(filepath.Join(rel.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
				t.Errorf("%s: SHA256SUMS says %s, file hashes to %x", name, sum, got)
			}
			listed[name] = true
		}
		if len(listed) != 1 || !listed[rel.archive] {
			t.Errorf("SHA256SUMS lists %v, want exactly %s", listed, rel.archive)
		}
	})

	t.Run("archive holds the binary, README and systemd unit", func(t *testing.T) {
		dir := filepath.Dir(rel.bin)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		if got := strings.Join(names, " "); got != "README.md connectmail connectmail.service" {
			t.Errorf("archive holds %q", got)
		}
	})

	t.Run("binary is static", func(t *testing.T) {
		f, err := elf.Open(rel.bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the release binary has an ELF interpreter: it is dynamically linked")
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("the release binary needs %v", libs)
		}
	})

	t.Run("version names the release and its commit", func(t *testing.T) {
		out, err := exec.Command(rel.bin, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("connectmail %s (commit %s, ", releaseVersion, rel.commit)
		if !strings.HasPrefix(string(out), want) {
			t.Errorf("version printed %q, want prefix %q", out, want)
		}
	})

	t.Run("archives are reproducible", func(t *testing.T) {
		// A second run with the same inputs writes byte-identical archives
		// (the build is cached by now, so this costs a link).
		dir := t.TempDir()
		cmd := exec.Command("../scripts/release.sh", releaseVersion)
		cmd.Env = append(os.Environ(), "TARGETS=linux/"+runtime.GOARCH, "OUT="+dir, "COMMIT="+rel.commit)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/release.sh: %v\n%s", err, out)
		}
		a, _ := os.ReadFile(filepath.Join(rel.dir, "SHA256SUMS"))
		b, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
		if string(a) != string(b) {
			t.Errorf("two runs differ:\n%s\n%s", a, b)
		}
	})
}

// TestGoInstallAtVersion is `go install <module>/cmd/connectmail@<version>`
// (what the README tells users to run) against a module proxy on disk that
// serves this checkout as that version: the module must be installable that
// way (no replace directives, the right module path), and the installed
// binary must report the version from its build info, with no -ldflags.
func TestGoInstallAtVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles connectmail; skipped with -short")
	}
	var mod struct {
		Module  struct{ Path string }
		Replace []any
	}
	out, err := exec.Command("go", "mod", "edit", "-json", "../go.mod").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	if mod.Module.Path != "github.com/connectmail/connectmail" {
		t.Fatalf("module path %q: update the README's go install line", mod.Module.Path)
	}
	const version = "v0.0.1-installtest"
	proxy := t.TempDir()
	if err := writeModuleProxy(proxy, mod.Module.Path, version, ".."); err != nil {
		t.Fatal(err)
	}
	gobin, modcache := t.TempDir(), t.TempDir()
	hostcache, _ := goEnv("GOMODCACHE")
	cmd := exec.Command("go", "install", mod.Module.Path+"/cmd/connectmail@"+version)
	cmd.Env = append(os.Environ(),
		// This module from the proxy on disk, its dependencies from the
		// machine's module cache (a valid GOPROXY layout), into a module
		// cache of its own. -trimpath and CGO_ENABLED=0 only let the build
		// reuse what the release build compiled.
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(hostcache, "cache", "download"))+",https://proxy.golang.org",
		"GONOSUMDB="+mod.Module.Path, "GOFLAGS=-trimpath -modcacherw", "CGO_ENABLED=0",
		"GOBIN="+gobin, "GOMODCACHE="+modcache, "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	got, err := exec.Command(filepath.Join(gobin, "connectmail"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "connectmail "+version+" (commit unknown, ") {
		t.Errorf("installed binary says %q, want version %s", got, version)
	}
}

// writeModuleProxy writes a GOPROXY directory (the file:// layout of
// https://go.dev/ref/mod#goproxy-protocol) serving the module in dir as
// version: the files git would ship (tracked and untracked-but-not-ignored).
func writeModuleProxy(proxy, path, version, dir string) error {
	v := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`, version, time.Now().UTC().Format(time.RFC3339))
	for name, body := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": []byte(info), version + ".mod": gomod} {
		if err := os.WriteFile(filepath.Join(v, name), body, 0o644); err != nil {
			return err
		}
	}
	files, err := exec.Command("git", "-C", dir, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %v", err)
	}
	f, err := os.Create(filepath.Join(v, version+".zip"))
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, name := range strings.Split(strings.TrimSpace(string(files)), "\n") {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		w, err := zw.Create(path + "@" + version + "/" + name)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}
