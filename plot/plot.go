package plot

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
)

// Size and palette shared by every chart, so output is stable and the
// report's charts look alike.
const (
	width   = 640
	rowH    = 28
	marginL = 170
	marginR = 90
	marginT = 36
	marginB = 40
)

var palette = []string{"#4e79a7", "#e15759", "#f28e2b", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"}

// Bar is one horizontal bar: a typical value and an optional [Lo, Hi]
// range drawn as an error bar (Lo = Hi = 0 means no range).
type Bar struct {
	Label  string
	Value  float64
	Lo, Hi float64
	// Group colours bars alike (e.g. a vendor); bars of one group share a colour.
	Group int
}

// Bars draws a horizontal bar chart with error bars. unit labels the axis
// ("days", "$/Mtok").
func Bars(title, unit string, bars []Bar) []byte {
	h := marginT + marginB + rowH*len(bars)
	var b bytes.Buffer
	header(&b, title, h)
	hi := 0.0
	for _, br := range bars {
		hi = math.Max(hi, math.Max(br.Value, br.Hi))
	}
	scale := axisScale(hi)
	plotW := float64(width - marginL - marginR)
	x := func(v float64) float64 { return marginL + plotW*v/scale }
	for i, br := range bars {
		y := float64(marginT + i*rowH)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" class="l">%s</text>`+"\n", marginL-8, y+rowH*0.62, esc(br.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`+"\n",
			marginL, y+4, x(br.Value)-marginL, float64(rowH-8), palette[br.Group%len(palette)], esc(br.Label), num(br.Value))
		if br.Hi > br.Lo {
			cy := y + rowH/2
			fmt.Fprintf(&b, `<path d="M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f" stroke="#222" fill="none"/>`+"\n",
				x(br.Lo), cy, x(br.Hi), x(br.Lo), cy-5, cy+5, x(br.Hi), cy-5, cy+5)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="v">%s</text>`+"\n", math.Max(x(br.Value), x(br.Hi))+6, y+rowH*0.62, num(br.Value))
	}
	axis(&b, scale, unit, h)
	b.WriteString("</svg>\n")
	sp := SpecSeries{Name: title, Color: color(0)}
	ranged := false
	for _, br := range bars {
		sp.Y = append(sp.Y, Num(br.Value))
		sp.Lo, sp.Hi = append(sp.Lo, Num(br.Lo)), append(sp.Hi, Num(br.Hi))
		sp.Colors = append(sp.Colors, color(br.Group))
		ranged = ranged || br.Hi > br.Lo
	}
	if !ranged {
		sp.Lo, sp.Hi = nil, nil
	}
	return withSpec(b.Bytes(), Spec{Kind: "bars", Title: title, XUnit: unit, Labels: barLabels(bars), Series: []SpecSeries{sp}})
}

func barLabels(bars []Bar) []string {
	out := make([]string, len(bars))
	for i, br := range bars {
		out[i] = br.Label
	}
	return out
}

// Swing is one row of a tornado chart: the output when an input is at its
// low and at its high end, around a base value.
type Swing struct {
	Label     string
	Low, High float64
}

// Tornado draws a sensitivity chart: one bar per input from its low-end
// output to its high-end output, around the base output, largest first
// (callers sort).
func Tornado(title, unit string, base float64, rows []Swing) []byte {
	h := marginT + marginB + rowH*len(rows)
	var b bytes.Buffer
	header(&b, title, h)
	lo, hi := base, base
	for _, r := range rows {
		lo = math.Min(lo, math.Min(r.Low, r.High))
		hi = math.Max(hi, math.Max(r.Low, r.High))
	}
	if hi == lo {
		hi = lo + 1
	}
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	plotW := float64(width - marginL - marginR)
	x := func(v float64) float64 { return marginL + plotW*(v-lo)/(hi-lo) }
	for i, r := range rows {
		y := float64(marginT + i*rowH)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" class="l">%s</text>`+"\n", marginL-8, y+rowH*0.62, esc(r.Label))
		for j, v := range []float64{r.Low, r.High} {
			x0, x1 := math.Min(x(base), x(v)), math.Max(x(base), x(v))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`+"\n",
				x0, y+4, x1-x0, rowH-8, palette[j], esc(r.Label), num(v))
		}
	}
	fmt.Fprintf(&b, `<path d="M%.1f %dV%d" stroke="#222" stroke-dasharray="3 3"/>`+"\n", x(base), marginT-4, h-marginB)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" class="v">base %s %s</text>`+"\n", x(base), marginT-10, num(base), esc(unit))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="v">%s</text><text x="%d" y="%d" text-anchor="end" class="v">%s</text>`+"\n",
		marginL, h-marginB+16, num(lo), width-marginR, h-marginB+16, num(hi))
	b.WriteString("</svg>\n")
	spec := Spec{Kind: "range", Title: title, XUnit: unit, Base: &base,
		Series: []SpecSeries{{Name: "input at its low end", Color: color(0)}, {Name: "input at its high end", Color: color(1)}}}
	for _, r := range rows {
		spec.Labels = append(spec.Labels, r.Label)
		spec.Series[0].Y = append(spec.Series[0].Y, Num(r.Low))
		spec.Series[1].Y = append(spec.Series[1].Y, Num(r.High))
	}
	return withSpec(b.Bytes(), spec)
}

// Series is one line of a line chart.
type Series struct {
	Name string
	X, Y []float64
}

// Lines draws series on shared linear axes; a horizontal limit line is
// drawn at limitY when limitY > 0 (an SLO, say).
func Lines(title, xUnit, yUnit string, series []Series, limitY float64) []byte {
	h := 360
	var b bytes.Buffer
	header(&b, title, h)
	xs, ys := 0.0, limitY
	for _, s := range series {
		for i := range s.X {
			xs, ys = math.Max(xs, s.X[i]), math.Max(ys, s.Y[i])
		}
	}
	xs, ys = axisScale(xs), axisScale(ys)
	left, plotW, plotH := 70.0, float64(width-70-140), float64(h-marginT-marginB)
	px := func(v float64) float64 { return left + plotW*v/xs }
	py := func(v float64) float64 { return float64(marginT) + plotH*(1-v/ys) }
	for k, s := range series {
		var d bytes.Buffer
		for i := range s.X {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%.1f %.1f", cmd, px(s.X[i]), py(s.Y[i]))
		}
		c := palette[k%len(palette)]
		fmt.Fprintf(&b, `<path d="%s" stroke="%s" stroke-width="2" fill="none"/>`+"\n", d.String(), c)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" style="fill:%s">%s</text>`+"\n", left+plotW+10, marginT+14+16*k, c, esc(s.Name))
	}
	if limitY > 0 {
		fmt.Fprintf(&b, `<path d="M%.1f %.1fH%.1f" stroke="#e15759" stroke-dasharray="4 3"/>`+"\n", left, py(limitY), left+plotW)
	}
	fmt.Fprintf(&b, `<path d="M%.1f %dV%.1fH%.1f" stroke="#222" fill="none"/>`+"\n", left, marginT, py(0), left+plotW)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="end" class="v">%s</text>`, left+plotW, h-8, esc(num(xs)+" "+xUnit))
	// The y-axis maximum sits just inside the plot, right of the axis, so it
	// never collides with the title above.
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="v">%s</text>`+"\n", left+4, marginT+10, esc(num(ys)+" "+yUnit))
	b.WriteString("</svg>\n")
	spec := Spec{Kind: "lines", Title: title, XUnit: xUnit, YUnit: yUnit}
	for k, s := range series {
		spec.Series = append(spec.Series, SpecSeries{Name: s.Name, Color: color(k), X: nums(s.X), Y: nums(s.Y)})
	}
	if limitY > 0 {
		spec.Limit, spec.LimitLabel = &limitY, "limit"
	}
	return withSpec(b.Bytes(), spec)
}

