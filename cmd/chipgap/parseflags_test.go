package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepeatedFlagIsRefused (audit): a flag given twice was last-wins on
// every command (train --chips 64 --chips 128 ran on 128; web --addr A
// --addr B bound B), where the API refuses a repeated key. Every command
// now refuses it, exit 2, in one line naming the flag and its values,
// whichever way it is spelled, and beside a --request or --scenario file
// (whose commands parse the flags twice). A flag documented as
// repeatable (web --allow-host) may be repeated.
func TestRepeatedFlagIsRefused(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "req.json")
	os.WriteFile(req, []byte(`{"model":"llama3.1-8b","chip":"h100-sxm","chips":8}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "64", "--chips", "128"}, "chipgap train: --chips given twice (64, 128): give it once\n"},
		{[]string{"train", "--request", req, "--tp", "2", "-tp=4"}, "chipgap train: --tp given twice (2, 4): give it once\n"},
		{[]string{"train", "--json", "--model", "llama3.1-8b", "--json"}, "chipgap train: --json given twice: give it once\n"},
		{[]string{"report", "--seed", "1", "--seed", "2"}, "chipgap report: --seed given twice (1, 2): give it once\n"},
		{[]string{"run", "--days", "1", "--days=2", "--days", "3"}, "chipgap run: --days given 3 times (1, 2, 3): give it once\n"},
		{[]string{"run", "--scenario", "../../examples/run-llama3-record.yaml", "--seeds", "1", "--seeds", "2"}, "chipgap run: --seeds given twice (1, 2): give it once\n"},
		{[]string{"simulate", "--rate", "1", "--rate", "2"}, "chipgap simulate: --rate given twice (1, 2): give it once\n"},
		{[]string{"serve-estimate", "--chips", "8", "--chips", "8"}, "chipgap serve-estimate: --chips given twice (8, 8): give it once\n"},
		{[]string{"fab", "--seed", "1", "--seed", "2"}, "chipgap fab: --seed given twice (1, 2): give it once\n"},
		{[]string{"compare-chips", "--model", "a", "--model", "b"}, "chipgap compare-chips: --model given twice (a, b): give it once\n"},
		{[]string{"validate", "x.yaml", "--stack-date", "2025-01-01", "--stack-date", "2025-02-01"}, "chipgap validate: --stack-date given twice (2025-01-01, 2025-02-01): give it once\n"},
		{[]string{"web", "--addr", "127.0.0.1:1", "--addr", "256.0.0.1:0"}, "chipgap web: --addr given twice (127.0.0.1:1, 256.0.0.1:0): give it once\n"},
		{[]string{"sweep", "g.yaml", "--out", "a", "--out", "b"}, "chipgap sweep: --out given twice (a, b): give it once\n"},
		{[]string{"sweep", "merge", "d", "--out", "a", "--out", "b"}, "chipgap sweep merge: --out given twice (a, b): give it once\n"},
		{[]string{"models", "--json", "--json=false"}, "chipgap models: --json given twice (\"\", false): give it once\n"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != exitUsage || out != "" || errs != tc.want {
			t.Errorf("%q: exit %d, stdout %.60q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
	// web --allow-host is documented as repeated (each adds hosts): given
	// twice, parsing goes on to the next check, a bad --timeout.
	code, _, errs := runCLI("web", "--allow-host", "a.example", "--allow-host", "b.example", "--timeout", "-1s")
	if code != exitUsage || errs != "chipgap web: --timeout -1s: want a positive duration\n" {
		t.Errorf("web --allow-host twice: exit %d, stderr %q; want the --timeout refusal, not a repeated flag", code, errs)
	}
}

// TestUnknownFlagSuggests (audit): "flag provided but not defined:
// -modle" named the flag with one dash where two were typed and offered
// nothing; an unknown command got "did you mean report?". Now the flag
// as typed and the command's nearest flags, exit 2.
func TestUnknownFlagSuggests(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--modle", "x"}, "chipgap train: unknown flag --modle; did you mean --model? (chipgap train --help lists the flags)\n"},
		{[]string{"train", "-modle", "x"}, "chipgap train: unknown flag -modle; did you mean --model? (chipgap train --help lists the flags)\n"},
		{[]string{"train", "--global-bacth=8"}, "chipgap train: unknown flag --global-bacth; did you mean --global-batch? (chipgap train --help lists the flags)\n"},
		{[]string{"sweep", "merge", "d", "--outt", "x"}, "chipgap sweep merge: unknown flag --outt; did you mean --out? (chipgap sweep merge --help lists the flags)\n"},
		{[]string{"report", "--bogus"}, "chipgap report: unknown flag --bogus (chipgap report --help lists the flags)\n"},
	} {
		code, _, errs := runCLI(tc.args...)
		if code != exitUsage || errs != tc.want {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	long := "--" + strings.Repeat("q", 3000)
	if code, _, errs := runCLI("train", long); code != exitUsage || len(errs) > 300 || !strings.Contains(errs, "(3002 bytes)") {
		t.Errorf("a 3,000-byte unknown flag: exit %d, %d bytes of stderr; want exit 2 and the flag clipped", code, len(errs))
	}
}
