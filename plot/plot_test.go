package plot

import (
	"bytes"
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML, which catches unescaped labels and
// unbalanced tags.
func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func TestBarsGeometry(t *testing.T) {
	svg := Bars("Days to train", "days", []Bar{
		{Label: "H100 <8k>", Value: 90, Lo: 80, Hi: 100},
		{Label: "910B", Value: 180, Group: 1},
	})
	wellFormed(t, svg)
	s := string(svg)
	// Axis scale: max(100, 180) rounds up to 200. Plot width 640-170-90 = 380 px,
	// so the 90-day bar is 380·90/200 = 171 px wide and the 180-day one 342 px.
	for _, want := range []string{`width="171.0"`, `width="342.0"`, "H100 &lt;8k&gt;", ">200<"} {
		if !strings.Contains(s, want) {
			t.Errorf("Bars SVG lacks %q", want)
		}
	}
	// The range 80–100 becomes a whisker from x = 170+380·0.4 = 322 to 170+380·0.5 = 360.
	if !strings.Contains(s, "M322.0 50.0H360.0") {
		t.Errorf("Bars SVG lacks the 80–100 whisker:\n%s", s)
	}
}

func TestTornadoAndLinesAreDeterministic(t *testing.T) {
	rows := []Swing{{"HBM bandwidth", 4, 9}, {"yield", 5, 7}}
	a, b := Tornado("Sensitivity", "months", 6, rows), Tornado("Sensitivity", "months", 6, rows)
	if !bytes.Equal(a, b) {
		t.Error("Tornado is not deterministic")
	}
	wellFormed(t, a)
	l := Lines("Throughput vs latency", "ms", "tok/s", []Series{{"H100", []float64{10, 20, 40}, []float64{100, 300, 500}}}, 450)
	wellFormed(t, l)
	// y axis: max(500, 450) → 500; the first point (10 ms, 100 tok/s) with x
	// scale 40 (the data's 40 is a round end: 4 × 10):
	// px = 70 + 430·10/40 = 177.5, py = 36 + 284·(1 − 100/500) = 263.2.
	if !strings.Contains(string(l), "M177.5 263.2") {
		t.Errorf("Lines first point misplaced:\n%s", l)
	}
}

// TestAxisScale: an axis ends at the first of 1, 2, 4, 5, 8 or 10 times
// a power of ten at or above the data, so it ends near it (36 months at
// 40, not 50) and its quarters are round.
func TestAxisScale(t *testing.T) {
	for _, c := range []struct{ hi, want float64 }{{36, 40}, {23, 40}, {41, 50}, {0.7, 0.8}, {1, 1}, {1.01, 2}, {3, 4}, {4.5, 5}, {6, 8}, {8.5, 10}, {0, 1}} {
		if got := axisScale(c.hi); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("axisScale(%g) = %g, want %g", c.hi, got, c.want)
		}
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{0.1234: "0.123", 12.34: "12.3", 123.4: "123", 1234: "1234", 12345: "12.3k", 4.5e6: "4.5M", 0: "0"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}

// A region map colours each cell by its band: a 2 × 2 grid with one value
// per band and a NaN draws one rectangle of each band's colour and one
// grey, and a legend entry per band.
func TestRegionsColoursCellsByBand(t *testing.T) {
	bands := []Band{{"below", 0, 1, "#aaa111"}, {"inside", 1, 2, "#bbb222"}, {"above", 2, math.Inf(1), "#ccc333"}}
	svg := Regions(Map{Title: "map", XUnit: "x", YUnit: "y", X: []float64{1, 2}, Y: []float64{10, 20}, Z: [][]float64{{0.5, 1.5}, {3, math.NaN()}}, Bands: bands})
	wellFormed(t, svg)
	s := string(svg)
	for _, c := range []string{"#aaa111", "#bbb222", "#ccc333"} {
		if n := strings.Count(s, `fill="`+c+`"`); n != 2 { // one cell + one legend swatch
			t.Errorf("colour %s used %d times, want 2", c, n)
		}
	}
	if n := strings.Count(s, `fill="#d9d9d9"`); n != 2 { // one cell + the legend's "no value"
		t.Errorf("grey (NaN) cells and swatch: %d, want 2", n)
	}
}

// TestRegionsTip: a cell's tooltip words its y with YTip and follows its
// value with ZUnit ("2 x, 10 min recovery: 1.5×"); without YTip, the
// value and YUnit as before.
func TestRegionsTip(t *testing.T) {
	m := Map{Title: "map", XUnit: "x", YUnit: "recovery, min", YTip: "%s min recovery", ZUnit: "×", X: []float64{1, 2}, Y: []float64{10}, Z: [][]float64{{0.5, 1.5}}}
	if s := string(Regions(m)); !strings.Contains(s, "<title>2 x, 10 min recovery: 1.5×</title>") {
		t.Errorf("tooltip not worded with YTip and ZUnit:\n%s", s)
	}
	m.YTip, m.ZUnit = "", ""
	if s := string(Regions(m)); !strings.Contains(s, "<title>2 x, 10 recovery, min: 1.5</title>") {
		t.Errorf("tooltip without YTip:\n%s", s)
	}
}
