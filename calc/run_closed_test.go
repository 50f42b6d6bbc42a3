package calc

import (
	"fmt"
	"strings"
	"testing"
)

// TestRunSaysWhatTheClosedFormTakes (QA, 70B on 1,024 H100, 15T tokens):
// the checkpoint line gives the unplanned MTBI the intervals take beside
// the job's over every interruption (it printed the 44.5 h of all of them
// beside intervals from 49.5 h), worked here from the job's failure modes
// (rates per chip-hour × chips); and where the simulation waited for a
// spare, a line says the closed form takes one as always ready (its
// restarts and swaps sat below the simulation's P10). With a spare for
// every node away there is no wait and no line.
func TestRunSaysWhatTheClosedFormTakes(t *testing.T) {
	cat := testCatalog(t)
	run := func(spares *int) (RunSide, string) {
		s, err := RunRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 1024, Tokens: 15e12, Seeds: 20, Spares: spares}.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if err := res.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		return res.A, out.String()
	}
	d, text := run(nil)
	var all, unplanned float64
	for _, m := range d.Job.Modes {
		all += float64(m.Rate.Typ) * 1024
		if !m.Planned {
			unplanned += float64(m.Rate.Typ) * 1024
		}
	}
	if all == unplanned {
		t.Fatal("no planned mode: the test needs one")
	}
	if want := fmt.Sprintf("from the unplanned MTBI %.2f h); job MTBI %.2f h (planned interruptions included)", 1/unplanned, 1/all); !strings.Contains(text, want) {
		t.Errorf("text lacks %q:\n%s", want, text)
	}
	const note = "closed form: takes a spare as always ready"
	if w := d.Result.SpareWaits; w.P90 <= 0 || !strings.Contains(text, note) {
		t.Errorf("spare waits P90 %g: text lacks %q:\n%s", w.P90, note, text)
	}
	many := 100
	d, text = run(&many)
	if w := d.Result.SpareWaits; w.P90 != 0 || strings.Contains(text, note) {
		t.Errorf("100 spares: waits P90 %g, note %v; want neither", w.P90, strings.Contains(text, note))
	}
}
