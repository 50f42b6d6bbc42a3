package sweep

import (
	"errors"
	"fmt"

	"chipgap/input"
	"chipgap/strictyaml"
)

// Error is a grid that cannot be used: the file, the line (0 when the
// field is absent from the file), the field's path ("what_if[0].tdp")
// and what is wrong. It prints as one line.
type Error = strictyaml.Error

// MaxFileBytes bounds a grid file.
const MaxFileBytes = 1 << 20

// Parse strictly decodes a grid file's bytes (name is used in errors),
// fills the defaults and validates it against the catalog. Unknown keys
// (an unknown axis), values of the wrong type or unit and out-of-range
// values are an *Error naming the file, the line and the field.
func Parse(name string, b []byte) (*Grid, error) {
	if len(b) > MaxFileBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes: a grid file may be at most %d", len(b), MaxFileBytes)}
	}
	var g Grid
	doc, err := strictyaml.Decode(name, b, &g, strictyaml.Options{Format: Format, UnknownTop: "unknown axis or setting"})
	if err != nil {
		return nil, err
	}
	if g.Format != Format {
		return nil, doc.At("format", fmt.Sprintf("%q: want %q", g.Format, Format))
	}
	g.WithDefaults()
	if err := g.Validate(); err != nil {
		var fe *input.Error
		if errors.As(err, &fe) {
			msg := fe.Want
			if fe.Value != nil {
				msg = fmt.Sprintf("%v: %s", fe.Value, fe.Want)
			}
			return nil, doc.At(fe.Field, msg)
		}
		return nil, doc.Whole(err.Error())
	}
	return &g, nil
}
