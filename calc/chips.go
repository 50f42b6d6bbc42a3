package calc

import (
	"maps"
	"slices"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// ChipsRequest is `chipgap chips [ID]`, GET /api/chips and
// /api/chips/{id}: the whole chip catalog, or one chip in full.
type ChipsRequest struct {
	// ID is one chip (a positional argument on the command line, the
	// path on the API); empty lists every chip.
	ID string `json:"id" flag:"-"`
}

// ChipsView is the answer to a ChipsRequest: List without an id, Detail
// with one.
type ChipsView struct {
	List   []*hardware.Chip
	Detail *ChipDetail
}

// ChipDetail is one chip with its derived metrics and every source it
// cites, resolved (GET /api/chips/{id} encodes it as it is).
type ChipDetail struct {
	Chip    *hardware.Chip             `json:"chip"`
	Metrics catalog.Metrics            `json:"metrics"`
	Sources map[string]hardware.Source `json:"sources"`
	// ScaleUp is the chip's scale-up network: its topology says what a
	// group of fewer chips than the domain reaches.
	ScaleUp *hardware.Network `json:"scale_up_network,omitempty"`
	// pair is what two chips of one node reach each way (the cluster's
	// scale-up tier, hardware.Tier.GroupRate); 0 where no node was built.
	pair units.ByteRate
}

// SourceList is the detail's sources in key order.
func (d ChipDetail) SourceList() []*hardware.Source {
	var out []*hardware.Source
	for _, k := range slices.Sorted(maps.Keys(d.Sources)) {
		s := d.Sources[k]
		out = append(out, &s)
	}
	return out
}

// Chips answers r from the catalog.
func Chips(cat *catalog.Catalog, r ChipsRequest) (ChipsView, error) {
	if r.ID == "" {
		return ChipsView{List: cat.Chips()}, nil
	}
	c, err := cat.Chip(r.ID)
	if err != nil {
		return ChipsView{}, lookup("id", err)
	}
	d := ChipDetail{Chip: c, Metrics: catalog.ChipMetrics(c), Sources: map[string]hardware.Source{}}
	resolveSources(cat, d.Sources, c.SourceKeys())
	if n, err := cat.Network(c.ScaleUp.Network); err == nil {
		d.ScaleUp = n
		resolveSources(cat, d.Sources, hardware.CitedKeys(n))
	}
	if cl, err := cat.Cluster(c.ID, max(c.ChipsPerNode, 2), catalog.ClusterOptions{}); err == nil {
		d.pair = cl.ScaleUp.GroupRate(2)
	}
	return ChipsView{Detail: &d}, nil
}

// ChipSummary is one chip in a list (GET /api/chips, GET /api/compare).
type ChipSummary struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Vendor     string   `json:"vendor"`
	LaunchYear int      `json:"launch_year"`
	Precisions []string `json:"precisions"`
	Stack      string   `json:"stack"`
}

// Summarize is c's ChipSummary.
func Summarize(c *hardware.Chip) ChipSummary {
	s := ChipSummary{ID: c.ID, Name: c.Name, Vendor: c.Vendor, LaunchYear: c.LaunchYear, Stack: c.Stack}
	for _, p := range hardware.Precisions() {
		if _, ok := c.PeakFor(p); ok {
			s.Precisions = append(s.Precisions, string(p))
		}
	}
	return s
}

// resolveSources adds to dst every key of keys the catalog has a source for.
func resolveSources(cat *catalog.Catalog, dst map[string]hardware.Source, keys []string) {
	for _, k := range keys {
		if src, err := cat.Source(k); err == nil {
			dst[k] = *src
		}
	}
}

// Sources is every source any chip, system, network or model preset
// cites, by key (GET /api/sources).
func Sources(cat *catalog.Catalog) map[string]hardware.Source {
	out := map[string]hardware.Source{}
	for _, c := range cat.Chips() {
		resolveSources(cat, out, c.SourceKeys())
	}
	for _, sy := range cat.Systems() {
		resolveSources(cat, out, hardware.CitedKeys(sy))
	}
	for _, n := range cat.Networks() {
		resolveSources(cat, out, hardware.CitedKeys(n))
	}
	for _, m := range cat.Models() {
		resolveSources(cat, out, hardware.CitedKeys(m))
	}
	return out
}

// SystemsView is GET /api/systems: the catalog's systems and network
// tiers.
type SystemsView struct {
	Networks []*hardware.Network `json:"networks"`
	Systems  []*hardware.System  `json:"systems"`
}

// Systems is the catalog's systems and networks.
func Systems(cat *catalog.Catalog) SystemsView {
	return SystemsView{Networks: cat.Networks(), Systems: cat.Systems()}
}

// Unlabelled returns the error that a bare field label (lookup's: no
// value, the wrapped error's own message) wraps, which names its subject
// already ("unknown chip \"h101\"; did you mean ..."), for a caller that
// reports the field apart (the API's "field") or has no name for it (a
// positional argument). Any other error is returned as it is.
func Unlabelled(err error) error {
	if e, ok := err.(*input.Error); ok && e.Value == nil && e.Err != nil && e.Want == e.Err.Error() {
		return e.Err
	}
	return err
}
