package main

import (
	"runtime/debug"
	"strings"
)

// version reports what the binary was built from, from its build
// information: the module version when it has one (go install of a
// tagged module, or go build's version from the VCS: a tag or a
// pseudo-version), else the VCS revision and time, "+dirty" when the
// tree had changes; "(devel)" only when neither was recorded (go run,
// -buildvcs=false).
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" {
		if rev := vcs["vcs.revision"]; rev != "" && !strings.Contains(v, shortRev(rev)) {
			v += " (" + shortRev(rev) + ")"
		}
		return v
	}
	rev := vcs["vcs.revision"]
	if rev == "" {
		return "(devel)"
	}
	v = "(devel) " + shortRev(rev)
	if vcs["vcs.modified"] == "true" {
		v += "+dirty"
	}
	if t := vcs["vcs.time"]; t != "" {
		v += " " + t
	}
	return v
}

// shortRev is a commit hash's first 12 characters (as pseudo-versions
// carry it).
func shortRev(rev string) string { return rev[:min(12, len(rev))] }
