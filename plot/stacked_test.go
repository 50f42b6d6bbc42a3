package plot

import (
	"bytes"
	"strings"
	"testing"
)

// TestStackedGeometry: the plot area is 640 − 170 − 90 = 380 px wide;
// the largest total, 60 + 30 + 10 = 100, sets the axis at 100, so the
// parts of the first bar are 228, 114 and 38 px wide, placed end to end
// from x = 170; a negative part draws nothing.
func TestStackedGeometry(t *testing.T) {
	svg := string(Stacked("Run time", "days", []string{"steady", "downtime", "engineering"}, []Stack{
		{Label: "A", Parts: []float64{60, 30, 10}},
		{Label: "B<", Parts: []float64{20, -5, 5}},
	}))
	for _, want := range []string{
		`<rect x="170.0" y="40.0" width="228.0"`, `<rect x="398.0" y="40.0" width="114.0"`, `<rect x="512.0" y="40.0" width="38.0"`,
		`<rect x="170.0" y="68.0" width="76.0"`, `<rect x="246.0" y="68.0" width="0.0"`, `>100</text>`, `>25</text>`,
		`B&lt;`, `>engineering</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("Stacked output lacks %q", want)
		}
	}
	again := Stacked("Run time", "days", []string{"steady", "downtime", "engineering"}, []Stack{
		{Label: "A", Parts: []float64{60, 30, 10}}, {Label: "B<", Parts: []float64{20, -5, 5}}})
	if !bytes.Equal([]byte(svg), again) {
		t.Error("Stacked is not deterministic")
	}
}

// TestStackedTotal: a bar with a Total prints it at its end, not its
// parts' sum (P50s 59 + 9 + 4 = 72 against a total's P50 of 74); a bar
// without one prints the sum (10 + 5 = 15).
func TestStackedTotal(t *testing.T) {
	svg := string(Stacked("Run time", "days", []string{"steady", "downtime", "engineering"}, []Stack{
		{Label: "A", Parts: []float64{59, 9, 4}, Total: 74}, {Label: "B", Parts: []float64{10, 5}}}))
	if !strings.Contains(svg, `class="v">74</text>`) || strings.Contains(svg, `class="v">72</text>`) {
		t.Errorf("bar A's end does not read its Total 74:\n%s", svg)
	}
	if !strings.Contains(svg, `class="v">15</text>`) {
		t.Errorf("bar B's end does not read its parts' sum 15:\n%s", svg)
	}
}
