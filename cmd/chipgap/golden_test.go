package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/")

// goldenCases are fixed invocations whose whole stdout is compared with
// testdata/golden/NAME.txt (go test ./cmd/chipgap -run TestGolden -update
// rewrites them; review the diff). Substring checks miss a changed
// figure; these do not. The data they read (catalog/data,
// runs/testdata) moves them too: rerun with -update when it changes.
var goldenCases = []struct {
	name string
	args []string
}{
	{"chips", []string{"chips"}},
	{"chips-h100-sxm", []string{"chips", "h100-sxm"}},
	{"compare-chips", []string{"compare-chips", "h100-sxm", "ascend-910c", "b200"}},
	{"models", []string{"models"}},
	{"models-deepseek-v3", []string{"models", "deepseek-v3"}},
	{"fab", []string{"fab"}},
	{"fab-b200-json", []string{"fab", "--chip", "b200", "--json"}},
	{"train", []string{"train", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "64", "--global-batch", "512", "--seq", "8192", "--tp", "8", "--pp", "2"}},
	{"train-json", []string{"train", "--model", "llama3.1-70b", "--chip", "ascend-910c", "--chips", "64", "--global-batch", "512", "--seq", "8192", "--tp", "8", "--pp", "2", "--json"}},
	{"validate", []string{"validate", "runs/testdata/published-runs.yaml"}},
	{"serve-estimate", []string{"serve-estimate", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8"}},
	{"run", []string{"run", "--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "16384", "--days", "54", "--mfu", "0.4"}},
	{"simulate", []string{"simulate", "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--rate", "5", "--requests", "500"}},
	{"simulate-disagg", []string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "2", "--tp", "1", "--mode", "disaggregated", "--link-bandwidth", "1GB/s", "--rate", "5", "--requests", "500"}},
	// $SWEEP is a directory the test fills by sweeping examples/sweep-small.yaml.
	{"sweep-report", []string{"sweep", "report", "$SWEEP"}},
}

func TestGolden(t *testing.T) {
	var sweepDir string
	for _, c := range goldenCases {
		args := slices.Clone(c.args)
		for i, a := range args {
			if filepath.Dir(a) == "runs/testdata" {
				args[i] = filepath.Join("..", "..", a)
			}
			if a == "$SWEEP" {
				if sweepDir == "" {
					sweepDir = filepath.Join(t.TempDir(), "sweep")
					if code, _, errs := runCmd(t, "sweep", filepath.Join("..", "..", "examples", "sweep-small.yaml"), "--out", sweepDir); code != exitOK {
						t.Fatalf("sweep: exit %d: %s", code, errs)
					}
				}
				args[i] = sweepDir
			}
		}
		code, out, errs := runCmd(t, args...)
		if code != exitOK {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errs)
			continue
		}
		path := filepath.Join("testdata", "golden", c.name+".txt")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create it)", c.name, err)
		}
		if out != string(want) {
			t.Errorf("chipgap %v: stdout differs from %s (rerun with -update and review the diff)\n%s", c.args, path, firstDiff(string(want), out))
		}
	}
}

// firstDiff names the first line where got departs from want.
func firstDiff(want, got string) string {
	line := 1
	for i := 0; i < len(want) && i < len(got); i++ {
		if want[i] != got[i] {
			return "line " + strconv.Itoa(line) + ": want …" + clip(want[i:]) + "\n        got  …" + clip(got[i:])
		}
		if want[i] == '\n' {
			line++
		}
	}
	return "line " + strconv.Itoa(line) + ": one output is a prefix of the other"
}

func clip(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s[:min(len(s), 80)]
}
