package hardware

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"chipgap/units"
)

// Value is a sourced quantity: Typ is the best estimate; Min and Max bound
// it where sources disagree (both equal Typ when they agree). Sources are
// keys into the catalog's source table.
type Value[T ~float64] struct {
	Min        T        `yaml:"min,omitempty" json:"min"`
	Typ        T        `yaml:"typ" json:"typ"`
	Max        T        `yaml:"max,omitempty" json:"max"`
	Sources    []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	Note       string   `yaml:"note,omitempty" json:"note,omitempty"`
	Confidence string   `yaml:"confidence,omitempty" json:"confidence,omitempty"`
	// Derived marks a value computed by us from sourced inputs; Note says how.
	Derived bool `yaml:"derived,omitempty" json:"derived,omitempty"`
	// Assumed marks a value nobody published: a documented assumption.
	Assumed bool `yaml:"assumed,omitempty" json:"assumed,omitempty"`
	// Basis is the evidence class of Typ where a file records it
	// (reliability.yaml, stacks-engineering.yaml): "measured" (from a
	// published measurement with its data), "reported" (a claim without
	// data, e.g. a vendor's) or "assumed"; Date is when the evidence was
	// published (YYYY-MM or YYYY-MM-DD).
	Basis string `yaml:"basis,omitempty" json:"basis,omitempty"`
	Date  string `yaml:"date,omitempty" json:"date,omitempty"`
}

// Known reports whether the value was given at all.
func (v Value[T]) Known() bool { return v.Typ != 0 || len(v.Sources) > 0 }

// Spread reports whether sources disagree (Min < Max).
func (v Value[T]) Spread() bool { return v.Min != v.Max }

// Fixed returns an unsourced-free value with Min = Typ = Max, for
// computations and tests.
func Fixed[T ~float64](x T) Value[T] { return Value[T]{Min: x, Typ: x, Max: x} }

// Scale multiplies all three bounds by f (for a derived value).
func (v Value[T]) Scale(f float64) Value[T] {
	w := v
	w.Min, w.Typ, w.Max = T(float64(v.Min)*f), T(float64(v.Typ)*f), T(float64(v.Max)*f)
	w.Sources = slices.Clone(v.Sources)
	return w
}

// Precision is a number format the chip's matrix units execute.
type Precision string

// Precisions chipgap knows, widest first.
const (
	FP32 Precision = "fp32"
	TF32 Precision = "tf32"
	BF16 Precision = "bf16"
	FP16 Precision = "fp16"
	FP8  Precision = "fp8"
	INT8 Precision = "int8"
	FP4  Precision = "fp4"
)

// Precisions lists every precision in display order.
func Precisions() []Precision { return []Precision{FP32, TF32, BF16, FP16, FP8, INT8, FP4} }

// Bytes returns the storage size of one element.
func (p Precision) Bytes() float64 {
	switch p {
	case FP32, TF32:
		return 4
	case BF16, FP16:
		return 2
	case FP8, INT8:
		return 1
	case FP4:
		return 0.5
	}
	return 0
}

// ParsePrecision checks a precision name against every precision.
func ParsePrecision(s string) (Precision, error) { return ParsePrecisionOf(s, Precisions()...) }

