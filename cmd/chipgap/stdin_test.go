package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runStdin is runCLI with stdin as standard input.
func runStdin(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestInputFileFromStdin (audit): every input file was a path only
// ("-: no such file or directory", exit 1) while outputs took - (--html
// -). Each input file now reads - from standard input, through the one
// reader (env.readInput), with the same output as the file named.
func TestInputFileFromStdin(t *testing.T) {
	const (
		runs     = "../../runs/testdata/published-runs-ascend.yaml"
		runScen  = "../../examples/run-llama3-record.yaml"
		simScen  = "../../examples/simulate-disagg.yaml"
		trace    = "../../examples/simulate-trace.csv"
		serveSc  = "testdata/deepseek-decode-comparison.yaml"
		reportSc = "../../examples/equal-peak.yaml"
	)
	request := `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"plan":{"tp":2}}`
	sim := []string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1", "--rate", "4", "--trace"}
	for _, tc := range []struct {
		file       string // read for standard input; "" for stdin below
		stdin      string
		args, want []string // want: the same job from a file or flags
	}{
		{"", request, []string{"train", "--request", "-", "--json"}, []string{"train", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "8", "--tp", "2", "--json"}},
		{runs, "", []string{"train", "--file", "-"}, []string{"train", "--file", runs}},
		{runs, "", []string{"validate", "-"}, []string{"validate", runs}},
		{"", `{"chip":"ascend-910c","trials":200}`, []string{"fab", "--request", "-"}, []string{"fab", "--chip", "ascend-910c", "--trials", "200"}},
		{runScen, "", []string{"run", "--scenario", "-", "--seeds", "2"}, []string{"run", "--scenario", runScen, "--seeds", "2"}},
		{simScen, "", []string{"simulate", "--scenario", "-", "--json"}, []string{"simulate", "--scenario", simScen, "--json"}},
		{trace, "", append(sim, "-"), append(sim, trace)},
		{serveSc, "", []string{"serve-estimate", "--scenario", "-"}, []string{"serve-estimate", "--scenario", serveSc}},
		{reportSc, "", []string{"report", "-", "--samples", "20", "--json"}, []string{"report", reportSc, "--samples", "20", "--json"}},
	} {
		stdin := tc.stdin
		if tc.file != "" {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			stdin = string(b)
		}
		code, got, errs := runStdin(stdin, tc.args...)
		_, want, _ := runCLI(tc.want...)
		if tc.file != "" {
			want = strings.ReplaceAll(want, tc.file, "-") // where the output names its input (simulate's trace)
		}
		if code != exitOK || want == "" || got != want {
			t.Errorf("%q: exit %d, stderr %q, %d bytes of stdout; want exit 0 and the %d bytes of %q", tc.args, code, errs, len(got), len(want), tc.want)
		}
	}
}

// TestStdinInputErrors: standard input is read under the input's limit,
// with its errors' shape (one prefix, --scenario:, for run, simulate
// and serve-estimate, which said "--scenario:" and "scenario:"), and by
// one input at most (it can be read once): a second is exit 2, before
// either is read.
func TestStdinInputErrors(t *testing.T) {
	big := strings.Repeat(" ", 4<<20+1) // over 4 MiB
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{big, []string{"run", "--scenario", "-"}, exitFailure, "chipgap run: --scenario: -: larger than the 4 MiB limit on input files\n"},
		{big, []string{"simulate", "--scenario", "-"}, exitFailure, "chipgap simulate: --scenario: -: larger than the 4 MiB limit on input files\n"},
		{big, []string{"serve-estimate", "--scenario", "-"}, exitFailure, "chipgap serve-estimate: --scenario: -: larger than the 4 MiB limit on input files\n"},
		{big, []string{"train", "--request", "-"}, exitFailure, "chipgap train: --request: -: larger than the 4 MiB limit on input files\n"},
		{big, []string{"validate", "-"}, exitFailure, "chipgap validate: -: larger than the 4 MiB limit on input files\n"},
		{big, []string{"sweep", "-", "--out", t.TempDir()}, exitFailure, "chipgap sweep: -: larger than the 1 MiB limit on input files\n"},
		{"nope: 1\n", []string{"serve-estimate", "--scenario", "-"}, exitUsage, "chipgap serve-estimate: scenario -: line 1: unknown field nope (allowed here: deployments)\n"},
		{"", []string{"validate", "-", "-"}, exitUsage, "chipgap validate: - (standard input) given twice (argument, argument): it can be read once; give one of them a file\n"},
		{"{}", []string{"train", "--request", "-", "--file", "-"}, exitUsage, "chipgap train: - (standard input) given twice (--request, --file): it can be read once; give one of them a file\n"},
		// Refused before either is read (QA: --request read the runs file
		// meant for --file and named its field "format").
		{"format: published-runs/v1\n", []string{"train", "--file", "-", "--request", "-"}, exitUsage, "chipgap train: - (standard input) given twice (--file, --request): it can be read once; give one of them a file\n"},
		{"format: published-runs/v1\n", []string{"train", "--request=-", "--file=-"}, exitUsage, "chipgap train: - (standard input) given twice (--request, --file): it can be read once; give one of them a file\n"},
		{"simulate:\n  trace: '-'\n", []string{"simulate", "--scenario", "-"}, exitUsage, "chipgap simulate: - (standard input) given twice (--scenario, scenario -: trace): it can be read once; give one of them a file\n"},
	} {
		code, _, errs := runStdin(tc.stdin, tc.args...)
		if code != tc.code || errs != tc.want {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

// TestScenarioTraceStdinAsHelped: simulate --help said "so does a
// scenario's trace: -", which YAML reads as a list item ("block sequence
// entries are not allowed in this context", QA); the help spells the
// quoted form, and a scenario spelling it as the help does reads the
// trace from standard input.
func TestScenarioTraceStdinAsHelped(t *testing.T) {
	const form = `trace: "-"`
	help := strings.Join(strings.Fields(simulateUsage), " ")
	if !strings.Contains(help, "so does a scenario's "+form) || strings.Contains(help, "trace: -") {
		t.Errorf("simulate --help does not spell a scenario's stdin trace as %s", form)
	}
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(sc, []byte("simulate:\n  model: llama3.1-8b\n  chip: h100-sxm\n  chips: 1\n  requests: 50\n  "+form+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	trace, err := os.ReadFile("../../examples/simulate-trace.csv")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runStdin(string(trace), "simulate", "--scenario", sc)
	if code != exitOK || !strings.Contains(out, "Workload: trace -,") {
		t.Errorf("scenario with %s: exit %d, stderr %q; want the trace read from standard input", form, code, errs)
	}
}
