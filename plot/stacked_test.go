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
