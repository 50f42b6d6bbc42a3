package plot

import (
	"bytes"
	"fmt"
	"math"
)

// Pt is one point of a scatter chart; Label is its tooltip.
type Pt struct {
	X, Y  float64
	Label string
}

// Group is one coloured set of points with a legend entry.
type Group struct {
	Name   string
	Points []Pt
}

// Scatter is a scatter chart's data: groups of points on two axes, each
// linear from zero or logarithmic by decades, and a frontier (points in
// the order to join them) drawn as a line with ringed points over them.
type Scatter struct {
	Title, XUnit, YUnit string
	LogX, LogY          bool
	Groups              []Group
	Frontier            []Pt
}

// Scatter geometry: the plot area and the legend to its right.
const (
	scH      = 400
	scLeft   = 70.0
	scRight  = 170.0
	scTop    = marginT + 14.0
	scBottom = 44.0
	scLegend = 16 // legend entries shown; the rest are summed up in one line
)

// scale maps values of one axis onto [0, 1].
type scale struct {
	lo, hi float64
	log    bool
}

func newScale(vals []float64, log bool) scale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if usable(v, log) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi { // no usable value
		return scale{0, 1, false}
	}
	if log {
		l, h := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if h == l {
			h++
		}
		return scale{math.Pow(10, l), math.Pow(10, h), true}
	}
	return scale{0, axisScale(hi), false}
}

func usable(v float64, log bool) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0) && (log || v >= 0)
}

func (s scale) at(v float64) float64 {
	if s.log {
		return math.Log10(v/s.lo) / math.Log10(s.hi/s.lo)
	}
	return (v - s.lo) / (s.hi - s.lo)
}

// ticks are the labelled values: every decade (at most 7) on a log
// axis, quarters on a linear one.
func (s scale) ticks() []float64 {
	var out []float64
	if !s.log {
		for i := 0; i <= 4; i++ {
			out = append(out, s.lo+(s.hi-s.lo)*float64(i)/4)
		}
		return out
	}
	n := int(math.Round(math.Log10(s.hi / s.lo)))
	step := max(1, (n+5)/6)
	for k := 0; k <= n; k += step {
		out = append(out, s.lo*math.Pow(10, float64(k)))
	}
	return out
}

// ScatterChart draws s. Points that an axis cannot show (NaN, infinite,
// negative, or not positive on a log axis) are left out.
func ScatterChart(s Scatter) []byte {
	var b bytes.Buffer
	header(&b, s.Title, scH)
	var xs, ys []float64
	for _, g := range s.Groups {
		for _, p := range g.Points {
			if usable(p.X, s.LogX) && usable(p.Y, s.LogY) {
				xs, ys = append(xs, p.X), append(ys, p.Y)
			}
		}
	}
	sx, sy := newScale(xs, s.LogX), newScale(ys, s.LogY)
	plotW, plotH := width-scLeft-scRight, scH-scTop-scBottom
	px := func(v float64) float64 { return scLeft + plotW*sx.at(v) }
	py := func(v float64) float64 { return scTop + plotH*(1-sy.at(v)) }
	show := func(p Pt) bool { return usable(p.X, s.LogX) && usable(p.Y, s.LogY) }
	scatterAxes(&b, s, sx, sy)
	for k, g := range s.Groups {
		c := palette[k%len(palette)]
		for _, p := range g.Points {
			if show(p) {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s" fill-opacity="0.75"><title>%s</title></circle>`+"\n", px(p.X), py(p.Y), c, esc(p.Label))
			}
		}
	}
	var d bytes.Buffer
	for _, p := range s.Frontier {
		if !show(p) {
			continue
		}
		cmd := "L"
		if d.Len() == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&d, "%s%.1f %.1f", cmd, px(p.X), py(p.Y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="6" stroke="#222" fill="none"><title>frontier: %s</title></circle>`+"\n", px(p.X), py(p.Y), esc(p.Label))
	}
	if d.Len() > 0 {
		fmt.Fprintf(&b, `<path d="%s" stroke="#222" stroke-width="1.5" fill="none"/>`+"\n", d.String())
	}
	scatterLegend(&b, s.Groups, len(s.Frontier) > 0)
	b.WriteString("</svg>\n")
	spec := Spec{Kind: "scatter", Title: s.Title, XUnit: s.XUnit, YUnit: s.YUnit, LogX: s.LogX, LogY: s.LogY}
	add := func(name, c string, pts []Pt, frontier bool) {
		sp := SpecSeries{Name: name, Color: c, Frontier: frontier}
		for _, p := range pts {
			if show(p) {
				sp.X, sp.Y, sp.Tips = append(sp.X, Num(p.X)), append(sp.Y, Num(p.Y)), append(sp.Tips, p.Label)
			}
		}
		if sp.Y == nil {
			sp.Y = []Num{}
		}
		spec.Series = append(spec.Series, sp)
	}
	for k, g := range s.Groups {
		add(g.Name, color(k), g.Points, false)
	}
	if len(s.Frontier) > 0 {
		add("Pareto frontier", "#222222", s.Frontier, true)
	}
	return withSpec(b.Bytes(), spec)
}

func scatterAxes(b *bytes.Buffer, s Scatter, sx, sy scale) {
	plotW, plotH := width-scLeft-scRight, scH-scTop-scBottom
	bottom := scTop + plotH
	fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1fH%.1f" stroke="#222" fill="none"/>`+"\n", scLeft, scTop, bottom, scLeft+plotW)
	for _, v := range sx.ticks() {
		x := scLeft + plotW*sx.at(v)
		fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="middle" class="v">%s</text>`+"\n",
			x, scTop, bottom, x, bottom+14, num(v))
	}
	for _, v := range sy.ticks() {
		y := scTop + plotH*(1-sy.at(v))
		fmt.Fprintf(b, `<path d="M%.1f %.1fH%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end" class="v">%s</text>`+"\n",
			scLeft, y, scLeft+plotW, scLeft-4, y+4, num(v))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="end" class="v">%s</text>`+"\n", scLeft+plotW, scH-8, esc(s.XUnit+logNote(s.LogX)))
	fmt.Fprintf(b, `<text x="8" y="%.1f" class="v">%s</text>`+"\n", scTop-6, esc(s.YUnit+logNote(s.LogY)))
}

func logNote(log bool) string {
	if log {
		return " (log)"
	}
	return ""
}

func scatterLegend(b *bytes.Buffer, groups []Group, frontier bool) {
	x := width - scRight + 14
	y := scTop + 4
	if frontier {
		fmt.Fprintf(b, `<path d="M%.1f %.1fH%.1f" stroke="#222" stroke-width="1.5"/><text x="%.1f" y="%.1f" class="v">Pareto frontier</text>`+"\n", x, y+6, x+12, x+18, y+10)
		y += 18
	}
	for k, g := range groups {
		if k == scLegend {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="v">and %d more</text>`+"\n", x, y+10, len(groups)-k)
			break
		}
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/><text x="%.1f" y="%.1f" class="v">%s</text>`+"\n",
			x+6, y+6, palette[k%len(palette)], x+18, y+10, esc(g.Name))
		y += 18
	}
}
