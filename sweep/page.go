package sweep

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"chipgap/plot"
	"chipgap/uncertain"
)

// Report is what "chipgap sweep report" shows: a sweep's rows, their
// metadata and the frontiers drawn from them.
type Report struct {
	Title string
	Meta  Meta
	Rows  []Row
	Sets  []FrontierSet
}

// NewReport builds the report of a sweep file's rows.
func NewReport(rows []Row, m Meta) *Report {
	var g struct {
		Title string `json:"title"`
	}
	_ = json.Unmarshal([]byte(m.Grid), &g) // a grid without a title is titled by its hash
	if g.Title == "" {
		g.Title = "grid " + short(m.Hash)
	}
	return &Report{Title: g.Title, Meta: m, Rows: rows, Sets: Frontiers(rows)}
}

func short(h string) string { return h[:min(12, len(h))] }

func (r *Report) errors() int {
	n := 0
	for i := range r.Rows {
		if r.Rows[i].Error != "" {
			n++
		}
	}
	return n
}

func (r *Report) subtitle() string {
	return fmt.Sprintf("%d cells (%d with no answer: see the error column), grid %s. Frontiers on typical values; P10–P90 from the cells' Monte Carlo where the grid draws samples (skewed input ranges can put a typical value outside its own P10–P90: such a cell's range is marked typical below or above).",
		len(r.Rows), r.errors(), short(r.Meta.Hash))
}

// frontHeader and frontRow are one frontier table's columns.
func frontHeader(fs *FrontierSet) []string {
	h := []string{"chip", "chips", "precision", "stack", "plan", fs.XName, fs.YName}
	if fs.Target == TargetServing {
		// the grid's SLO axis: two cells of one deployment under
		// different targets are otherwise the same row
		h = slices.Insert(h, 5, "SLO")
	}
	if fs.HasRange {
		h = append(h, "P10–P90")
	}
	return h
}

func (r *Report) frontRow(fs *FrontierSet, k int) []string {
	row := &r.Rows[fs.Rows[k]]
	p := fs.Points[k]
	stack := row.Stack
	if stack == "" {
		stack = "default"
	}
	if row.StackDate != "" {
		stack += " @" + row.StackDate
	}
	out := []string{row.Chip, strconv.FormatInt(row.Chips, 10), row.Precision, stack, row.Plan, g3(p.X), g3(p.Y)}
	if fs.Target == TargetServing {
		out = slices.Insert(out, 5, sloLabel(row))
	}
	if fs.HasRange {
		lo, hi := fs.YRange[k][0], fs.YRange[k][1]
		if finite(lo) && finite(hi) {
			rng := g3(lo) + "–" + g3(hi)
			if side := uncertain.Outside(p.Y, lo, hi); side != "" {
				rng += " (typical " + side + ")" // the subtitle says why
			}
			out = append(out, rng)
		} else {
			out = append(out, "")
		}
	}
	return out
}

// g3 prints about three significant digits without an exponent for
// the magnitudes a sweep produces.
func g3(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// WriteText writes each frontier as a table, best X first.
func (r *Report) WriteText(w io.Writer) error {
	ew := &plot.ErrWriter{W: w}
	fmt.Fprintf(ew, "%s\n%s\n", r.Title, r.subtitle())
	for i := range r.Sets {
		fs := &r.Sets[i]
		fmt.Fprintf(ew, "\n%s: %d of %d cells on the frontier\n", fs.Title, len(fs.Front), len(fs.Points))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\n", strings.Join(frontHeader(fs), "\t"))
		for _, k := range fs.Front {
			fmt.Fprintf(tw, "  %s\n", strings.Join(r.frontRow(fs, k), "\t"))
		}
		tw.Flush()
	}
	if len(r.Sets) == 0 {
		fmt.Fprintln(ew, "\nNo cell has an answer to draw: see the error column.")
	}
	return ew.Err
}

// Chart draws one frontier set: every cell coloured by chip, the
// frontier joined and ringed.
func (r *Report) Chart(fs *FrontierSet) []byte {
	sc := plot.Scatter{Title: fs.Title, XUnit: fs.XName, YUnit: fs.YName, LogX: fs.LogX, LogY: fs.LogY}
	group := map[string]int{}
	for k, p := range fs.Points {
		row := &r.Rows[fs.Rows[k]]
		g, ok := group[row.Chip]
		if !ok {
			g = len(sc.Groups)
			group[row.Chip] = g
			sc.Groups = append(sc.Groups, plot.Group{Name: row.Chip})
		}
		sc.Groups[g].Points = append(sc.Groups[g].Points, plot.Pt{X: p.X, Y: p.Y, Label: PointLabel(row) + ": " + row.Plan})
	}
	for _, k := range fs.Front {
		p := fs.Points[k]
		sc.Frontier = append(sc.Frontier, plot.Pt{X: p.X, Y: p.Y, Label: PointLabel(&r.Rows[fs.Rows[k]])})
	}
	return plot.ScatterChart(sc)
}

// WriteHTML writes the report as one self-contained page: inline CSS
// and SVG, no scripts, nothing fetched. The same rows give the same
// bytes.
func (r *Report) WriteHTML(w io.Writer) error {
	ew := &plot.ErrWriter{W: w}
	e := html.EscapeString
	fmt.Fprintf(ew, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n<style>%s</style></head><body>\n", e(r.Title), pageCSS)
	fmt.Fprintf(ew, "<h1>Design-space sweep: %s</h1>\n<p class=\"sub\">%s</p>\n<nav>", e(r.Title), e(r.subtitle()))
	for _, fs := range r.Sets {
		fmt.Fprintf(ew, "<a href=\"#%s\">%s</a> ", e(fs.ID), e(fs.Title))
	}
	fmt.Fprint(ew, "</nav>\n")
	for i := range r.Sets {
		fs := &r.Sets[i]
		fmt.Fprintf(ew, "<section id=\"%s\"><h2>%s</h2>\n<figure>%s</figure>\n", e(fs.ID), e(fs.Title), r.Chart(fs))
		fmt.Fprintf(ew, "<table><caption>The frontier: %d of %d cells, best first</caption>\n<tr>", len(fs.Front), len(fs.Points))
		for _, h := range frontHeader(fs) {
			fmt.Fprintf(ew, "<th>%s</th>", e(h))
		}
		fmt.Fprint(ew, "</tr>\n")
		for _, k := range fs.Front {
			fmt.Fprint(ew, "<tr>")
			for _, c := range r.frontRow(fs, k) {
				fmt.Fprintf(ew, "<td>%s</td>", e(c))
			}
			fmt.Fprint(ew, "</tr>\n")
		}
		fmt.Fprint(ew, "</table>\n")
		if fs.Left > 0 {
			fmt.Fprintf(ew, "<p class=\"note\">%d more cells have no finite value here (a run that never finishes, no serving layout).</p>\n", fs.Left)
		}
		fmt.Fprint(ew, "</section>\n")
	}
	if len(r.Sets) == 0 {
		fmt.Fprint(ew, "<p>No cell has an answer to draw: see the error column.</p>\n")
	}
	fmt.Fprintf(ew, "<details><summary>The grid, after defaults</summary><pre>%s</pre></details>\n", e(r.Meta.Grid))
	fmt.Fprint(ew, "<footer>Generated by chipgap sweep report. Same sweep file, same bytes.</footer>\n</body></html>\n")
	return ew.Err
}

// pageCSS is the gap report's page style, so the two pages look alike.
const pageCSS = plot.PageCSS
