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
