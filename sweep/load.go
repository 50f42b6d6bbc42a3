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
func Parse(name string, b []byte) (*Grid, error) { return ParseWithin(name, b, Bounds{}) }

// Bounds tightens a grid's limits where it runs (a server's
// max_samples): the one check then quotes the bound that applies. The
// zero Bounds is the grid format's own.
type Bounds struct {
	Samples int    // the most Monte Carlo samples a cell may draw; 0: MaxSamples
	Why     string // what the refusal adds: " (this server's max_samples, see docs/api.md)"
}

// ParseWithin is Parse under bounds.
func ParseWithin(name string, b []byte, bounds Bounds) (*Grid, error) {
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
	if err := zerosStated(doc, g.Training); err != nil {
		return nil, err
	}
	g.WithDefaults()
	if err := g.validate(bounds); err != nil {
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
	if err := whatIfsStated(doc, g.WhatIf); err != nil {
		return nil, err
	}
	return &g, nil
}

// zerosStated refuses a training size stated as 0: an absent field is 0
// too and takes the default (seq 8192, global batch 2048, 15T tokens),
// so a stated 0 would silently run the default where the range check
// would refuse -5 (the QA pass: seq: 0 ran 8192).
func zerosStated(doc *strictyaml.Doc, t *Training) error {
	if t == nil {
		return nil
	}
	return doc.StatedZero(strictyaml.Zero{Path: "training.tokens", IsZero: t.Tokens == 0, Want: "want a token budget above 0 and at most 1e18"},
		strictyaml.Zero{Path: "training.seq", IsZero: t.Seq == 0, Want: fmt.Sprintf("want 1 to %d tokens", input.MaxSeq)},
		strictyaml.Zero{Path: "training.global_batch", IsZero: t.GlobalBatch == 0, Want: fmt.Sprintf("want 1 to %d sequences", input.MaxGlobalBatch)})
}

// whatIfsStated refuses a what-if value stated as 0 (an absent field is
// 0 too, and keeps the catalog's: a stated 0 would be silently the base
// chip's figure) and a what-if that changes nothing.
func whatIfsStated(doc *strictyaml.Doc, ws []WhatIf) error {
	for i, w := range ws {
		fields := []struct {
			name string
			v    float64
		}{{"hbm_capacity", float64(w.HBMCapacity)}, {"hbm_bandwidth", float64(w.HBMBandwidth)}, {"peak", float64(w.Peak)},
			{"tdp", float64(w.TDP)}, {"price", float64(w.Price)}, {"chips_per_node", float64(w.ChipsPerNode)}}
		changed := false
		for _, f := range fields {
			path := fmt.Sprintf("what_if[%d].%s", i, f.name)
			if f.v == 0 && doc.Has(path) {
				return doc.At(path, "0: want a positive value (leave it out to keep the base chip's)")
			}
			changed = changed || f.v != 0
		}
		if !changed {
			return doc.At(fmt.Sprintf("what_if[%d]", i), "changes nothing: state at least one of hbm_capacity, hbm_bandwidth, peak, tdp, price, chips_per_node")
		}
	}
	return nil
}
