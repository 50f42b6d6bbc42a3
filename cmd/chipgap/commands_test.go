package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// overriding is base with extra after it, less base's own value of each
// flag extra gives (a flag given twice is refused): a base invocation
// and the variation a case makes of it.
func overriding(base []string, extra ...string) []string {
	given := map[string]bool{}
	for _, a := range extra {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			given[name] = true
		}
	}
	var out []string
	for i := 0; i < len(base); i++ {
		if name, ok := strings.CutPrefix(base[i], "--"); ok && given[name] {
			if i+1 < len(base) && !strings.HasPrefix(base[i+1], "--") {
				i++ // its value
			}
			continue
		}
		out = append(out, base[i])
	}
	return append(out, extra...)
}

func TestUnknownCommandIsAUsageErrorWithSuggestion(t *testing.T) {
	code, _, stderr := runCLI("chps")
	if code != exitUsage {
		t.Errorf("exit code = %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, `unknown command "chps"; did you mean chips?`) {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestHelpListsEveryCommandAndExitCodes(t *testing.T) {
	code, stdout, _ := runCLI("help")
	if code != exitOK {
		t.Fatalf("help exit code = %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(stdout, "  "+c.name) {
			t.Errorf("help does not list %q", c.name)
		}
	}
	if !strings.Contains(stdout, "Exit codes: 0 success, 1 failure") {
		t.Error("help does not document the exit codes")
	}
	// Every command takes --help, help too.
	if code, out, errs := runCLI("help", "--help"); code != exitOK || out != stdout {
		t.Errorf("help --help: exit %d, %s; want help's own text", code, errs)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		if c.name == "web" {
			continue // --help is checked in web_test without binding a port
		}
		// Asked-for help is the command's output: standard output, so
		// chipgap help CMD | less shows it; nothing on standard error.
		code, stdout, stderr := runCLI(c.name, "--help")
		if code != exitOK || !strings.Contains(stdout, "Usage") && !strings.Contains(stdout, "usage") || stderr != "" {
			t.Errorf("%s --help: exit %d, stdout %.80q, stderr %.80q; want the usage on stdout", c.name, code, stdout, stderr)
		}
	}
}

func TestUnknownChipNamesNearMatchesOrTheList(t *testing.T) {
	code, _, stderr := runCLI("chips", "h100")
	if code != exitUsage || stderr != "chipgap chips: unknown chip \"h100\"; did you mean h100-sxm, h100-pcie?\n" {
		t.Errorf("chips h100: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI("chips", "no-such-chip")
	if code != exitUsage || !strings.Contains(stderr, "'chipgap chips' lists them") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("chips no-such-chip: exit %d, stderr %q", code, stderr)
	}
}

// TestHelpCommandAndDefaultFlags: 'chipgap help run' printed the command
// list instead of run's help, and 'chipgap --samples 10' (flags with no
// command, the report being the default) was an unknown command.
func TestHelpCommandAndDefaultFlags(t *testing.T) {
	code, out, errs := runCmd(t, "help", "run")
	if code != exitOK || !strings.Contains(out+errs, "Usage: chipgap run") {
		t.Errorf("help run: exit %d, want run's usage; got stdout %.80q stderr %.80q", code, out, errs)
	}
	code, out, errs = runCmd(t, "--samples", "10", "--quiet")
	if code != exitOK || !strings.Contains(out, "10 Monte Carlo samples") {
		t.Errorf("--samples 10: exit %d, stderr %q, want the report on 10 samples", code, errs)
	}
}

// A number or boolean flag that does not parse says what the flag takes;
// the flag package says only "parse error" (QA, session 79: fab --seed -1).
func TestFlagParseErrorsSayTheKind(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fab", "--seed", "-1"}, `--seed = -1: want a non-negative integer`},
		{[]string{"train", "--chips", "1.5"}, `--chips = 1.5: want an integer`},
		{[]string{"run", "--mfu", "abc"}, `--mfu = abc: want a number`},
		{[]string{"train", "--search=maybe"}, `--search = maybe: want true or false`},
	} {
		if code, _, errs := runCLI(c.args...); code != exitUsage || !strings.Contains(errs, c.want) || strings.Contains(errs, "parse error") {
			t.Errorf("%v: exit %d, %q; want exit 2 saying %q", c.args, code, errs, c.want)
		}
	}
}

// TestHelpHelpAndVersion: 'chipgap help help' answered 'unknown command
// "help"' (QA); help and version are commands too, so help NAME shows
// their text as for every other command.
func TestHelpHelpAndVersion(t *testing.T) {
	_, list, _ := runCLI("help")
	if code, out, errs := runCLI("help", "help"); code != exitOK || out != list || errs != "" {
		t.Errorf("help help: exit %d, stderr %q; want help's own text", code, errs)
	}
	if code, out, errs := runCLI("help", "version"); code != exitOK || !strings.Contains(out, "Usage: chipgap version") || errs != "" {
		t.Errorf("help version: exit %d, stdout %q, stderr %q; want version's usage", code, out, errs)
	}
}

// TestEmptyIDIsRefused: 'chipgap chips ""' and 'chipgap models ""' listed
// everything with exit 0, while compare-chips "" was refused (QA).
func TestEmptyIDIsRefused(t *testing.T) {
	for _, args := range [][]string{{"chips", ""}, {"models", ""}, {"chips", " ", "--json"}} {
		code, out, errs := runCLI(args...)
		if code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, `id "`) {
			t.Errorf("%q: exit %d, stdout %.60q, stderr %q; want exit 2 naming the empty id", args, code, out, errs)
		}
	}
}

// A long value comes back bounded: a 3,000-byte precision, stack or
// model is quoted to its start and its length, in one short line (the
// CLI echoed every byte, twice for a precision).
func TestLongValuesBounded(t *testing.T) {
	long := strings.Repeat("q", 3000)
	for _, flag := range []string{"--precision", "--stack", "--model", "--chip"} {
		args := []string{"train", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "8", flag, long}
		code, _, errs := runCLI(args...)
		if code != exitUsage || len(errs) > 600 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s of 3,000 bytes: exit %d, %d bytes of message: want exit 2 and one line under 600 bytes", flag, code, len(errs))
		}
	}
}

// A flag's bad value is worded as the other bad inputs are, the flag as
// the help spells it and the value as given: the flag package's
// `invalid value "x" for flag -chips` read as a one-dash flag.
func TestBadValueWording(t *testing.T) {
	for in, want := range map[string]string{
		`invalid value "x" for flag -chips: want an integer`:        "--chips = x: want an integer",
		`invalid boolean value "maybe" for -sp: want true or false`: "--sp = maybe: want true or false",
		`invalid value "" for flag -model: want an id`:              `--model = "": want an id`,
		`invalid value "a b" for flag -stack: unknown`:              `--stack = "a b": unknown`,
		`flag provided but not defined: -modle`:                     `flag provided but not defined: -modle`,
	} {
		if got := badValue(errors.New(in)).Error(); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
