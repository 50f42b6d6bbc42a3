package calc

import (
	"fmt"
	"slices"

	"chipgap/catalog"
	"chipgap/serve"
)

// planner builds a plan's candidates (PlanDeployments): each a unit of
// one replica, or a prefill:decode ratio of replicas, of tp devices each.
type planner struct {
	cat     *catalog.Catalog
	r       SimulateRequest
	cands   []serve.Candidate
	priced  map[string][]pricedPool // each candidate's unit, to price it owned
	skipped []string
}

// replicaChips is the chips a replica of tp devices takes on chip: tp
// over the devices a package holds (the request's devices_per_chip, else
// the catalog's: 2 on a 910C), rounded up; a chip the catalog lacks is
// the deployment's error to report.
func (p *planner) replicaChips(chip string, tp int) int {
	per := p.r.DevicesPerChip
	if ch, err := p.cat.Chip(chip); err == nil && per == 0 {
		per = ch.DevicesPerChip
	}
	per = max(per, 1)
	return (tp + per - 1) / per
}

// unit adds the candidate name: one aggregated replica of tp devices on
// the decode chip (on [prefill, decode], prefill ""), or prefill
// replicas on the prefill chip and decode replicas on the decode chip in
// each of ratios. A unit that cannot be built is skipped (as skip, with
// why), and unit reports false.
func (p *planner) unit(skip, name string, on [2]string, tp int, ratios ...[2]int) bool {
	pre, dec := on[0], on[1]
	d := p.r.ServeDeployment
	d.Parallel.TP = tp
	var pd *ServeDeployment
	if pre != "" {
		q := d
		q.Chip, q.Chips = pre, p.replicaChips(pre, tp)
		pd = &q
	}
	d.Chip, d.Chips = dec, p.replicaChips(dec, tp)
	u, built, err := p.r.deployment(p.cat, d, pd)
	if err != nil {
		p.skipped = append(p.skipped, fmt.Sprintf("%s: %v", skip, err))
		return false
	}
	if len(ratios) == 0 {
		// One replica, also where a chip holds several (tp 1 on a 910C:
		// half a chip).
		u.Pools = slices.Clone(u.Pools)
		u.Pools[0].Replicas = 1
		p.add(serve.Candidate{Name: name, Unit: u}, built)
	}
	for _, k := range ratios {
		v := u
		v.Pools = slices.Clone(u.Pools)
		v.Pools[0].Replicas, v.Pools[1].Replicas = k[0], k[1]
		p.add(serve.Candidate{Name: fmt.Sprintf("%s %d:%d", name, k[0], k[1]), Unit: v}, built)
	}
	return true
}

// add adds a candidate, its pools' chips those built.
func (p *planner) add(c serve.Candidate, built []builtPool) {
	p.cands = append(p.cands, c)
	for i, pool := range c.Unit.Pools {
		p.priced[c.Name] = append(p.priced[c.Name], pricedPool{chip: built[i].chip, chips: pool.Chips()})
	}
}
