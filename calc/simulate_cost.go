package calc

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/serve"
)

// A simulation's cost (serve.Result.Cost) is its chips rented at the
// catalog's rental rate for the simulated time; serve-estimate's headline
// is the owned cost. OwnedCost is the same run on owned chips, priced as
// serve-estimate prices them (ownedChipHour, in the chip's default region:
// china for an Ascend chip, else us), so the two commands' owned costs
// agree where their throughputs do.

// OwnedCost is a simulation's tokens on owned chips: its chips at an
// owned chip-hour each (USDPerHour, in all), over its tokens.
type OwnedCost struct {
	// Region is the econ region of each pool's chips (two, ", "-joined,
	// where the pools' chips are priced in different regions).
	Region              string  `json:"region"`
	USDPerHour          float64 `json:"usd_per_hour"`
	USDPerMOutputTokens float64 `json:"usd_per_m_output_tokens,omitempty"`
	USDPerMTokens       float64 `json:"usd_per_m_tokens,omitempty"`
}

// pricedPool is one pool's chip and how many of them it holds.
type pricedPool struct {
	chip  *hardware.Chip
	chips float64
}

// ownedCost prices pools' chips owned, for t's tokens (none: the hourly
// cost alone); nil with a note saying why where a chip has no owned
// price (the catalog lacks its price, as for the H800). Each pool's share
// of a million tokens is inference.TokenCost at the deployment's tokens/s
// over that pool's chips, the shares adding to the whole's.
func ownedCost(cat *catalog.Catalog, pools []pricedPool, t serve.Throughput) (*OwnedCost, string) {
	data, err := cat.Econ()
	if err != nil {
		return nil, fmt.Sprintf("no owned cost: %v", err)
	}
	c := &OwnedCost{}
	var regions []string
	for _, p := range pools {
		rg := region("", p.chip.Vendor)
		if !slices.Contains(regions, rg) {
			regions = append(regions, rg)
		}
		h, wall, err := ownedChipHour(data, p.chip, rg)
		if err != nil {
			return nil, fmt.Sprintf("no owned cost: %v", err)
		}
		c.USDPerHour += p.chips * float64(h)
		if t.OutputTokensPerS <= 0 {
			continue
		}
		out, err := inference.TokenCost(t.OutputTokensPerS/p.chips, h, wall)
		if err != nil {
			return nil, fmt.Sprintf("no owned cost: %v", err)
		}
		all, err := inference.TokenCost((t.OutputTokensPerS+t.InputTokensPerS)/p.chips, h, wall)
		if err != nil {
			return nil, fmt.Sprintf("no owned cost: %v", err)
		}
		c.USDPerMOutputTokens += float64(out.USDPerMillion)
		c.USDPerMTokens += float64(all.USDPerMillion)
	}
	c.Region = strings.Join(regions, ", ")
	return c, ""
}

// priced is the setup's pools as ownedCost prices them.
func (s SimulateSetup) priced() []pricedPool {
	out := make([]pricedPool, len(s.Deployment.Pools))
	for i, p := range s.Deployment.Pools {
		out[i] = pricedPool{chip: s.chips[i], chips: p.Chips()}
	}
	return out
}

// owned prices r's run on owned chips (SimPoint.Owned).
func (s SimulateSetup) owned(r *serve.Result) (*OwnedCost, string) {
	if s.cat == nil {
		return nil, ""
	}
	return ownedCost(s.cat, s.priced(), r.Throughput)
}

// PlanRow is a plan's row: package serve's sizing (its usd_per_hour the
// chips rented) and the same chips owned.
type PlanRow struct {
	serve.PlanRow
	// UnitChips is the chips of one unit (both pools' when disaggregated),
	// the unit the row's capacity and units count.
	UnitChips float64 `json:"unit_chips"`
	// Owned is the row's chips owned (OwnedCost; its tokens those of the
	// simulation at the target rate), nil where they have no owned price
	// (OwnedNote says why) or the row sized none.
	Owned     *OwnedCost `json:"owned_cost,omitempty"`
	OwnedNote string     `json:"owned_cost_note,omitempty"`
}

// planRows prices each sized row owned: its unit's pools (units, by the
// candidate's name) times the row's units.
func planRows(cat *catalog.Catalog, rows []serve.PlanRow, units map[string][]pricedPool) []PlanRow {
	out := make([]PlanRow, len(rows))
	for i, r := range rows {
		out[i].PlanRow = r
		var pools []pricedPool
		for _, p := range units[r.Name] {
			out[i].UnitChips += p.chips
			pools = append(pools, pricedPool{chip: p.chip, chips: p.chips * float64(r.Units)})
		}
		if r.Result == nil || r.Units == 0 {
			continue
		}
		out[i].Owned, out[i].OwnedNote = ownedCost(cat, pools, r.Result.Throughput)
	}
	return out
}

// writeSimCost prints the run's cost: rented (package serve's) and owned.
func writeSimCost(w io.Writer, pt SimPoint) {
	c, t := pt.Cost, pt.Throughput
	if c.USDPerMOutputTokens > 0 {
		fmt.Fprintf(w, "Cost rented (the catalog's rental rate): %g chips at $%.4g/h in all: $%.4g per million output tokens ($%.4g per million tokens in and out), %.4g kWh per million output tokens at the wall\n",
			c.Chips, c.USDPerHour, c.USDPerMOutputTokens, c.USDPerMTokens, c.KWhPerMOutputTokens)
	} else {
		why := "no output token was produced"
		if c.USDPerHour <= 0 && t.OutputTokensPerS > 0 {
			why = "the catalog has no rental price for this chip"
		}
		fmt.Fprintf(w, "Cost rented (the catalog's rental rate): %g chips at $%.4g/h in all: n/a per million output tokens (%s)\n", c.Chips, c.USDPerHour, why)
	}
	switch o := pt.Owned; {
	case o == nil:
		fmt.Fprintf(w, "Cost owned: n/a (%s)\n", strings.TrimPrefix(pt.OwnedNote, "no owned cost: "))
	case o.USDPerMOutputTokens > 0:
		fmt.Fprintf(w, "Cost owned (region %s, as serve-estimate prices it): %g chips at $%.4g/h in all: $%.4g per million output tokens ($%.4g per million tokens in and out)\n",
			o.Region, c.Chips, o.USDPerHour, o.USDPerMOutputTokens, o.USDPerMTokens)
	default:
		fmt.Fprintf(w, "Cost owned (region %s, as serve-estimate prices it): %g chips at $%.4g/h in all: n/a per million output tokens (no output token was produced)\n",
			o.Region, c.Chips, o.USDPerHour)
	}
}
