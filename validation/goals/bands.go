package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/uncertain"
)

// bandCoverage checks the scorecard's measured bands (catalog.Score.Band)
// source by source: each file's runs of a regime against the P10–P90
// of the regime's runs in its other files, where those number
// catalog.MinBandRuns or more, as it stands and widened as Band widens it
// (catalog.BandErrors). Were the sources alike, 80 % would fall inside
// the plain P10–P90; catalog.BandWiden is the factor at which the widened
// band holds 80 % here (fitted on this check, so its own figure is not a
// test of it).
func bandCoverage(out io.Writer, cat *catalog.Catalog, rs []row) {
	fmt.Fprintln(out, "\nMeasured bands, source by source: each file's runs of a scorecard regime against the P10–P90 of the")
	fmt.Fprintln(out, "regime's errors in its other files (80 % inside if the sources were alike; regimes with runs in two files")
	fmt.Fprintln(out, "or more, and the other files holding at least", catalog.MinBandRuns, "runs), and against that P10–P90 widened", catalog.BandWiden, "times about")
	fmt.Fprintln(out, "its median in log(1 + error), the band the commands print (catalog.BandWiden, chosen on this table):")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "regime\tfiles\truns checked\tinside P10–P90\tshare\tinside the band\tshare")
	var all, allIn, allBand int
	for _, s := range cat.Scorecard() {
		byFile := map[string][]float64{}
		var files []string
		for _, r := range rs {
			if !r.predicted || !slices.Contains(s.Files, r.file) || !runs.Selects(s, r.run, r.res) {
				continue
			}
			if _, ok := byFile[r.file]; !ok {
				files = append(files, r.file)
			}
			byFile[r.file] = append(byFile[r.file], r.err)
		}
		checked, in, inBand := 0, 0, 0
		for _, f := range files {
			var rest []float64
			for _, g := range files {
				if g != f {
					rest = append(rest, byFile[g]...)
				}
			}
			if len(rest) < catalog.MinBandRuns {
				continue
			}
			slices.Sort(rest)
			lo, hi := uncertain.Percentile(rest, 0.10), uncertain.Percentile(rest, 0.90)
			blo, bhi := catalog.BandErrors(uncertain.Percentile(rest, 0.5), lo, hi)
			for _, e := range byFile[f] {
				checked++
				if lo <= e && e <= hi {
					in++
				}
				if blo <= e && e <= bhi {
					inBand++
				}
			}
		}
		if checked == 0 {
			continue
		}
		all, allIn, allBand = all+checked, allIn+in, allBand+inBand
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f %%\t%d\t%.0f %%\n", s.ID, len(files), checked, in, 100*float64(in)/float64(checked), inBand, 100*float64(inBand)/float64(checked))
	}
	if all > 0 {
		fmt.Fprintf(tw, "all\t\t%d\t%d\t%.0f %%\t%d\t%.0f %%\n", all, allIn, 100*float64(allIn)/float64(all), allBand, 100*float64(allBand)/float64(all))
	}
	tw.Flush()
}
