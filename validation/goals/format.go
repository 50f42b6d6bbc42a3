package main

import (
	"fmt"
	"io"

	"chipgap/catalog"
	"chipgap/runs"
)

// formatAlone prints the training goals as a reader of the published-runs
// format alone would score them: the rows that state chipgap's fields
// beyond the format (runs.Run.BeyondFormat) predicted again without them
// (runs.Run.FormatOnly), at their stated plans, every other row as it is.
// It says how much of the figures those stated facts carry.
func formatAlone(out io.Writer, cat *catalog.Catalog, tp []row) {
	var stated []runs.Run
	for _, r := range tp {
		if len(r.run.BeyondFormat()) > 0 {
			stated = append(stated, r.run.FormatOnly())
		}
	}
	if len(stated) == 0 {
		return
	}
	plain := map[string]runs.Result{}
	for _, res := range runs.Validate(cat, &runs.File{Format: runs.FormatV1, Runs: stated}).Results {
		plain[res.ID] = res
	}
	alone := make([]row, 0, len(tp))
	moved := 0
	for _, r := range tp {
		if res, ok := plain[r.id]; ok {
			r.predicted = res.Error != nil
			if res.Error != nil {
				if *res.Error != r.err {
					moved++
				}
				r.err = *res.Error
			}
		}
		alone = append(alone, r)
	}
	m, w, at := stats(alone)
	fmt.Fprintf(out, "\nTraining read as the format alone (the %d rows that state chipgap's fields beyond it predicted without them; %d move):\n", len(stated), moved)
	fmt.Fprintf(out, "median |error| %.1f %%, worst %.1f %% (%s; %d over the %.0f %% bar)", 100*m, 100*w, at, over(alone, trainWorst, absErr), 100*trainWorst)
	if moe := filter(alone, func(r row) bool { return r.moe }); len(moe) > 0 {
		mm, _, _ := stats(moe)
		fmt.Fprintf(out, ", MoE median %.1f %%", 100*mm)
	}
	fmt.Fprintf(out, ", %d not predicted\n", len(filter(alone, func(r row) bool { return !r.predicted })))
}
