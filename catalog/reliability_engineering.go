package catalog

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/units"
)

// StackEngineering is one stack's porting and engineering overhead
// (stacks-engineering.yaml), and the MFU chipgap run falls back on when
// the training estimator is unavailable.
type StackEngineering struct {
	Stack       string                              `json:"stack"`
	Engineering goodput.Engineering                 `json:"engineering"`
	MFUFallback hardware.Value[units.Dimensionless] `json:"mfu_fallback"`
}

type engineeringFile struct {
	Stacks []struct {
		Stack           string                    `yaml:"stack"`
		Port            span[units.Seconds]       `yaml:"port"`
		InitialSlowdown span[units.Dimensionless] `yaml:"initial_slowdown"`
		Maturation      span[units.Seconds]       `yaml:"maturation"`
		MFUFallback     span[units.Dimensionless] `yaml:"mfu_fallback"`
	} `yaml:"stacks"`
}

// Engineering returns the engineering overhead of every stack, keyed by
// stack id, as Load decoded it from stacks-engineering.yaml and checked
// it (a copy of the map).
func (c *Catalog) Engineering() (map[string]StackEngineering, error) {
	return maps.Clone(c.engineering), nil
}

func (c *Catalog) engineeringFrom(fsys fs.FS) (map[string]StackEngineering, error) {
	var f engineeringFile
	if err := decodeFile(fsys, "stacks-engineering.yaml", &f); err != nil {
		return nil, err
	}
	out := map[string]StackEngineering{}
	for _, s := range f.Stacks {
		at := fmt.Sprintf("stacks-engineering.yaml: stack %q", s.Stack)
		if !slices.Contains(Stacks(), s.Stack) {
			return nil, fmt.Errorf("catalog: %s: unknown stack; want one of %v", at, Stacks())
		}
		if _, dup := out[s.Stack]; dup {
			return nil, fmt.Errorf("catalog: %s: defined twice", at)
		}
		e := StackEngineering{Stack: s.Stack, MFUFallback: s.MFUFallback.value(), Engineering: goodput.Engineering{
			Port: s.Port.value(), InitialSlowdown: s.InitialSlowdown.value(), Maturation: s.Maturation.value()}}
		fs := []field{fieldOf("port", e.Engineering.Port), fieldOf("initial_slowdown", e.Engineering.InitialSlowdown),
			fieldOf("maturation", e.Engineering.Maturation), fieldOf("mfu_fallback", e.MFUFallback)}
		if err := c.checkSpans(at, fs); err != nil {
			return nil, err
		}
		if e.Engineering.InitialSlowdown.Max >= 1 || e.MFUFallback.Max > 1 || e.MFUFallback.Min <= 0 {
			return nil, fmt.Errorf("catalog: %s: initial_slowdown must stay below 1 and mfu_fallback in (0, 1]", at)
		}
		out[s.Stack] = e
	}
	for _, s := range Stacks() {
		if _, ok := out[s]; !ok {
			return nil, fmt.Errorf("catalog: stacks-engineering.yaml: no entry for stack %q", s)
		}
	}
	return out, nil
}
