package main

import (
	"testing"
)

// TestExitCodeRule holds every command to the one rule ("chipgap help",
// README "Exit codes"): 2 when the user's input is wrong (a flag, an id, a
// value, an input file), 1 when the input is fine but there is no answer
// or a file cannot be read. Before: an unknown id or a rejected value
// exited 1 in chips, models, fab, serve-estimate and simulate but 2 in
// train and run.
func TestExitCodeRule(t *testing.T) {
	serve := []string{"--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "8"}
	train := []string{"train", "--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "1024", "--global-batch", "1024", "--seq", "4096"}
	run := []string{"run", "--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "16384", "--days", "54"}
	cases := map[string][]struct {
		args []string
		code int
	}{
		"report":        {{[]string{"--samples", "-5"}, exitUsage}, {[]string{"testdata/no-such.yaml"}, exitFailure}},
		"compare-chips": {{[]string{"h100-sxm", "no-such-chip"}, exitUsage}},
		"chips":         {{[]string{"no-such-chip"}, exitUsage}},
		"models":        {{[]string{"no-such-model"}, exitUsage}},
		"train": {{append(train[1:], "--tp", "3"), exitUsage}, {append(train[1:], "--precision", "fp4"), exitUsage},
			{train[1:], exitFailure}}, // the plan does not fit
		"validate":       {{[]string{"testdata/no-such.yaml"}, exitFailure}, {[]string{"--bogus"}, exitUsage}},
		"fab":            {{[]string{"--chip", "no-such-chip"}, exitUsage}, {[]string{"--ai-share", "2"}, exitUsage}},
		"serve-estimate": {{append(serve, "--tp", "3"), exitUsage}, {serve, exitFailure}}, // the weights do not fit
		"run": {{append(run[1:], "--stack", "opencl"), exitUsage}, {append(run[1:], "--seq", "-1"), exitUsage},
			{append(run[1:], "--scenario", "testdata/no-such.yaml"), exitFailure}},
		"simulate": {{[]string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--rate", "-1"}, exitUsage},
			{[]string{"--model", "llama3.1-405b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1"}, exitFailure}},
		"web": {{[]string{"--timeout", "-1s"}, exitUsage}, {[]string{"--addr", "127.0.0.1:99999"}, exitUsage},
			{[]string{"--addr", "256.0.0.1:0"}, exitFailure}}, // well formed, cannot be bound
		"sweep": {{[]string{"--bogus"}, exitUsage}, {[]string{"testdata/no-such.yaml", "--out", "testdata/no-such-dir"}, exitFailure}},
	}
	for _, c := range commands() {
		if len(cases[c.name]) == 0 {
			t.Errorf("command %s has no exit-code case: add one", c.name)
		}
		for _, tc := range cases[c.name] {
			code, _, errs := runCLI(append([]string{c.name}, tc.args...)...)
			if code != tc.code {
				t.Errorf("chipgap %s %v: exit %d, want %d (stderr %q)", c.name, tc.args, code, tc.code, errs)
			}
		}
	}
}