// ParsePrecisionOf checks a precision name against those a use accepts
// (allowed, in display order: training's, serving's), so that the refusal
// lists only them. Names are lower-case, as every enum a flag or field
// takes is case-sensitive; a name that differs only in case is refused
// with the spelling meant.
func ParsePrecisionOf(s string, allowed ...Precision) (Precision, error) {
	p := Precision(s)
	if slices.Contains(allowed, p) {
		return p, nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	want := "want " + strings.Join(names, ", ")
	if i := strings.LastIndex(want, ", "); i >= 0 {
		want = want[:i] + " or " + want[i+2:]
	}
	for _, a := range allowed {
		if strings.EqualFold(s, string(a)) {
			return "", fmt.Errorf("%s (names are lower-case: %s)", want, a)
		}
	}
	return "", errors.New(want)
}

// Memory is the chip's high-bandwidth memory.
type Memory struct {
	Type      string                     `yaml:"type" json:"type"`
	Capacity  Value[units.Bytes]         `yaml:"capacity" json:"capacity"`
	Bandwidth Value[units.ByteRate]      `yaml:"bandwidth" json:"bandwidth"`
	Stacks    Value[units.Dimensionless] `yaml:"stacks,omitempty" json:"stacks,omitempty"`
}

// Link is a chip's share of a network tier.
type Link struct {
	Tech string `yaml:"tech,omitempty" json:"tech,omitempty"`
	// Network is the id of the catalog network entry this link belongs to
	// (its latency and fabric description).
	Network string `yaml:"network,omitempty" json:"network,omitempty"`
	// Bandwidth per chip: for scale-up the aggregate bidirectional figure
	// vendors quote; for scale-out the NIC rate each way.
	Bandwidth Value[units.ByteRate] `yaml:"bandwidth" json:"bandwidth"`
	// DomainSize is how many chips the tier connects all-to-all at this
	// bandwidth (scale-up) — 0 for scale-out.
	DomainSize Value[units.Dimensionless] `yaml:"domain_size,omitempty" json:"domain_size,omitempty"`
	// Latency of one hop/collective step on this tier.
	Latency Value[units.Seconds] `yaml:"latency,omitempty" json:"latency,omitempty"`
}

// Process is the silicon process a chip's compute dies are made on.
type Process struct {
	Node    string   `yaml:"node" json:"node"`
	Foundry string   `yaml:"foundry" json:"foundry"`
	Sources []string `yaml:"sources,omitempty" json:"sources,omitempty"`
}

// Chip is one accelerator package as sold.
type Chip struct {
	ID           string  `yaml:"id" json:"id"`
	Name         string  `yaml:"name" json:"name"`
	Vendor       string  `yaml:"vendor" json:"vendor"`
	Architecture string  `yaml:"architecture,omitempty" json:"architecture,omitempty"`
	LaunchYear   int     `yaml:"launch_year" json:"launch_year"`
	Process      Process `yaml:"process" json:"process"`
	// Dies is the number of compute dies in the package; DieArea is per die.
	Dies    int                        `yaml:"dies" json:"dies"`
	DieArea Value[units.Dimensionless] `yaml:"die_area_mm2,omitempty" json:"die_area_mm2,omitempty"`
	// DevicesPerChip is how many devices the software sees (910C: 2).
	DevicesPerChip int `yaml:"devices_per_chip" json:"devices_per_chip"`
	// Peak is the dense (no sparsity) matrix throughput per precision; a
	// precision absent from the map is not supported.
	Peak map[Precision]Value[units.FLOPRate] `yaml:"peak" json:"peak"`
	// ExpRate is the special-function units' exponential throughput
	// (MUFU.EX2 results per second): the softmax between a fused
	// attention's two GEMMs runs on them, not on the matrix units.
	// Zero: not stated.
	ExpRate  Value[units.FLOPRate] `yaml:"exp_rate,omitempty" json:"exp_rate,omitempty"`
	HBM      Memory                `yaml:"hbm" json:"hbm"`
	SRAM     Value[units.Bytes]    `yaml:"sram,omitempty" json:"sram,omitempty"`
	TDP      Value[units.Watts]    `yaml:"tdp" json:"tdp"`
	ScaleUp  Link                  `yaml:"scale_up" json:"scale_up"`
	ScaleOut Link                  `yaml:"scale_out" json:"scale_out"`
	// ChipsPerNode is the usual server size.
	ChipsPerNode int                     `yaml:"chips_per_node" json:"chips_per_node"`
	Price        Value[units.USD]        `yaml:"price,omitempty" json:"price,omitempty"`
	Rental       Value[units.USDPerHour] `yaml:"rental,omitempty" json:"rental,omitempty"`
	// Stack is the id of the software stack the chip runs by default.
	Stack string   `yaml:"stack" json:"stack"`
	Notes []string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// PeakFor returns the dense peak at precision p, and whether the chip
// supports it.
func (c *Chip) PeakFor(p Precision) (Value[units.FLOPRate], bool) {
	v, ok := c.Peak[p]
	return v, ok && v.Typ > 0
}

// Network is a fabric tier (NVLink/NVSwitch, InfiniBand, RoCE, HCCS, UB, ICI).
type Network struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	Tier string `yaml:"tier" json:"tier"` // scale-up | scale-out
	// Bandwidth per chip port, each way.
	Bandwidth  Value[units.ByteRate]      `yaml:"bandwidth" json:"bandwidth"`
	Latency    Value[units.Seconds]       `yaml:"latency" json:"latency"`
	DomainSize Value[units.Dimensionless] `yaml:"domain_size,omitempty" json:"domain_size,omitempty"`
	// Topology is "switched" (the default: any group of ranks reaches the
	// full per-chip bandwidth), "full-mesh" (a direct link to each of
	// the other domain_size − 1 chips, Bandwidth their sum: a group of n
	// ranks drives only its n − 1 links) or "torus" (TorusDims: two
	// links per chip in each dimension, Bandwidth their sum; a group
	// drives the links of the dimensions it spans, Tier.bw).
	Topology string `yaml:"topology,omitempty" json:"topology,omitempty"`
	// TorusDims is, on a torus, the ring lengths a group fills in order
	// (innermost first), each wrapped around: [16, 16] for a TPU v5e pod,
	// [4, 4, 4] for the v4/v5p cube every larger slice is built of.
	TorusDims []int    `yaml:"torus_dims,omitempty" json:"torus_dims,omitempty"`
	Notes     []string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Topologies of a scale-up network.
const (
	Switched = "switched"
	FullMesh = "full-mesh"
	Torus    = "torus"
)

// System is a product built from chips: a server, rack or pod.
type System struct {
	ID       string             `yaml:"id" json:"id"`
	Name     string             `yaml:"name" json:"name"`
	Chip     string             `yaml:"chip" json:"chip"`
	Chips    int                `yaml:"chips" json:"chips"`         // chips in one system
	ScaleUp  string             `yaml:"scale_up" json:"scale_up"`   // network id
	ScaleOut string             `yaml:"scale_out" json:"scale_out"` // network id
	Power    Value[units.Watts] `yaml:"power,omitempty" json:"power,omitempty"`
	Price    Value[units.USD]   `yaml:"price,omitempty" json:"price,omitempty"`
	Notes    []string           `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Source is a titled reference that catalog values cite by key.
type Source struct {
	Key   string `yaml:"key" json:"key"`
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url,omitempty" json:"url,omitempty"`
	Kind  string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Note says how the source was read or how reliable it is.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}
