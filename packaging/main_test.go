package packaging_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if releaseRun.dir != "" {
		os.RemoveAll(releaseRun.dir)
	}
	os.Exit(code)
}
