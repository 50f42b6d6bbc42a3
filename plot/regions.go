package plot

import (
	"bytes"
	"fmt"
	"math"
)

// Band is one class of a region map: values in [Lo, Hi) take its colour.
type Band struct {
	Label  string
	Lo, Hi float64
	Color  string
}

// Map is a region map's data: Z[j][i] at Y[j], X[i], with the axes'
// units, coloured by Bands.
type Map struct {
	Title, XUnit, YUnit string
	X, Y                []float64
	Z                   [][]float64
	Bands               []Band
	// YTip, where set, words a cell's y in its tooltip, %s for the value
	// ("%s min recovery"); else the value and YUnit. ZUnit follows the
	// cell's value there ("×").
	YTip, ZUnit string
}

// tip is a cell's tooltip: "0.25 × H100's failure rate, 1 min recovery:
// 1.21×".
func (m Map) tip(x, y, z float64) string {
	yt := num(y) + " " + m.YUnit
	if m.YTip != "" {
		yt = fmt.Sprintf(m.YTip, num(y))
	}
	return num(x) + " " + m.XUnit + ", " + yt + ": " + num(z) + m.ZUnit
}

// Regions draws a map of m.Z over the grid m.X × m.Y as cells coloured by
// the band each value falls in — a contour map with the band edges as
// contours. Cells outside every band (NaN, +Inf) are grey. Axes are
// labelled at the grid's values, x below, y on the left, with their units.
func Regions(m Map) []byte {
	title, xUnit, yUnit, xs, ys, z, bands := m.Title, m.XUnit, m.YUnit, m.X, m.Y, m.Z, m.Bands
	h := 380
	var b bytes.Buffer
	header(&b, title, h)
	left, top := 70.0, float64(marginT)+14
	plotW, plotH := float64(width-70-200), float64(h-marginT-14-marginB-10)
	if len(xs) == 0 || len(ys) == 0 {
		b.WriteString("</svg>\n")
		return b.Bytes()
	}
	cw, ch := plotW/float64(len(xs)), plotH/float64(len(ys))
	for j := range ys {
		for i := range xs {
			c := "#d9d9d9"
			if j < len(z) && i < len(z[j]) {
				if k := bandOf(z[j][i], bands); k >= 0 {
					c = bands[k].Color
				}
			}
			// y rises upwards: row 0 at the bottom.
			y := top + plotH - float64(j+1)*ch
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.2f" height="%.2f" fill="%s"><title>%s</title></rect>`+"\n",
				left+float64(i)*cw, y, cw+0.3, ch+0.3, c, esc(m.tip(xs[i], ys[j], valueAt(z, i, j))))
		}
	}
	fmt.Fprintf(&b, `<path d="M%.1f %.1fV%.1fH%.1f" stroke="#222" fill="none"/>`+"\n", left, top, top+plotH, left+plotW)
	step := max(1, len(xs)/6)
	for i := 0; i < len(xs); i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" class="v">%s</text>`+"\n", left+(float64(i)+0.5)*cw, top+plotH+14, num(xs[i]))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="end" class="v">%s</text>`+"\n", left+plotW, h-6, esc(xUnit))
	ystep := max(1, len(ys)/8)
	for j := 0; j < len(ys); j += ystep {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" class="v">%s</text>`+"\n", left-4, top+plotH-(float64(j)+0.5)*ch+4, num(ys[j]))
	}
	fmt.Fprintf(&b, `<text x="8" y="%.1f" class="v">%s</text>`+"\n", top-6, esc(yUnit))
	legend := append(append([]Band{}, bands...), Band{Label: "no value (never finishes)", Color: "#d9d9d9"})
	for k, bd := range legend {
		y := top + 8 + 18*float64(k)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/><text x="%.1f" y="%.1f" class="v">%s</text>`+"\n",
			left+plotW+10, y, bd.Color, left+plotW+26, y+10, esc(bd.Label))
	}
	b.WriteString("</svg>\n")
	spec := Spec{Kind: "map", Title: title, XUnit: xUnit, YUnit: yUnit, Series: []SpecSeries{{Name: "x", X: nums(xs), Y: nums(ys)}}}
	for j := range ys {
		row := make([]Num, len(xs))
		for i := range xs {
			row[i] = Num(valueAt(z, i, j))
		}
		spec.Z = append(spec.Z, row)
	}
	return withSpec(b.Bytes(), spec)
}

func bandOf(v float64, bands []Band) int {
	if math.IsNaN(v) {
		return -1
	}
	for k, bd := range bands {
		if v >= bd.Lo && v < bd.Hi {
			return k
		}
	}
	return -1
}

func valueAt(z [][]float64, i, j int) float64 {
	if j < len(z) && i < len(z[j]) {
		return z[j][i]
	}
	return math.NaN()
}
