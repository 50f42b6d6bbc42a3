package econ

import (
	"math"

	"chipgap/input"
	"chipgap/units"
)

func check(field string, v float64, ok bool, allow string) error {
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return &input.Error{Prefix: "econ: ", Field: field, Value: v, Want: "want " + allow}
	}
	return nil
}

// Year is the accounting year: 365.25 days.
const Year = 365.25 * units.Day

// Capex is what owning one chip costs up front, split by what pays for it.
type Capex struct {
	Chip units.USD `json:"chip"`
	// Server is the chip's share of the rest of the server (CPUs, board,
	// memory, chassis, power supplies).
	Server units.USD `json:"server"`
	// Network is the chip's share of the cluster network (NICs, switches,
	// optics, cables).
	Network units.USD `json:"network"`
	// Facility is the chip's share of the data-centre build (power and
	// cooling plant, shell).
	Facility units.USD `json:"facility"`
}

// Total is the sum of the parts.
func (c Capex) Total() units.USD { return c.Chip + c.Server + c.Network + c.Facility }

// CapexOptions builds a Capex from the ratios analysts publish.
type CapexOptions struct {
	ChipPrice units.USD `json:"chip_price"`
	// ServerMultiplier is server cost / accelerator cost (Epoch: 1.54–1.69).
	ServerMultiplier float64 `json:"server_multiplier"`
	// NetworkShare is the network's cost as a fraction of server cost.
	NetworkShare float64 `json:"network_share"`
	// FacilityPerWatt is the data-centre build cost per watt of power
	// drawn at the wall (units.USD per W).
	FacilityPerWatt units.USD `json:"facility_per_watt"`
	// Wall is the chip's power at the wall (see Power.Wall).
	Wall units.Watts `json:"wall"`
}

// NewCapex splits a chip's capex: server = chip·(multiplier − 1),
// network = share·chip·multiplier, facility = $/W × wall power.
func NewCapex(o CapexOptions) (Capex, error) {
	errs := []error{
		check("chip price (USD)", float64(o.ChipPrice), o.ChipPrice >= 0, ">= 0"),
		check("server multiplier", o.ServerMultiplier, o.ServerMultiplier >= 1 && o.ServerMultiplier <= 10, "1 to 10 (server cost / chip cost)"),
		check("network share", o.NetworkShare, o.NetworkShare >= 0 && o.NetworkShare <= 2, "0 to 2 (of server cost)"),
		check("facility cost (USD per W)", float64(o.FacilityPerWatt), o.FacilityPerWatt >= 0, ">= 0"),
		check("wall power (W)", float64(o.Wall), o.Wall >= 0, ">= 0"),
	}
	for _, err := range errs {
		if err != nil {
			return Capex{}, err
		}
	}
	server := float64(o.ChipPrice) * o.ServerMultiplier
	return Capex{
		Chip:     o.ChipPrice,
		Server:   units.USD(server) - o.ChipPrice,
		Network:  units.USD(o.NetworkShare * server),
		Facility: units.USD(float64(o.FacilityPerWatt) * float64(o.Wall)),
	}, nil
}

// Power is what one chip draws, from the die to the utility meter.
type Power struct {
	TDP units.Watts `json:"tdp"`
	// Load is the average fraction of TDP the chip draws while busy.
	Load float64 `json:"load"`
	// ServerMultiplier is server power / accelerator power: CPUs, memory,
	// fans, NICs and conversion losses (Epoch: 1.56–2.03).
	ServerMultiplier float64 `json:"server_multiplier"`
	// PUE is facility power / IT power.
	PUE float64 `json:"pue"`
}

// Validate checks the fields.
func (p Power) Validate() error {
	for _, err := range []error{
		check("TDP (W)", float64(p.TDP), p.TDP > 0, "> 0"),
		check("load (fraction of TDP)", p.Load, p.Load > 0 && p.Load <= 1.5, "in (0, 1.5]"),
		check("server power multiplier", p.ServerMultiplier, p.ServerMultiplier >= 1 && p.ServerMultiplier <= 5, "1 to 5"),
		check("PUE", p.PUE, p.PUE >= 1 && p.PUE <= 5, "1 to 5"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Wall is the average power per chip at the utility meter:
// TDP × load × server multiplier × PUE (Epoch AI's model).
func (p Power) Wall() units.Watts {
	return units.Watts(float64(p.TDP) * p.Load * p.ServerMultiplier * p.PUE)
}

// Idle is the power at the wall of a chip waiting at fraction of its TDP:
// the server's and the facility's overheads on what the chip draws.
func (p Power) Idle(fraction float64) units.Watts {
	return units.Watts(fraction * float64(p.TDP) * p.ServerMultiplier * p.PUE)
}
