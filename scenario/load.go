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
	type z = strictyaml.Zero
	if err := doc.StatedZero(z{Path: "samples", IsZero: sc.Samples == 0}, z{Path: "training.tokens", IsZero: t.Tokens == 0},
		z{Path: "training.chips", IsZero: t.Chips == 0}, z{Path: "training.seq", IsZero: t.Seq == 0},
		z{Path: "training.global_batch", IsZero: t.GlobalBatch == 0}, z{Path: "inference.input_tokens", IsZero: in.Input == 0},
		z{Path: "inference.output_tokens", IsZero: in.Output == 0}, z{Path: "inference.tpot", IsZero: in.TPOT == 0},
		z{Path: "strategy.horizon", IsZero: sc.Strategy.Horizon == 0}); err != nil {
		return err
	}
	if len(sc.Systems) == 0 && doc.Has("systems") {
		return doc.At("systems", "empty: want at least one system (leave it out for the default systems)")
	}
	return nil
}
