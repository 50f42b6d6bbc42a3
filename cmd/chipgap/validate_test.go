package main

import (
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
