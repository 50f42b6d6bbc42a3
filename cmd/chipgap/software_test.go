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
