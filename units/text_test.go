package units

import "testing"

// TestUnitlessDuration: a bare number other than 0 is the one thing a
// duration needing its unit refuses; 0, a unit and text that is no
// number pass to the parser.
func TestUnitlessDuration(t *testing.T) {
	for s, want := range map[string]bool{"50": true, " 0.05 ": true, "-3": true, "1e3": true, "0": false, "0.0": false, "50ms": false, "2s": false, "": false, "x": false} {
		if got := UnitlessDuration(s); got != want {
			t.Errorf("UnitlessDuration(%q) = %v, want %v", s, got, want)
		}
	}
}
