package plot

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// Geometry worked by hand. Plot area: x from 70 to 640-170 = 470 (400 px),
// y from 36+14 = 50 to 400-44 = 356 (306 px).
//
// Linear axes: x max 40 → scale 40; y max 8 → scale 8. The point
// (10, 5): x = 70 + 400·10/40 = 170, y = 50 + 306·(1 − 5/8) = 164.75.
//
// Log axes: x from 1 to 100 (values 2 and 40 round out to decades), so
// 10 sits at 70 + 400·1/2 = 270; y from 1 to 10 (values 2 and 8), so 2
// sits at 50 + 306·(1 − log10 2) = 263.9.
func TestScatterGeometry(t *testing.T) {
	groups := []Group{
		{Name: "H100 <8k>", Points: []Pt{{10, 5, "a & b"}, {40, 2, "c"}}},
		{Name: "910C", Points: []Pt{{20, 8, "d"}, {math.Inf(1), 1, "never"}, {2, 2, "e"}}},
	}
	lin := ScatterChart(Scatter{Title: "t", XUnit: "days", YUnit: "$", Groups: groups, Frontier: []Pt{{10, 5, "a & b"}, {40, 2, "c"}}})
	wellFormed(t, lin)
	s := string(lin)
	for _, want := range []string{`cx="170.0" cy="164.8" r="3.5"`, `M170.0 164.8L`, "H100 &lt;8k&gt;", "a &amp; b", ">40<", ">10<"} {
		if !strings.Contains(s, want) {
			t.Errorf("linear scatter lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "never") {
		t.Error("a point at +Inf was drawn")
	}
	if n := strings.Count(s, `r="6"`); n != 2 {
		t.Errorf("%d ringed frontier points, want 2", n)
	}
	log := ScatterChart(Scatter{Title: "t", XUnit: "days", YUnit: "$", LogX: true, LogY: true, Groups: groups})
	wellFormed(t, log)
	for _, want := range []string{`cx="270.0" cy="`, `cy="263.9"`, "days (log)", ">100<"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log scatter lacks %q:\n%s", want, log)
		}
	}
	if !bytes.Equal(log, ScatterChart(Scatter{Title: "t", XUnit: "days", YUnit: "$", LogX: true, LogY: true, Groups: groups})) {
		t.Error("ScatterChart is not deterministic")
	}
}

func TestScatterEmptyAndManyGroups(t *testing.T) {
	wellFormed(t, ScatterChart(Scatter{Title: "nothing"}))
	var gs []Group
	for i := range 20 {
		gs = append(gs, Group{Name: string(rune('a' + i)), Points: []Pt{{float64(i + 1), 1, ""}}})
	}
	s := string(ScatterChart(Scatter{Title: "many", Groups: gs}))
	if !strings.Contains(s, "and 4 more") {
		t.Error("legend of 20 groups does not sum up the last 4")
	}
}
