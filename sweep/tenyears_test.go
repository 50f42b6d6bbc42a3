package sweep

import (
	"context"
	"strings"
	"testing"
)

// TestTokensOverTenYears: a training cell whose token budget needs more
// than ten years of failure-free compute at its plan's rate is an error
// row naming training.tokens, as chipgap run and train refuse it (1e18
// tokens on 8 H100s was a row of tens of millions of days); 1e11 on the
// same cell is a run of days.
func TestTokensOverTenYears(t *testing.T) {
	for _, tc := range []struct {
		tokens string
		want   string // "" = a row with its days
	}{
		{"1e18", "training.tokens = 1e+18: at "},
		{"1e11", ""},
	} {
		g := parse(t, strings.Replace(tinyGrid, "tokens: 1e11", "tokens: "+tc.tokens, 1))
		rows, err := Run(context.Background(), g, g.Cells()[:1], Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		r := rows[0]
		switch {
		case tc.want != "" && (!strings.Contains(r.Error, tc.want) || !strings.Contains(r.Error, "want at most 3650 (ten years)") || r.SteadyDays != nil):
			t.Errorf("tokens %s: error %q, steady days %v; want %q and no days", tc.tokens, r.Error, r.SteadyDays, tc.want)
		case tc.want == "" && (r.Error != "" || r.SteadyDays == nil):
			t.Errorf("tokens %s: error %q, steady days %v; want a row with days", tc.tokens, r.Error, r.SteadyDays)
		}
	}
}
