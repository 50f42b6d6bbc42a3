package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateUsage: --json and --markdown together used to print JSON
// and ignore --markdown silently; they are two output formats, so asking
// for both is a usage error, before any prediction runs.
func TestValidateUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", calibrationFile(t), "--json", "--markdown"}, "--json and --markdown"},
		{[]string{"validate"}, "at least one FILE"},
	} {
		code, out, errs := runCmd(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, %d bytes out; want exit 2 naming %q and no output", c.args, code, errs, len(out), c.want)
		}
	}
}

// TestValidateNonePredictedJSON: a file none of whose runs can be
// predicted has no error to summarise; --json says so with nulls, not
// with 0 (a perfect score), as the text says "none predicted".
func TestValidateNonePredictedJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(p, []byte("format: published-runs/v1\nruns: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "validate", p, "--json")
	var v struct {
		Summary map[string]any `json:"summary"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, k := range []string{"mean_abs_error", "median_abs_error", "worst_error"} {
		if x, ok := v.Summary[k]; !ok || x != nil {
			t.Errorf("summary %s = %v (present %v), want null: %s", k, x, ok, out)
		}
	}
	if _, ok := v.Summary["worst"]; ok {
		t.Errorf("summary names a worst run with none predicted: %s", out)
	}
}
