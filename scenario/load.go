package scenario

import (
	"errors"
	"fmt"
	"os"

	"chipgap/input"
	"chipgap/strictyaml"
)

// Error is a scenario file that cannot be used: the file, the line (0
// when the field is absent from the file), the field's path
// ("training.chips", "systems[2].chip") and what is wrong.
type Error = strictyaml.Error

// Load reads, strictly decodes, fills and validates the scenario file
// at path.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse strictly decodes a scenario file's bytes (name is used in
// errors), fills the defaults and validates it. Unknown keys, values of
// the wrong type or unit and out-of-range values are an *Error naming
// the file, the line and the field.
func Parse(name string, b []byte) (*Scenario, error) {
	var sc Scenario
	doc, err := strictyaml.Decode(name, b, &sc, strictyaml.Options{Format: Format})
	if err != nil {
		return nil, err
	}
	if sc.Format != Format {
		return nil, doc.At("format", fmt.Sprintf("%q: want %q", sc.Format, Format))
	}
	sc.WithDefaults()
	if err := sc.Validate(); err != nil {
		var fe *input.Error
		if errors.As(err, &fe) {
			return nil, doc.At(fe.Field, fmt.Sprintf("%v: %s", fe.Value, fe.Want))
		}
		return nil, doc.Whole(err.Error())
	}
	return &sc, nil
}
