package catalog

import (
	"fmt"
	"io/fs"

	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/uncertain"
	"chipgap/units"
)

// EconData is catalog/data/econ.yaml: the defaults of the econ model.
type EconData struct {
	Regions           []EconRegion `yaml:"regions" json:"regions"`
	Power             EconPower    `yaml:"power" json:"power"`
	Capex             EconCapex    `yaml:"capex" json:"capex"`
	DepreciationYears Num          `yaml:"depreciation_years" json:"depreciation_years"`
	Utilisation       Num          `yaml:"utilisation" json:"utilisation"`
}

// EconRegion is where chips run: electricity price and PUE.
type EconRegion struct {
	ID        string `yaml:"id" json:"id"`
	Name      string `yaml:"name" json:"name"`
	USDPerKWh Num    `yaml:"usd_per_kwh" json:"usd_per_kwh"`
	PUE       Num    `yaml:"pue" json:"pue"`
}

// EconPower holds the power model's multipliers.
type EconPower struct {
	ServerMultiplier Num `yaml:"server_multiplier" json:"server_multiplier"`
	Load             Num `yaml:"load" json:"load"`
}

// EconCapex holds the capex split's ratios.
type EconCapex struct {
	ServerMultiplier   Num `yaml:"server_multiplier" json:"server_multiplier"`
	NetworkShare       Num `yaml:"network_share" json:"network_share"`
	FacilityUSDPerWatt Num `yaml:"facility_usd_per_watt" json:"facility_usd_per_watt"`
}

// Econ returns catalog/data/econ.yaml, decoded and checked by Load.
// Callers must not modify it.
func (c *Catalog) Econ() (*EconData, error) { return c.econ, nil }

func (c *Catalog) econFrom(fsys fs.FS) (*EconData, error) {
	var d EconData
	if err := decodeFile(fsys, "econ.yaml", &d); err != nil {
		return nil, err
	}
	vals := []*Num{&d.Power.ServerMultiplier, &d.Power.Load, &d.Capex.ServerMultiplier, &d.Capex.NetworkShare,
		&d.Capex.FacilityUSDPerWatt, &d.DepreciationYears, &d.Utilisation}
	for i := range d.Regions {
		vals = append(vals, &d.Regions[i].USDPerKWh, &d.Regions[i].PUE)
	}
	for _, v := range vals {
		norm(v)
	}
	return &d, c.checkEcon(&d)
}

func (c *Catalog) checkEcon(d *EconData) error {
	const file = "econ.yaml"
	if err := c.checkAll(file, fieldOf("power.server_multiplier", d.Power.ServerMultiplier), fieldOf("power.load", d.Power.Load),
		fieldOf("capex.server_multiplier", d.Capex.ServerMultiplier), fieldOf("capex.network_share", d.Capex.NetworkShare),
		fieldOf("capex.facility_usd_per_watt", d.Capex.FacilityUSDPerWatt), fieldOf("depreciation_years", d.DepreciationYears),
		fieldOf("utilisation", d.Utilisation)); err != nil {
		return err
	}
	if d.Utilisation.Max > 1 {
		return fmt.Errorf("catalog: %s: utilisation max %g: want a fraction ≤ 1", file, float64(d.Utilisation.Max))
	}
	seen := map[string]bool{}
	for _, r := range d.Regions {
		if r.ID == "" || seen[r.ID] {
			return fmt.Errorf("catalog: %s: region id %q is empty or defined twice", file, r.ID)
		}
		seen[r.ID] = true
		at := file + ": region " + r.ID
		if err := c.checkAll(at, fieldOf("usd_per_kwh", r.USDPerKWh), fieldOf("pue", r.PUE)); err != nil {
			return err
		}
		if r.PUE.Min < 1 {
			return fmt.Errorf("catalog: %s: pue min %g: want ≥ 1", at, float64(r.PUE.Min))
		}
	}
	return nil
}

// Region returns the region with this id.
func (d *EconData) Region(id string) (*EconRegion, error) {
	return find(d.Regions, "region", id, func(r *EconRegion) string { return r.ID })
}

