package parallel

import "testing"

// Blame names the largest degree that alone would fix the layout, else
// the largest of all; the first of equals; -1 for none.
func TestBlame(t *testing.T) {
	for _, c := range []struct {
		ds      []Degree
		culprit int
		fixable bool
	}{
		{[]Degree{{"tp", 8, false}, {"pp", 3, true}, {"cp", 1, true}}, 1, true},
		{[]Degree{{"tp", 4, true}, {"pp", 4, true}}, 0, true},
		{[]Degree{{"tp", 2, false}, {"pp", 4, false}}, 1, false},
		{[]Degree{{"tp", 2, false}, {"pp", 2, false}}, 0, false},
		{nil, -1, false},
	} {
		if i, ok := Blame(c.ds); i != c.culprit || ok != c.fixable {
			t.Errorf("Blame(%v) = %d, %v; want %d, %v", c.ds, i, ok, c.culprit, c.fixable)
		}
	}
}
