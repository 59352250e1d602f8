package apimodel

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// modelsDir is where the botocore models live in the development tree,
// relative to this package's directory.
const modelsDir = "../../shared/aws-models"

// TestGeneratedTablesUpToDate regenerates the tables into a temporary
// directory and fails when the committed zz_*.go files differ.
func TestGeneratedTablesUpToDate(t *testing.T) {
	if _, err := os.Stat(modelsDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s does not exist: the generated tables cannot be checked against the models here", modelsDir)
	}
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
