package apimodel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// modelsDir is where the botocore models the generator reads are committed,
// relative to this package's directory.
const modelsDir = "internal/gen/models"

// TestGeneratedTablesUpToDate regenerates the tables into a temporary
// directory and fails when the committed zz_*.go files differ.
func TestGeneratedTablesUpToDate(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the generator: %v", err)
	}
	out := t.TempDir()
	cmd := exec.Command(goBin, "run", "./internal/gen", "-models", modelsDir, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator failed: %v\n%s", err, msg)
	}
	fresh, err := filepath.Glob(filepath.Join(out, "zz_*.go"))
	if err != nil || len(fresh) == 0 {
		t.Fatalf("generator wrote no zz_*.go files (%v)", err)
	}
	committed, _ := filepath.Glob("zz_*.go")
	if len(committed) != len(fresh) {
		t.Errorf("committed %v, generator writes %d files", committed, len(fresh))
	}
	for _, f := range fresh {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Base(f))
		if err != nil {
			t.Errorf("%s is not committed: run go generate ./apimodel/", filepath.Base(f))
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator writes: run go generate ./apimodel/", filepath.Base(f))
		}
	}
}

// TestModelsCarryNoProse: the committed models are data only; the import
// (go run ./internal/gen -import) drops Amazon's documentation strings.
func TestModelsCarryNoProse(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(modelsDir, "*.json"))
	if len(files) != 4 {
		t.Fatalf("models %v, want the service and paginator files of both services", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, trait := range []string{`"documentation"`, `"deprecatedMessage"`, `"documentationUrl"`} {
			if bytes.Contains(b, []byte(trait)) {
				t.Errorf("%s carries %s: re-import it with go run ./internal/gen -import", f, trait)
			}
		}
	}
}