// WallPower draws one chip's power at the wall in a region from dr: its TDP
// from chips.yaml, the load, server multiplier and the region's PUE from
// econ.yaml, as Ownership takes them (no price needed).
func (d *EconData) WallPower(ch *hardware.Chip, regionID string, dr *uncertain.Draw) (econ.Power, error) {
	r, err := d.Region(regionID)
	if err != nil {
		return econ.Power{}, err
	}
	if !ch.TDP.Known() {
		return econ.Power{}, fmt.Errorf("catalog: chip %s has no TDP in chips.yaml", ch.ID)
	}
	w := &drawer{d: dr}
	p := econ.Power{TDP: units.Watts(pick(w, "tdp", ch.TDP)), Load: pick(w, "load", d.Power.Load),
		ServerMultiplier: pick(w, "server_power_multiplier", d.Power.ServerMultiplier), PUE: pick(w, "pue", r.PUE)}
	if w.err != nil {
		return econ.Power{}, w.err
	}
	return p, p.Validate()
}

// Ownership draws the ownership of one chip in a region from dr: chip
// price and TDP from chips.yaml, the rest from econ.yaml; a chip without
// one of the two is an error naming which (WallPower's for the TDP). Pass
// uncertain.Typical() for the point estimate, or call it inside an
// uncertain.Trial for ranges.
func (d *EconData) Ownership(ch *hardware.Chip, regionID string, dr *uncertain.Draw) (econ.Ownership, error) {
	r, err := d.Region(regionID)
	if err != nil {
		return econ.Ownership{}, err
	}
	if !ch.Price.Known() {
		// Say what is missing: a chip with a TDP (the H800) still has
		// its energy and, with a rental rate, its rented cost.
		return econ.Ownership{}, fmt.Errorf("catalog: chip %s has no price in chips.yaml: an owned chip-hour needs one", ch.ID)
	}
	p, err := d.WallPower(ch, regionID, dr)
	if err != nil {
		return econ.Ownership{}, err
	}
	w := &drawer{d: dr}
	capex, err := econ.NewCapex(econ.CapexOptions{
		ChipPrice: units.USD(pick(w, "chip_price", ch.Price)), ServerMultiplier: pick(w, "server_cost_multiplier", d.Capex.ServerMultiplier),
		NetworkShare: pick(w, "network_share", d.Capex.NetworkShare), FacilityPerWatt: units.USD(pick(w, "facility_usd_per_watt", d.Capex.FacilityUSDPerWatt)),
		Wall: p.Wall(),
	})
	if err != nil {
		return econ.Ownership{}, err
	}
	o := econ.Ownership{Capex: capex, Life: units.Seconds(pick(w, "depreciation_years", d.DepreciationYears)) * econ.Year, Power: p,
		USDPerKWh: pick(w, "usd_per_kwh", r.USDPerKWh), Utilisation: pick(w, "utilisation", d.Utilisation)}
	if w.err != nil {
		return econ.Ownership{}, w.err
	}
	return o, o.Validate()
}

// Econ model outputs, as HourTrial names them.
const (
	OutCapex         = "capex"
	OutWall          = "wall_w"
	OutCapitalPerHr  = "capital_per_hour"
	OutEnergyPerHr   = "energy_per_hour"
	OutOwnedPerHour  = "owned_per_hour"
	OutRentedPerHour = "rented_per_hour"
)

// HourTrial is the cost of a busy chip-hour of ch in a region as an
// uncertain.Trial: capex, wall power, owned cost split into capital and
// energy, and (when chips.yaml has one) the market rental rate.
func (d *EconData) HourTrial(ch *hardware.Chip, regionID string) uncertain.Trial {
	return func(dr *uncertain.Draw) (map[string]float64, error) {
		o, err := d.Ownership(ch, regionID, dr)
		if err != nil {
			return nil, err
		}
		h, err := econ.OwnedHour(o)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{
			OutCapex: float64(o.Capex.Total()), OutWall: float64(o.Power.Wall()),
			OutCapitalPerHr: float64(h.Capital), OutEnergyPerHr: float64(h.Energy), OutOwnedPerHour: float64(h.Total()),
		}
		if ch.Rental.Known() {
			w := &drawer{d: dr}
			out[OutRentedPerHour] = pick(w, "rental", ch.Rental)
			if w.err != nil {
				return nil, w.err
			}
		}
		return out, nil
	}
}
