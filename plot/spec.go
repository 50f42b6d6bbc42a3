package plot

import (
	"bytes"
	"encoding/json"
	"html"
	"math"
	"strconv"
)

// Spec is a chart's data, embedded in its SVG as the root element's
// data-chart attribute (JSON), so the page and report --html can draw
// the chart with the charting library (lib/charts.js over uPlot), with
// ticks, hover read-outs and downloads, while the SVG stays the chart
// without scripts (and the SVG download).
type Spec struct {
	// Kind is "lines", "bars" (horizontal; Stack stacks the series),
	// "range" (a tornado: each series' Lo–Hi around Base), "scatter" or
	// "map" (a grid of values; drawn as SVG, CSV only).
	Kind  string `json:"kind"`
	Title string `json:"title"`
	XUnit string `json:"x_unit,omitempty"`
	YUnit string `json:"y_unit,omitempty"`
	// Labels are the categories of bars and ranges, one per value.
	Labels []string     `json:"labels,omitempty"`
	Series []SpecSeries `json:"series"`
	Stack  bool         `json:"stack,omitempty"`
	// Limit is a horizontal line (an SLO) at that y, labelled LimitLabel.
	Limit      *float64 `json:"limit,omitempty"`
	LimitLabel string   `json:"limit_label,omitempty"`
	Base       *float64 `json:"base,omitempty"`
	LogX       bool     `json:"log_x,omitempty"`
	LogY       bool     `json:"log_y,omitempty"`
	// Map: Z[j][i] at (X[i], Y[j]).
	Z [][]Num `json:"z,omitempty"`
}

// SpecSeries is one series: a line's points, a bar set's values (Y, one
// per label, with an optional Lo–Hi range each), or a scatter group.
type SpecSeries struct {
	Name   string   `json:"name"`
	Color  string   `json:"color"`
	X      []Num    `json:"x,omitempty"`
	Y      []Num    `json:"y"`
	Lo     []Num    `json:"lo,omitempty"`
	Hi     []Num    `json:"hi,omitempty"`
	Colors []string `json:"colors,omitempty"` // bars: one colour per bar
	Tips   []string `json:"tips,omitempty"`   // scatter: one label per point
	// Frontier marks the scatter series joining the Pareto frontier.
	Frontier bool `json:"frontier,omitempty"`
}

// Num is a float that encodes NaN and ±Inf as null.
type Num float64

func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 6, 64), nil
}

func nums(xs []float64) []Num {
	out := make([]Num, len(xs))
	for i, x := range xs {
		out[i] = Num(x)
	}
	return out
}

// withSpec writes spec into the svg's root element.
func withSpec(svg []byte, spec Spec) []byte {
	if spec.Series == nil {
		spec.Series = []SpecSeries{}
	}
	j, err := json.Marshal(spec)
	if err != nil {
		return svg // cannot happen: Num and strings only
	}
	const root = "<svg "
	i := bytes.Index(svg, []byte(root))
	if i < 0 {
		return svg
	}
	var b bytes.Buffer
	b.Grow(len(svg) + len(j) + 32)
	b.Write(svg[:i+len(root)])
	b.WriteString(`data-chart="`)
	b.WriteString(html.EscapeString(string(j)))
	b.WriteString(`" `)
	b.Write(svg[i+len(root):])
	return b.Bytes()
}

func color(k int) string { return palette[k%len(palette)] }
