package scenario

import (
	"chipgap/hardware"
	"chipgap/units"
)

// Format is the version line every scenario file starts with.
const Format = "chipgap-scenario/v1"

// Range is a sourced min/typ/max number (a fraction, a multiplier, a
// price per kWh, years); Sources are catalog source keys, Assumed marks
// a value nobody published (Note says why).
type Range = hardware.Value[units.Dimensionless]

// Duration is a sourced min/typ/max duration ("14d", "3h").
type Duration = hardware.Value[units.Seconds]

// Scenario is everything the gap report computes from. The zero value
// of a field means "the built-in default" (WithDefaults fills it); a file
// that states a size as 0 is refused (Parse), as it would silently run
// the default.
type Scenario struct {
	Format  string `yaml:"format" json:"format"`
	Title   string `yaml:"title,omitempty" json:"title,omitempty"`
	Seed    uint64 `yaml:"seed,omitempty" json:"seed"`
	Samples int    `yaml:"samples,omitempty" json:"samples"`
	// Systems are compared side by side; Side groups them into the two
	// supply chains the report contrasts.
	Systems     []System               `yaml:"systems,omitempty" json:"systems"`
	Training    Training               `yaml:"training,omitempty" json:"training"`
	Inference   Inference              `yaml:"inference,omitempty" json:"inference"`
	Supply      Supply                 `yaml:"supply,omitempty" json:"supply"`
	Economics   Economics              `yaml:"economics,omitempty" json:"economics"`
	Engineering map[string]Engineering `yaml:"engineering,omitempty" json:"engineering"`
	// Efficiency multiplies a stack's calibrated kernel efficiencies
	// (training matmul, inference matmul and memory): the calibration's
	// own uncertainty, by stack id.
	Efficiency map[string]Range `yaml:"efficiency,omitempty" json:"efficiency"`
	// FailureRateScale multiplies every failure mode's rate of a stack
	// (catalog reliability.yaml), by stack id: a what-if on reliability.
	// Absent means 1.
	FailureRateScale map[string]Range `yaml:"failure_rate_scale,omitempty" json:"failure_rate_scale,omitempty"`
	// Chips overrides catalog values of a chip, by chip id.
	Chips    map[string]ChipOverride `yaml:"chips,omitempty" json:"chips,omitempty"`
	Strategy Strategy                `yaml:"strategy,omitempty" json:"strategy"`
	// StackDate takes every training stack as it stood on this date
	// (YYYY-MM-DD; a profile's dated versions, e.g. MindFormers tags);
	// empty: their current state. The report names the state it used.
	StackDate string `yaml:"stack_date,omitempty" json:"stack_date,omitempty"`
}

