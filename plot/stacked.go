package plot

import (
	"bytes"
	"fmt"
	"math"
)

// Stack is one horizontal stacked bar: its parts, in the order of the
// chart's part names, drawn left to right.
type Stack struct {
	Label string
	Parts []float64
	// Total, where above zero, is the figure printed at the bar's end in
	// place of the parts' sum: a total whose parts are P50s, say, has a
	// P50 the parts' P50s need not add to.
	Total float64
}

// end is what a bar's end reads: its Total where set, else the sum of
// its parts.
func (r Stack) end() float64 {
	if r.Total > 0 {
		return r.Total
	}
	return total(r.Parts)
}

// Stacked draws horizontal bars split into named parts (a run's time
// as steady state + downtime + engineering, say), with a legend and
// each bar's total (Stack.Total, or the parts' sum) printed at its end.
// Negative parts count as zero.
func Stacked(title, unit string, parts []string, rows []Stack) []byte {
	h := marginT + marginB + rowH*len(rows) + 18
	var b bytes.Buffer
	header(&b, title, h)
	hi := 0.0
	for _, r := range rows {
		hi = math.Max(hi, total(r.Parts))
	}
	scale := axisScale(hi)
	plotW := float64(width - marginL - marginR)
	x := func(v float64) float64 { return plotW * v / scale }
	for i, r := range rows {
		y := float64(marginT + i*rowH)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" class="l">%s</text>`+"\n", marginL-8, y+rowH*0.62, esc(r.Label))
		at := float64(marginL)
		for j, v := range r.Parts {
			w := x(math.Max(0, v))
			name := ""
			if j < len(parts) {
				name = parts[j]
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				at, y+4, w, rowH-8, palette[j%len(palette)], esc(r.Label), esc(name), num(v))
			at += w
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="v">%s</text>`+"\n", at+6, y+rowH*0.62, num(r.end()))
	}
	ly := h - 12
	for j, name := range parts {
		lx := marginL + j*130
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" class="v">%s</text>`+"\n",
			lx, ly-9, palette[j%len(palette)], lx+14, ly, esc(name))
	}
	axis(&b, scale, unit, h-18)
	b.WriteString("</svg>\n")
	spec := Spec{Kind: "bars", Title: title, XUnit: unit, Stack: true}
	for j, name := range parts {
		sp := SpecSeries{Name: name, Color: color(j)}
		for _, r := range rows {
			v := 0.0
			if j < len(r.Parts) {
				v = math.Max(0, r.Parts[j])
			}
			sp.Y = append(sp.Y, Num(v))
		}
		spec.Series = append(spec.Series, sp)
	}
	for _, r := range rows {
		spec.Labels = append(spec.Labels, r.Label)
	}
	return withSpec(b.Bytes(), spec)
}

func total(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += math.Max(0, x)
	}
	return s
}
