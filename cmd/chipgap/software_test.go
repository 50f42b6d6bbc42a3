package main

import (
	"strings"
	"testing"
)

// serve-estimate prices a chip with a TDP and a rental rate but no price
// rented, with its energy, and says the owned cost needs a price (QA: "no
// cost: ... has no price or TDP in chips.yaml" for the H800).
func TestServeEstimateH800Cost(t *testing.T) {
	code, out, errs := runCmd(t, "serve-estimate", "--model", "llama3.1-8b", "--chip", "h800-sxm", "--chips", "1")
	if code != exitOK || !strings.Contains(out, "Cost per million output tokens: rented $") || !strings.Contains(out, "($2/h); energy ") ||
		!strings.Contains(out, "no owned cost: catalog: chip h800-sxm has no price in chips.yaml: an owned chip-hour needs one") {
		t.Errorf("exit %d %s\n%s", code, errs, out)
	}
}

// A first argument that is a scenario file runs the default command on
// it, as report --help's usage says (chipgap [report] [SCENARIO.yaml]);
// another word is still an unknown command with a suggestion.
func TestScenarioFirstArgument(t *testing.T) {
	code, out, errs := runCmd(t, "../../examples/essay.yaml", "--samples", "10")
	if code != exitOK {
		t.Fatalf("chipgap examples/essay.yaml: exit %d: %s", code, errs)
	}
	_, want, _ := runCmd(t, "report", "../../examples/essay.yaml", "--samples", "10")
	if out != want {
		t.Errorf("chipgap SCENARIO printed other than chipgap report SCENARIO:\n%s\nwant:\n%s", out, want)
	}
	code, _, errs = runCmd(t, "trian")
	if code != exitUsage || !strings.Contains(errs, `unknown command "trian"; did you mean train?`) {
		t.Errorf("chipgap trian: exit %d %q", code, errs)
	}
	code, _, errs = runCmd(t, "missing.yml")
	if code != exitFailure || !strings.Contains(errs, "chipgap report: missing.yml") {
		t.Errorf("chipgap missing.yml: exit %d %q; want report's unreadable-file failure", code, errs)
	}
}

// run's comparison cluster sized twice, by --vs CHIP:N and --vs-chips,
// is refused (QA: --vs ascend-910c:64 --vs-chips 32 ran 64 unseen).
func TestRunVSChipsGivenTwice(t *testing.T) {
	code, out, errs := runCmd(t, "run", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "64", "--tokens", "1T", "--seeds", "5",
		"--vs", "ascend-910c:64", "--vs-chips", "32")
	if code != exitUsage || out != "" || !strings.Contains(errs, `chipgap run: --vs-chips = 32: sizes the comparison cluster, which vs "ascend-910c:64" sizes at 64 chips: give one of them`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