// System is one compared configuration: a chip in nodes of a given
// scale-up size, on a software stack, in an electricity region.
type System struct {
	Label string `yaml:"label" json:"label"`
	Chip  string `yaml:"chip" json:"chip"`
	// Side is "nvidia" or "ascend" (default: from the chip's vendor).
	Side string `yaml:"side,omitempty" json:"side"`
	// ChipsPerNode is the scale-up domain (0: the chip's usual node).
	ChipsPerNode int `yaml:"chips_per_node,omitempty" json:"chips_per_node"`
	// Stack is the software-stack id (empty: the chip's default).
	Stack string `yaml:"stack,omitempty" json:"stack"`
	// TrainingFramework and InferenceFramework pick a stack profile by
	// framework name (empty: the stack's default profile).
	TrainingFramework  string `yaml:"training_framework,omitempty" json:"training_framework,omitempty"`
	InferenceFramework string `yaml:"inference_framework,omitempty" json:"inference_framework,omitempty"`
	// Region keys Economics.Regions (electricity price and PUE).
	Region string `yaml:"region,omitempty" json:"region"`
	// Note is shown next to the system in the report.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Training is the frontier-class run every system is asked to do.
type Training struct {
	Model string `yaml:"model,omitempty" json:"model"`
	// Tokens is the token budget (15e12 = 15 T).
	Tokens units.Count `yaml:"tokens,omitempty" json:"tokens"`
	// Chips per cluster; with Sizing "equal-peak" it is the baseline
	// system's count and the others get the same peak FLOP/s.
	Chips       int                `yaml:"chips,omitempty" json:"chips"`
	Sizing      string             `yaml:"sizing,omitempty" json:"sizing"`
	Seq         int                `yaml:"seq,omitempty" json:"seq"`
	GlobalBatch int                `yaml:"global_batch,omitempty" json:"global_batch"`
	Precision   hardware.Precision `yaml:"precision,omitempty" json:"precision"`
}

// Inference is the large inference service every system is asked to run.
type Inference struct {
	Model  string `yaml:"model,omitempty" json:"model"`
	Input  int    `yaml:"input_tokens,omitempty" json:"input_tokens"`
	Output int    `yaml:"output_tokens,omitempty" json:"output_tokens"`
	// TPOT and TTFT are the latency target (0 TTFT: unbounded).
	TPOT units.Seconds `yaml:"tpot,omitempty" json:"tpot"`
	TTFT units.Seconds `yaml:"ttft,omitempty" json:"ttft"`
	// Precision is a precision name or "auto" (FP8, else INT8, else BF16).
	Precision string `yaml:"precision,omitempty" json:"precision"`
	// MaxInstanceChips bounds the chips one model instance may span.
	MaxInstanceChips int `yaml:"max_instance_chips,omitempty" json:"max_instance_chips"`
}

// Supply lists the chips whose production the report models.
type Supply struct {
	Chips []string `yaml:"chips,omitempty" json:"chips"`
}

// Economics are the money and power assumptions (see package econ).
type Economics struct {
	Regions map[string]Region `yaml:"regions,omitempty" json:"regions"`
	// ServerPower is server power / accelerator power; ServerCost server
	// cost / accelerator cost (Epoch AI).
	ServerPower  Range `yaml:"server_power,omitempty" json:"server_power"`
	ServerCost   Range `yaml:"server_cost,omitempty" json:"server_cost"`
	NetworkShare Range `yaml:"network_share,omitempty" json:"network_share"`
	// FacilityPerWatt is data-centre build cost, USD per watt at the wall.
	FacilityPerWatt Range `yaml:"facility_per_watt,omitempty" json:"facility_per_watt"`
	LifeYears       Range `yaml:"life_years,omitempty" json:"life_years"`
	Utilisation     Range `yaml:"utilisation,omitempty" json:"utilisation"`
	// Load is the average fraction of TDP a busy chip draws.
	Load Range `yaml:"load,omitempty" json:"load"`
}

// Region is where a system is powered.
type Region struct {
	USDPerKWh Range `yaml:"usd_per_kwh" json:"usd_per_kwh"`
	PUE       Range `yaml:"pue" json:"pue"`
}

// Engineering is a stack's porting and maturation effort per frontier
// run (see goodput.Engineering).
type Engineering struct {
	Port            Duration `yaml:"port" json:"port"`
	InitialSlowdown Range    `yaml:"initial_slowdown" json:"initial_slowdown"`
	Maturation      Duration `yaml:"maturation" json:"maturation"`
}

// ChipOverride replaces catalog values of one chip (a zero field keeps
// the catalog's). Peak is the dense peak at the training precision;
// the chip's other precisions scale by the same factor. Each field is a
// range: {min: 300TFLOPS, typ: 350TFLOPS, max: 400TFLOPS} or {typ: 350W}.
type ChipOverride struct {
	Peak         hardware.Value[units.FLOPRate] `yaml:"peak,omitempty" json:"peak"`
	HBMBandwidth hardware.Value[units.ByteRate] `yaml:"hbm_bandwidth,omitempty" json:"hbm_bandwidth"`
	TDP          hardware.Value[units.Watts]    `yaml:"tdp,omitempty" json:"tdp"`
	Price        hardware.Value[units.USD]      `yaml:"price,omitempty" json:"price"`
}

// Strategy compares a baseline system with a challenger for a lab that
// trains frontier models again and again.
type Strategy struct {
	Baseline   string `yaml:"baseline,omitempty" json:"baseline"`
	Challenger string `yaml:"challenger,omitempty" json:"challenger"`
	// Between is the time between two runs (evaluation, data, design).
	Between Duration `yaml:"between,omitempty" json:"between"`
	// Horizon is how far ahead the compounding gap is shown.
	Horizon units.Seconds `yaml:"horizon,omitempty" json:"horizon"`
}
