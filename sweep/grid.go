package sweep

import (
	"chipgap/hardware"
	"chipgap/training"
	"chipgap/units"
)

// Format is the version line every grid file starts with.
const Format = "chipgap-sweep/v1"

// Grid is a sweep file: the axes whose cross product is the cells, and
// the targets each cell is asked to meet. Every list is an axis; a
// field left out takes the default WithDefaults names.
type Grid struct {
	Format string `yaml:"format" json:"format"`
	Title  string `yaml:"title,omitempty" json:"title,omitempty"`
	// Seed and Samples drive the Monte Carlo of every cell: Samples draws
	// of each input's range (0: typical values only, no P10/P50/P90).
	Seed    uint64 `yaml:"seed,omitempty" json:"seed"`
	Samples int    `yaml:"samples,omitempty" json:"samples"`
	// Chips are catalog chip ids; WhatIf adds chips that override catalog
	// fields. Both are one axis, catalog chips first.
	Chips  []string `yaml:"chips,omitempty" json:"chips,omitempty"`
	WhatIf []WhatIf `yaml:"what_if,omitempty" json:"what_if,omitempty"`
	// Sizes are chips per cluster (training) or per serving fleet: a
	// serving cell of N chips runs N/n instances of the best instance
	// size n that divides N (Serving.MaxInstanceChips caps n).
	Sizes      []int                `yaml:"sizes" json:"sizes"`
	Models     []string             `yaml:"models" json:"models"`
	Precisions []hardware.Precision `yaml:"precisions" json:"precisions"`
	Training   *Training            `yaml:"training,omitempty" json:"training,omitempty"`
	Serving    *Serving             `yaml:"serving,omitempty" json:"serving,omitempty"`
}

// WhatIf is a chip that does not exist: a catalog chip (Base) with some
// of its fields replaced. A zero field keeps the catalog's value; a
// given one is taken as exact (min = typ = max).
type WhatIf struct {
	Label        string         `yaml:"label" json:"label"`
	Base         string         `yaml:"base" json:"base"`
	HBMCapacity  units.Bytes    `yaml:"hbm_capacity,omitempty" json:"hbm_capacity,omitempty"`
	HBMBandwidth units.ByteRate `yaml:"hbm_bandwidth,omitempty" json:"hbm_bandwidth,omitempty"`
	// Peak is the dense BF16 peak; every other precision scales by the
	// same factor.
	Peak  units.FLOPRate `yaml:"peak,omitempty" json:"peak,omitempty"`
	TDP   units.Watts    `yaml:"tdp,omitempty" json:"tdp,omitempty"`
	Price units.USD      `yaml:"price,omitempty" json:"price,omitempty"`
	// ChipsPerNode is the scale-up domain (node size), which may exceed
	// the base chip's own.
	ChipsPerNode int `yaml:"chips_per_node,omitempty" json:"chips_per_node,omitempty"`
}

// Training asks every cell for a training run of Tokens tokens; Stacks
// (framework names, "" = the chip's default) and StackDates
// (YYYY-MM-DD, "" = today's profile) are axes.
type Training struct {
	Tokens      units.Count `yaml:"tokens,omitempty" json:"tokens"`
	Seq         int         `yaml:"seq,omitempty" json:"seq"`
	GlobalBatch int         `yaml:"global_batch,omitempty" json:"global_batch"`
	Stacks      []string    `yaml:"stacks,omitempty" json:"stacks"`
	StackDates  []string    `yaml:"stack_dates,omitempty" json:"stack_dates"`
	// WholeRun adds failures, checkpoints, restarts and porting effort
	// (goodput's closed form) and the run's cost and energy.
	WholeRun bool `yaml:"whole_run,omitempty" json:"whole_run"`
}

// Serving asks every cell for the best way to serve on a fleet of Size
// chips under an SLO: instances of the size n that divides Size (at most
// MaxInstanceChips) and the layout whose output tokens/s per chip is
// highest; Stacks, Workloads and SLOs are axes.
type Serving struct {
	Stacks    []string   `yaml:"stacks,omitempty" json:"stacks"`
	Workloads []Workload `yaml:"workloads,omitempty" json:"workloads"`
	SLOs      []SLO      `yaml:"slos,omitempty" json:"slos"`
	// MaxInstanceChips bounds the chips one model instance may span, as
	// the gap report's inference.max_instance_chips does (0: the fleet's
	// size).
	MaxInstanceChips int `yaml:"max_instance_chips,omitempty" json:"max_instance_chips,omitempty"`
}

// Workload is a request shape: prompt and output tokens.
type Workload struct {
	Input  int `yaml:"input_tokens" json:"input_tokens"`
	Output int `yaml:"output_tokens" json:"output_tokens"`
}

// SLO is a latency target (0 TTFT: unbounded).
type SLO struct {
	TPOT units.Seconds `yaml:"tpot" json:"tpot"`
	TTFT units.Seconds `yaml:"ttft,omitempty" json:"ttft"`
}

// WithDefaults fills what the file leaves out.
func (g *Grid) WithDefaults() {
	if g.Seed == 0 {
		g.Seed = 1
	}
	if t := g.Training; t != nil {
		if t.Tokens == 0 {
			t.Tokens = 15e12
		}
		setInt(&t.Seq, training.DefaultSeq)
		setInt(&t.GlobalBatch, training.DefaultGlobalBatch)
		if len(t.Stacks) == 0 {
			t.Stacks = []string{""}
		}
		if len(t.StackDates) == 0 {
			t.StackDates = []string{""}
		}
	}
	if s := g.Serving; s != nil {
		if len(s.Stacks) == 0 {
			s.Stacks = []string{""}
		}
		if len(s.Workloads) == 0 {
			s.Workloads = []Workload{{Input: 4096, Output: 1024}}
		}
		if len(s.SLOs) == 0 {
			s.SLOs = []SLO{{TPOT: 0.05}}
		}
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}
