package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// version and commit are stamped by scripts/release.sh and the container
// build (-ldflags "-X main.version=v1.2.3 -X main.commit=<sha>"). They are
// variables only because -X can set nothing else; nothing assigns them at
// run time. Empty means "ask the build info".
var (
	version string
	commit  string
)

// pseudoRevision matches the commit at the end of a Go pseudo-version
// (v0.0.0-20250102150405-abcdef123456, as `go install …@latest` records it
// for an untagged commit).
var pseudoRevision = regexp.MustCompile(`\d{14}-([0-9a-f]{12})$`)

// versionLine is what `connectmail version` prints. The version is the
// stamped one, else the module version the binary was built at (what
// `go install <module>/cmd/connectmail@v1.2.3` records), else "devel" for
// a build from a checkout (Go reports "(devel)"). The commit is the stamped one, else the VCS
// revision `go build` recorded, else the one a pseudo-version names, else
// "unknown".
func versionLine(info *debug.BuildInfo, stampedVersion, stampedCommit string) string {
	v, c := stampedVersion, stampedCommit
	goVersion := runtime.Version()
	var modified bool
	if info != nil {
		goVersion = info.GoVersion
		if v == "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if c == "" {
			base, _, _ := strings.Cut(info.Main.Version, "+")
			if m := pseudoRevision.FindStringSubmatch(base); m != nil {
				c = m[1]
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	} else if modified && stampedCommit == "" {
		c += "-dirty"
	}
	return fmt.Sprintf("connectmail %s (commit %s, %s, %s/%s)", v, c, goVersion, runtime.GOOS, runtime.GOARCH)
}
