package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// helpFlag is one flag as a command's --help lists it: its name and the
// type word the flag package prints (float, int, uint, duration, value
// for a custom flag, string; empty for a boolean).
type helpFlag struct{ name, kind string }

// helpFlags reads the flags of "chipgap ARGS --help" from its output,
// so that a flag added to any command is covered without editing a list.
func helpFlags(t *testing.T, args ...string) []helpFlag {
	t.Helper()
	var out, errb bytes.Buffer
	run(context.Background(), append(append([]string{}, args...), "--help"), strings.NewReader(""), &out, &errb)
	var fl []helpFlag
	for _, line := range strings.Split(errb.String()+out.String(), "\n") {
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		f := strings.Fields(line)
		h := helpFlag{name: strings.TrimPrefix(f[0], "-")}
		if len(f) > 1 {
			h.kind = f[1]
		}
		fl = append(fl, h)
	}
	if len(fl) == 0 {
		t.Fatalf("chipgap %s --help lists no flags", strings.Join(args, " "))
	}
	return fl
}

// meaningless holds, by the type word --help prints, values that mean
// nothing for any flag of that type. A custom flag ("value") is a
// duration, a bandwidth, a seed or a layer list: none of them takes
// these either.
var meaningless = map[string][]string{
	"float":    {"NaN", "+Inf", "-Inf", "1e400", "abc", ""},
	"int":      {"abc", "1.5", "99999999999999999999999", ""},
	"uint":     {"abc", "-1", "99999999999999999999999"},
	"duration": {"abc", "1e300s", "5"},
	"value":    {"NaN", "-Inf", "abc", ""},
}

// TestEveryFlagRefusesMeaninglessValues: every typed flag of every
// command, given a value that means nothing for its type, exits 2 at
// once with one line naming the flag, no stack trace, and writes
// nothing (the refusal comes before any work). The table is generated
// from each command's --help, so it grows with the commands. This is
// the issue-14 audit's "bad CLI inputs" kept as a test.
func TestEveryFlagRefusesMeaninglessValues(t *testing.T) {
	t.Chdir(t.TempDir()) // anything a command wrongly wrote would land here
	var cases []badInput
	for _, c := range commands() {
		paths := [][]string{{c.name}}
		if c.name == "sweep" {
			paths = append(paths, []string{"sweep", "merge"}, []string{"sweep", "report"})
		}
		for _, p := range paths {
			// An unknown flag, and more positional arguments than any
			// command takes (validate takes files: a missing one is a
			// failure to read, exit 1).
			cases = append(cases, badInput{append(append([]string{}, p...), "--no-such-flag"), exitUsage, "no-such-flag"})
			if c.name != "validate" {
				cases = append(cases, badInput{append(append([]string{}, p...), "extra-1", "extra-2", "extra-3"), exitUsage, "extra-"})
			}
			for _, f := range helpFlags(t, p...) {
				for _, v := range meaningless[f.kind] {
					args := append(append([]string{}, p...), "--"+f.name+"="+v)
					cases = append(cases, badInput{args, exitUsage, "-" + f.name})
				}
			}
		}
	}
	if len(cases) < 300 {
		t.Fatalf("only %d generated cases: did --help stop listing flags?", len(cases))
	}
	t.Logf("%d generated bad-flag cases", len(cases))
	checkBadInputs(t, cases)
	if ents, _ := os.ReadDir("."); len(ents) > 0 {
		t.Errorf("refused invocations wrote %d files, e.g. %s", len(ents), ents[0].Name())
	}
}
