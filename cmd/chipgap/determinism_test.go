package main

import (
	"runtime"
	"testing"
)

// The same seed gives the same bytes whatever the parallelism: report,
// simulate and run with --json at GOMAXPROCS 1, 2 and 8 (issue 14).
func TestSameSeedSameBytesAtAnyGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the report three times")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, args := range [][]string{
		{"report", "--samples", "40", "--seed", "7", "--json"},
		{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--rate", "5", "--requests", "300", "--seed", "3", "--json"},
		{"run", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "64", "--days", "3", "--mfu", "0.4", "--seeds", "8", "--seed", "5", "--json"},
	} {
		var first string
		for _, procs := range []int{1, 2, 8} {
			runtime.GOMAXPROCS(procs)
			code, out, stderr := runCLI(args...)
			if code != exitOK {
				t.Fatalf("%v at GOMAXPROCS %d: exit %d: %s", args, procs, code, stderr)
			}
			if procs == 1 {
				first = out
			} else if out != first {
				t.Errorf("%v: GOMAXPROCS %d differs from GOMAXPROCS 1 (%d vs %d bytes)", args, procs, len(out), len(first))
			}
		}
	}
}
