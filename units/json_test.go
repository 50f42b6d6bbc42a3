package units

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// A JSON value of the wrong kind for a quantity is a type error naming
// the quantity's type (so the caller can say a string with a unit is
// also taken), and leaves the destination as it was.
func TestUnmarshalTypeErrorNamesTheQuantity(t *testing.T) {
	c := Count(5)
	err := json.Unmarshal([]byte(`true`), &c)
	var ute *json.UnmarshalTypeError
	if !errors.As(err, &ute) || ute.Type != reflect.TypeFor[Count]() || c != 5 {
		t.Errorf("true into a Count: %v (type %v), value %v; want a type error naming units.Count and the value kept", err, ute, c)
	}
}

// A JSON null leaves a quantity as it was, as encoding/json does for a
// plain number (the review: it zeroed it).
func TestUnmarshalNullKeepsTheQuantity(t *testing.T) {
	s := Seconds(5)
	if err := json.Unmarshal([]byte(`null`), &s); err != nil || s != 5 {
		t.Errorf("null into Seconds(5): %v, %v; want 5 kept", s, err)
	}
}

// A duration string needs its unit: "50" is refused, naming the rule
// (a JSON number is seconds, "50ms" has a unit), as the command line's
// --tpot 50 is; "0" is no bound either way.
func TestSecondsStringWantsAUnit(t *testing.T) {
	var s Seconds
	err := json.Unmarshal([]byte(`"50"`), &s)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Input != "50" || err.Error() != `invalid duration "50": want a unit (50ms) or a JSON number of seconds` {
		t.Errorf(`"50" into Seconds: %v; want a ParseError asking for a unit`, err)
	}
	for in, want := range map[string]Seconds{`"50ms"`: 0.05, `50`: 50, `"0"`: 0, `"2 s"`: 2} {
		var got Seconds
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != want {
			t.Errorf("%s into Seconds: %v, %v; want %v", in, got, err, want)
		}
	}
}
