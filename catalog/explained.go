package catalog

import (
	"fmt"
	"io/fs"

	"chipgap/hardware"
	"chipgap/units"
)

// Explained is a whole run the model is known to miss, with the factors
// the evidence leaves open (explained-runs.yaml).
type Explained struct {
	ID      string          `json:"id"`
	Reason  string          `json:"reason"`
	Factors []ExplainFactor `json:"factors"`
}

// ExplainFactor is a share of the modelled run the source does not rule
// out (a fraction in (0, 1]).
type ExplainFactor struct {
	Name  string                              `json:"name"`
	Value hardware.Value[units.Dimensionless] `json:"value"`
}

// Allowed is the range of measured values the evidence allows for a run
// predicted at pred: pred divided by the product of the factors at their
// max (lo), typ and min (hi).
func (e Explained) Allowed(pred float64) (lo, typ, hi float64) {
	lo, typ, hi = pred, pred, pred
	for _, f := range e.Factors {
		lo /= float64(f.Value.Max)
		typ /= float64(f.Value.Typ)
		hi /= float64(f.Value.Min)
	}
	return lo, typ, hi
}

type explainedFile struct {
	Runs []struct {
		ID      string `yaml:"id"`
		Reason  string `yaml:"reason"`
		Factors []struct {
			Name  string                    `yaml:"name"`
			Value span[units.Dimensionless] `yaml:"value"`
		} `yaml:"factors"`
	} `yaml:"runs"`
}

// ExplainedRuns is explained-runs.yaml as Load decoded it, keyed by run
// id; every factor lies in (0, 1] and carries its evidence class.
func (c *Catalog) ExplainedRuns() (map[string]Explained, error) { return c.explained, nil }

// explainedFrom decodes and checks explained-runs.yaml.
func (c *Catalog) explainedFrom(fsys fs.FS) (map[string]Explained, error) {
	var f explainedFile
	if err := decodeFile(fsys, "explained-runs.yaml", &f); err != nil {
		return nil, err
	}
	out := map[string]Explained{}
	for _, r := range f.Runs {
		at := fmt.Sprintf("explained-runs.yaml: run %q", r.ID)
		if r.ID == "" || r.Reason == "" || len(r.Factors) == 0 {
			return nil, fmt.Errorf("catalog: %s: want an id, a reason and at least one factor", at)
		}
		if _, dup := out[r.ID]; dup {
			return nil, fmt.Errorf("catalog: %s: listed twice", at)
		}
		e := Explained{ID: r.ID, Reason: r.Reason}
		for _, fc := range r.Factors {
			v := fc.Value.value()
			if err := c.checkSpans(at+": "+fc.Name, []field{fieldOf("value", v)}); err != nil {
				return nil, err
			}
			if v.Min <= 0 || v.Max > 1 {
				return nil, fmt.Errorf("catalog: %s: %s: min %g, max %g: want a share in (0, 1]", at, fc.Name, float64(v.Min), float64(v.Max))
			}
			e.Factors = append(e.Factors, ExplainFactor{Name: fc.Name, Value: v})
		}
		out[r.ID] = e
	}
	return out, nil
}
