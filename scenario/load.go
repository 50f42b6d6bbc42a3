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
	if err := zerosStated(doc, &sc); err != nil {
		return nil, err
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

// zerosStated refuses a size stated as 0, or an empty list of systems:
// an absent field is zero too and takes the built-in default, so a
// stated 0 would silently run the default (the QA pass: training: {chips:
// 0} ran 16,384 chips, samples: 0 a thousand). Fields whose 0 means
// something (ttft: no bound; seed) are not listed.
func zerosStated(doc *strictyaml.Doc, sc *Scenario) error {
	t, in := sc.Training, sc.Inference
	for _, f := range []struct {
		path string
		zero bool
	}{{"samples", sc.Samples == 0}, {"training.tokens", t.Tokens == 0}, {"training.chips", t.Chips == 0},
		{"training.seq", t.Seq == 0}, {"training.global_batch", t.GlobalBatch == 0},
		{"inference.input_tokens", in.Input == 0}, {"inference.output_tokens", in.Output == 0},
		{"inference.tpot", in.TPOT == 0}, {"strategy.horizon", sc.Strategy.Horizon == 0}} {
		if f.zero && doc.Has(f.path) {
			return doc.At(f.path, "0: want a positive value (leave it out for the default)")
		}
	}
	if len(sc.Systems) == 0 && doc.Has("systems") {
		return doc.At("systems", "empty: want at least one system (leave it out for the default systems)")
	}
	return nil
}