func header(b *bytes.Buffer, title string, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, h, width, h)
	b.WriteString(`<style>.l{fill:#222}.v{fill:#555;font-size:11px}.t{font-weight:bold;font-size:14px}</style>` + "\n")
	fmt.Fprintf(b, `<text x="8" y="20" class="t">%s</text>`+"\n", esc(title))
}

func axis(b *bytes.Buffer, scale float64, unit string, h int) {
	y := h - marginB + 6
	fmt.Fprintf(b, `<path d="M%d %dH%d" stroke="#222"/>`+"\n", marginL, y, width-marginR)
	for i := 0; i <= 4; i++ {
		v := scale * float64(i) / 4
		xx := float64(marginL) + float64(width-marginL-marginR)*float64(i)/4
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" class="v">%s</text>`+"\n", xx, y+16, num(v))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" class="v">%s</text>`+"\n", width-8, y+16, esc(unit))
}

// axisScale rounds hi up to 1, 2, 4, 5 or 8 times a power of ten: a
// quarter of each is a round tick (the bar axes mark four), and the
// axis ends near the data (36 months at 40, not 50).
func axisScale(hi float64) float64 {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(hi)))
	for _, m := range []float64{1, 2, 4, 5, 8, 10} {
		if hi <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// num prints about 3 significant digits, with k/M/G for large values:
// 0.123, 12.3, 123, 1234, 12.3k, 4.5M.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'g', 3, 64) + "G"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	case a >= 1e3:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func esc(s string) string { return html.EscapeString(s) }

// Keyed is a drawn chart with the key a page finds it by: the web API's
// "charts" entries.
type Keyed struct {
	Key string `json:"key"`
	SVG string `json:"svg"`
}
