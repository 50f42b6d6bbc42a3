package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// rowKey names a scored row across two states of the model: the file and
// run id, and the kind (a file may hold a training and an inference run
// under different ids only, but the kind keeps the key honest).
type rowKey struct{ file, id, kind string }

// prior is a row as an earlier -rows file recorded it: its signed error,
// or none where that state did not predict it.
type prior struct {
	err       float64
	predicted bool
}

// rowsHeader is the first line writeRows writes; readRows also takes
// the seven-column header of files written before the grouping columns
// (oldRowsHeader).
const (
	rowsHeader    = oldRowsHeader + "\tchip\tprecision\tfamily\tstack\tsoftware"
	oldRowsHeader = "file\tid\tkind\tmoe\tmeasured\terror\tfree"
)

// readRows reads a rows file writeRows wrote (nothing for an empty
// path), or one of the older seven-column layout. A line with a column
// count other than its header's, or an error column that is neither
// empty nor a number, stops it with the line's number.
func readRows(path string) (map[rowKey]prior, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-against: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if lines[0] != rowsHeader && lines[0] != oldRowsHeader {
		return nil, fmt.Errorf("-against %s: line 1 is %q, want the header -rows writes (%q)", path, lines[0], rowsHeader)
	}
	cols := strings.Count(lines[0], "\t") + 1
	out := make(map[rowKey]prior, len(lines)-1)
	for i, l := range lines[1:] {
		c := strings.Split(l, "\t")
		if len(c) != cols {
			return nil, fmt.Errorf("-against %s: line %d has %d tab-separated columns, want %d", path, i+2, len(c), cols)
		}
		p := prior{}
		if c[5] != "" {
			if p.err, err = strconv.ParseFloat(c[5], 64); err != nil {
				return nil, fmt.Errorf("-against %s: line %d: error column %q is not a number", path, i+2, c[5])
			}
			p.predicted = true
		}
		out[rowKey{c[0], c[1], c[2]}] = p
	}
	return out, nil
}

// movedBy is the least change of |error| moved reports: half a point.
const movedBy = 0.005

// moved prints the rows whose |error| changed by more than movedBy since
// the state before recorded, the largest improvement first, and the rows
// only one of the two states predicted; it says how many got better and
// worse, so one what-if reads in one table. Nothing without a file.
func moved(w io.Writer, name string, before map[rowKey]prior, now []row) {
	if before == nil {
		return
	}
	type change struct {
		id, kind       string
		was, is, delta float64
	}
	var ch []change
	var gained, lost []string
	for _, r := range now {
		p, ok := before[rowKey{r.file, r.id, r.kind}]
		switch {
		case !ok:
			continue
		case p.predicted && !r.predicted:
			lost = append(lost, r.id)
		case !p.predicted && r.predicted:
			gained = append(gained, r.id)
		case p.predicted && r.predicted:
			if d := math.Abs(r.err) - math.Abs(p.err); math.Abs(d) > movedBy {
				kind := r.kind
				if r.calibration {
					kind += "*" // a calibration row
				}
				ch = append(ch, change{r.id, kind, p.err, r.err, d})
			}
		}
	}
	sort.SliceStable(ch, func(i, j int) bool { return ch[i].delta < ch[j].delta })
	better := 0
	for _, c := range ch {
		if c.delta < 0 {
			better++
		}
	}
	fmt.Fprintf(w, "\nAgainst %s: %d rows moved by more than %.1f points of |error|, %d better, %d worse; %d newly predicted, %d no longer (kind* marks a calibration row)\n",
		name, len(ch), 100*movedBy, better, len(ch)-better, len(gained), len(lost))
	for _, c := range ch {
		fmt.Fprintf(w, "  %+6.1f  %-10s %-60s %+7.1f %% -> %+7.1f %%\n", 100*c.delta, c.kind, c.id, 100*c.was, 100*c.is)
	}
	for _, id := range gained {
		fmt.Fprintf(w, "  newly predicted: %s\n", id)
	}
	for _, id := range lost {
		fmt.Fprintf(w, "  no longer predicted: %s\n", id)
	}
}
