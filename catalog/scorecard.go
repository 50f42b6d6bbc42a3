package catalog

import (
	"fmt"
	"io/fs"
	"slices"
)

// Score is how chipgap's estimators score on the published runs of one
// regime (scorecard.yaml): the runs Select takes from Files, how many of
// them a fitted parameter was fitted on, and the signed errors
// (predicted / measured − 1) validate gives on them.
type Score struct {
	ID         string      `yaml:"id" json:"id"`
	What       string      `yaml:"what" json:"what"`
	Files      []string    `yaml:"files" json:"files"`
	Select     ScoreSelect `yaml:"select" json:"select"`
	Runs       int         `yaml:"runs" json:"runs"`
	Calibrated int         `yaml:"calibrated" json:"calibrated"`
	Median     float64     `yaml:"median_error" json:"median_error"`
	Min        float64     `yaml:"min_error" json:"min_error"`
	Max        float64     `yaml:"max_error" json:"max_error"`
}

// ScoreSelect picks a regime's runs: the kind (training or inference),
// the chip family's vendor (the first word of validate's family), dense
// or MoE models, and at least MinChips chips.
type ScoreSelect struct {
	Kind     string `yaml:"kind" json:"kind"`
	Vendor   string `yaml:"vendor" json:"vendor"`
	Models   string `yaml:"models" json:"models"` // dense or moe
	MinChips int    `yaml:"min_chips,omitempty" json:"min_chips,omitempty"`
}

// Scorecard is scorecard.yaml as Load decoded and checked it.
func (c *Catalog) Scorecard() []Score { return c.scores }

// ScoreFor is the regime that scores kind (training or inference) on a
// vendor's chips for dense or MoE models, and whether there is one.
func (c *Catalog) ScoreFor(kind, vendor string, moe bool) (Score, bool) {
	models := "dense"
	if moe {
		models = "moe"
	}
	for _, s := range c.scores {
		if s.Select.Kind == kind && s.Select.Vendor == vendor && s.Select.Models == models {
			return s, true
		}
	}
	return Score{}, false
}

// scorecardFrom decodes and checks scorecard.yaml.
func scorecardFrom(fsys fs.FS) ([]Score, error) {
	var f struct {
		Regimes []Score `yaml:"regimes"`
	}
	if err := decodeFile(fsys, "scorecard.yaml", &f); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, s := range f.Regimes {
		at := fmt.Sprintf("catalog: scorecard.yaml: regime %d (%q)", i, s.ID)
		switch {
		case s.ID == "" || seen[s.ID]:
			return nil, fmt.Errorf("%s: id: want a unique non-empty id", at)
		case s.What == "" || len(s.Files) == 0:
			return nil, fmt.Errorf("%s: what and files: want both", at)
		case !slices.Contains([]string{"training", "inference"}, s.Select.Kind):
			return nil, fmt.Errorf("%s: select.kind = %q: want training or inference", at, s.Select.Kind)
		case !slices.Contains([]string{"dense", "moe"}, s.Select.Models):
			return nil, fmt.Errorf("%s: select.models = %q: want dense or moe", at, s.Select.Models)
		case s.Select.Vendor == "":
			return nil, fmt.Errorf("%s: select.vendor: want the vendor's name", at)
		case s.Runs < 1 || s.Calibrated < 0 || s.Calibrated > s.Runs:
			return nil, fmt.Errorf("%s: runs = %d, calibrated = %d: want runs ≥ 1 and 0 ≤ calibrated ≤ runs", at, s.Runs, s.Calibrated)
		case !(s.Min <= s.Median && s.Median <= s.Max):
			return nil, fmt.Errorf("%s: errors min %v, median %v, max %v: want min ≤ median ≤ max", at, s.Min, s.Median, s.Max)
		}
		seen[s.ID] = true
	}
	return f.Regimes, nil
}
