package scenario

import (
	"context"
	"fmt"

	"chipgap/catalog"
	"chipgap/fab"
	"chipgap/hardware"
	"chipgap/uncertain"
)

// supply runs the fab model of one chip (catalog.FabCase, its inputs
// drawn from fab.yaml's ranges) for the scenario's samples.
func (w *world) supply(ctx context.Context, id string, reg *registry, m *meter) (SupplyResult, error) {
	k, err := w.c.FabCase(id, "", "")
	if err != nil {
		return SupplyResult{}, fmt.Errorf("supply %s: %w", id, err)
	}
	registerFab(reg, k)
	base := k.Trial()
	typ, err := base(uncertain.Typical())
	if err != nil {
		return SupplyResult{}, fmt.Errorf("supply %s: %w", id, err)
	}
	xs := map[string][]float64{}
	trial := func(d *uncertain.Draw) (map[string]float64, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, err := base(d)
		if err != nil {
			return nil, err
		}
		for k, v := range out {
			xs[k] = append(xs[k], v)
		}
		m.tick()
		return nil, nil
	}
	if _, err := uncertain.Run(w.s.Samples, w.s.Seed, trial); err != nil {
		return SupplyResult{}, fmt.Errorf("supply %s: %w", id, err)
	}
	r := w.supplyResult(k, typ, xs)
	if _, ok := typ[catalog.OutGoodPerYear]; ok {
		_, sw, err := uncertain.Tornado(base, catalog.OutGoodPerYear)
		if err != nil {
			return SupplyResult{}, fmt.Errorf("supply %s: %w", id, err)
		}
		for _, x := range sw {
			if x.Swing > 0 && len(r.Tornado) < 8 {
				r.Tornado = append(r.Tornado, x)
			}
		}
	}
	return r, nil
}

func (w *world) supplyResult(k *catalog.FabCase, typ map[string]float64, xs map[string][]float64) SupplyResult {
	ch, _ := w.c.Chip(k.ChipID)
	r := SupplyResult{Chip: k.ChipID, ChipName: ch.Name, Process: k.ProcessID, Stats: map[string]Stat{}, Binds: map[string]float64{}}
	if k.Supply != nil {
		r.Year = k.Supply.Year
	}
	names := map[string]string{
		catalog.OutGoodPerYear: SupGood, catalog.OutFromWafers: SupWafers, catalog.OutFromHBM: SupHBM,
		catalog.OutFromPackaging: SupPackaging, catalog.OutDeployed: SupDeployed, catalog.OutDieYield: SupDieYield,
		catalog.OutPackageYield: SupPkgYield, catalog.OutCostPerGoodPackage: SupCost,
	}
	for from, to := range names {
		if v, ok := typ[from]; ok && len(xs[from]) > 0 {
			r.Stats[to] = statOf(v, xs[from])
		}
	}
	for _, b := range []fab.Constraint{fab.Wafers, fab.HBM, fab.Packaging} {
		key := catalog.OutBinds + string(b)
		if bs := xs[key]; len(bs) > 0 {
			r.Binds[string(b)] = uncertain.Summarize(bs).Mean
		}
		if typ[key] == 1 {
			r.Binding = string(b)
		}
	}
	return r
}

// supplyClusters divides each supply chip's good packages per year by
// the training cluster of every system built on that chip (one entry per
// system, in the scenario's order: with equal-peak sizing 910C and CM384
// share a chip but not a cluster size); a chip no system trains on gets
// the cluster the scenario's sizing would give it on its usual nodes.
// Stats[SupClusters] is the first entry's figure.
func (w *world) supplyClusters(sup []SupplyResult, systems []*system) {
	for i := range sup {
		r := &sup[i]
		g, ok := r.Stats[SupGood]
		if !ok {
			continue
		}
		for _, sy := range systems {
			if sy.cfg.Chip == r.Chip && sy.chips > 0 {
				r.Clusters = append(r.Clusters, SupplyCluster{System: sy.cfg.Label, Chips: sy.chips, PerYear: g.Scale(1 / float64(sy.chips))})
			}
		}
		if len(r.Clusters) == 0 {
			n := w.s.Training.Chips
			if ch, err := w.chipFor(r.Chip); err == nil {
				n = w.chipCount(ch, ch.ChipsPerNode, w.basePeak)
			}
			r.Clusters = []SupplyCluster{{Chips: n, PerYear: g.Scale(1 / float64(n))}}
		}
		r.Stats[SupClusters] = r.Clusters[0].PerYear
	}
}

// registerFab lists a fab case's inputs among the assumptions.
func registerFab(reg *registry, k *catalog.FabCase) {
	at := k.ChipID + " fab: "
	add := func(name, unit string, v hardware.Value[float64]) {
		d := newDrawer(uncertain.Typical(), reg)
		draw(d, at+name, unit, v)
	}
	add("die area", "mm²", conv(k.DieArea))
	add("defect density D0", "/cm²", conv(k.D0))
	add("wafer price", "USD", conv(k.WaferPrice))
	add("assembly yield", "", conv(k.AssemblyYield))
	add("HBM stack price", "USD", conv(k.HBMStackPrice))
	add("packaging cost", "USD", conv(k.PackagingCost))
	if s := k.Supply; s != nil {
		add("wafer starts per month ("+s.Process+")", "wafers", conv(s.WaferStartsPerMonth))
		add("share of wafers for this chip", "", conv(s.AIShare))
		add("HBM stacks per year", "stacks", conv(s.HBMStacksPerYear))
		add("packaging capacity per year", "packages", conv(s.PackagesPerYear))
	}
}

func conv[T ~float64](v hardware.Value[T]) hardware.Value[float64] {
	return hardware.Value[float64]{Min: float64(v.Min), Typ: float64(v.Typ), Max: float64(v.Max), Sources: v.Sources,
		Note: v.Note, Assumed: v.Assumed, Derived: v.Derived}
}
