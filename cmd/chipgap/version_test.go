package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "e13bf81c0a1f2b3c4d5e6f708192a3b4c5d6e7f8"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}}
	for _, c := range []struct {
		main     string
		settings []debug.BuildSetting
		want     string
	}{
		{"v1.2.3", nil, "v1.2.3"},
		{"v0.0.0-20260102030405-e13bf81c0a1f", rev, "v0.0.0-20260102030405-e13bf81c0a1f"},
		{"(devel)", rev, "(devel) e13bf81c0a1f 2026-01-02T03:04:05Z"},
		{"(devel)", append(rev[:1:1], debug.BuildSetting{Key: "vcs.modified", Value: "true"}), "(devel) e13bf81c0a1f+dirty"},
		{"(devel)", nil, "(devel)"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Version: c.main}, Settings: c.settings}
		if got := versionOf(bi); got != c.want {
			t.Errorf("versionOf(%q, %v) = %q, want %q", c.main, c.settings, got, c.want)
		}
	}
}
