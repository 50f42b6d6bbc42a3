package catalog

import (
	"fmt"
	"slices"

	"chipgap/hardware"
)

// norm fills Min and Max from Typ where the file leaves them out.
func norm[T ~float64](v *hardware.Value[T]) {
	if v.Min == 0 {
		v.Min = v.Typ
	}
	if v.Max == 0 {
		v.Max = v.Typ
	}
}

func normChip(c *hardware.Chip) {
	for p, v := range c.Peak {
		norm(&v)
		c.Peak[p] = v
	}
	norm(&c.DieArea)
	norm(&c.ExpRate)
	norm(&c.HBM.Capacity)
	norm(&c.HBM.Bandwidth)
	norm(&c.HBM.Stacks)
	norm(&c.SRAM)
	norm(&c.TDP)
	normLink(&c.ScaleUp)
	normLink(&c.ScaleOut)
	norm(&c.Price)
	norm(&c.Rental)
	if c.DevicesPerChip == 0 {
		c.DevicesPerChip = 1
	}
}

func normLink(l *hardware.Link) {
	norm(&l.Bandwidth)
	norm(&l.DomainSize)
	norm(&l.Latency)
}

func normNetwork(n *hardware.Network) {
	norm(&n.Bandwidth)
	norm(&n.Latency)
	norm(&n.DomainSize)
}

// field is one sourced value, named for error messages.
type field struct {
	name string
	min  float64
	typ  float64
	max  float64
	src  []string
	note string
	der  bool
	asm  bool
	set  bool
	// basis and date: the evidence class and its date (see
	// hardware.Value.Basis), checked by checkSpans.
	basis string
	date  string
}

func fieldOf[T ~float64](name string, v hardware.Value[T]) field {
	return field{name, float64(v.Min), float64(v.Typ), float64(v.Max), v.Sources, v.Note, v.Derived, v.Assumed, v.Known(), v.Basis, v.Date}
}

// chipFields lists every sourced value of a chip with its field path.
func chipFields(c *hardware.Chip) []field {
	fs := []field{
		fieldOf("die_area_mm2", c.DieArea),
		fieldOf("exp_rate", c.ExpRate),
		fieldOf("hbm.capacity", c.HBM.Capacity),
		fieldOf("hbm.bandwidth", c.HBM.Bandwidth),
		fieldOf("hbm.stacks", c.HBM.Stacks),
		fieldOf("sram", c.SRAM),
		fieldOf("tdp", c.TDP),
		fieldOf("scale_up.bandwidth", c.ScaleUp.Bandwidth),
		fieldOf("scale_up.domain_size", c.ScaleUp.DomainSize),
		fieldOf("scale_out.bandwidth", c.ScaleOut.Bandwidth),
		fieldOf("price", c.Price),
		fieldOf("rental", c.Rental),
	}
	for _, p := range hardware.Precisions() {
		if v, ok := c.Peak[p]; ok {
			fs = append(fs, fieldOf("peak."+string(p), v))
		}
	}
	return fs
}

// check verifies references, ranges and provenance across the catalog.
func (c *Catalog) check() error {
	for _, ch := range c.Chips() {
		if err := c.checkChip(ch); err != nil {
			return err
		}
	}
	for _, n := range c.Networks() {
		at := "networks.yaml: network " + n.ID
		if n.Tier != "scale-up" && n.Tier != "scale-out" {
			return fmt.Errorf("catalog: %s: tier %q: want scale-up or scale-out", at, n.Tier)
		}
		if err := checkTopology(at, n); err != nil {
			return err
		}
		for _, f := range []field{fieldOf("bandwidth", n.Bandwidth), fieldOf("latency", n.Latency), fieldOf("domain_size", n.DomainSize)} {
			if err := c.checkField(at, f); err != nil {
				return err
			}
		}
	}
	for _, s := range c.Systems() {
		if err := c.checkSystem(s); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) checkChip(ch *hardware.Chip) error {
	at := "chips.yaml: chip " + ch.ID
	if !slices.Contains(Stacks(), ch.Stack) {
		return fmt.Errorf("catalog: %s: stack %q: want one of %v", at, ch.Stack, Stacks())
	}
	for p := range ch.Peak {
		if _, err := hardware.ParsePrecision(string(p)); err != nil {
			return fmt.Errorf("catalog: %s: peak: %w", at, err)
		}
	}
	if ch.ChipsPerNode < 1 || ch.Dies < 1 || ch.LaunchYear < 2015 {
		return fmt.Errorf("catalog: %s: chips_per_node = %d, dies = %d, launch_year = %d: want ≥ 1, ≥ 1, ≥ 2015",
			at, ch.ChipsPerNode, ch.Dies, ch.LaunchYear)
	}
	for _, l := range []struct {
		name string
		link hardware.Link
		tier string
	}{{"scale_up", ch.ScaleUp, "scale-up"}, {"scale_out", ch.ScaleOut, "scale-out"}} {
		n, err := c.Network(l.link.Network)
		if err != nil {
			return fmt.Errorf("catalog: %s: %s.network: %w", at, l.name, err)
		}
		if n.Tier != l.tier {
			return fmt.Errorf("catalog: %s: %s.network %q is a %s network", at, l.name, n.ID, n.Tier)
		}
	}
	for _, f := range chipFields(ch) {
		if err := c.checkField(at, f); err != nil {
			return err
		}
	}
	return c.checkSources(at+": process", ch.Process.Sources)
}

func (c *Catalog) checkSystem(s *hardware.System) error {
	at := "systems.yaml: system " + s.ID
	if _, err := c.Chip(s.Chip); err != nil {
		return fmt.Errorf("catalog: %s: chip: %w", at, err)
	}
	if s.Chips < 1 {
		return fmt.Errorf("catalog: %s: chips = %d: want at least 1", at, s.Chips)
	}
	for _, id := range []string{s.ScaleUp, s.ScaleOut} {
		if _, err := c.Network(id); err != nil {
			return fmt.Errorf("catalog: %s: %w", at, err)
		}
	}
	for _, f := range []field{fieldOf("power", s.Power), fieldOf("price", s.Price)} {
		if err := c.checkField(at, f); err != nil {
			return err
		}
	}
	return nil
}

// checkField: min ≤ typ ≤ max, no negatives, and provenance: a known
// value cites sources that resolve, or is derived/assumed with a note.
func (c *Catalog) checkField(at string, f field) error {
	if !f.set {
		return nil
	}
	if f.min < 0 || f.min > f.typ || f.typ > f.max {
		return fmt.Errorf("catalog: %s: %s: min %g, typ %g, max %g: want 0 ≤ min ≤ typ ≤ max", at, f.name, f.min, f.typ, f.max)
	}
	if len(f.src) == 0 && !((f.der || f.asm) && f.note != "") {
		return fmt.Errorf("catalog: %s: %s: no sources: cite a source key or mark it derived/assumed with a note", at, f.name)
	}
	return c.checkSources(at+": "+f.name, f.src)
}

func (c *Catalog) checkSources(at string, keys []string) error {
	for _, k := range keys {
		s, err := c.Source(k)
		if err != nil {
			return fmt.Errorf("catalog: %s: %w", at, err)
		}
		if s.Title == "" {
			return fmt.Errorf("catalog: %s: source %q has no title", at, k)
		}
	}
	return nil
}

// checkTopology refuses a topology the collectives cannot price: switched
// (or none), full-mesh on a scale-up network with a domain size, or torus
// on a scale-up network with one to three ring lengths of at least 2 whose
// product the domain holds; torus_dims only with torus.
func checkTopology(at string, n *hardware.Network) error {
	t := n.Topology
	switch {
	case t == hardware.Torus:
		if n.Tier != "scale-up" || len(n.TorusDims) == 0 || len(n.TorusDims) > 3 {
			return fmt.Errorf("catalog: %s: topology torus: want a scale-up network with torus_dims of 1 to 3 ring lengths, got tier %s, torus_dims %v", at, n.Tier, n.TorusDims)
		}
		prod := 1
		for _, d := range n.TorusDims {
			if d < 2 {
				return fmt.Errorf("catalog: %s: torus_dims %v: want ring lengths of at least 2", at, n.TorusDims)
			}
			prod *= d
		}
		if float64(prod) > float64(n.DomainSize.Typ) {
			return fmt.Errorf("catalog: %s: torus_dims %v hold %d chips, more than the domain_size %v", at, n.TorusDims, prod, n.DomainSize.Typ)
		}
		return nil
	case len(n.TorusDims) > 0:
		return fmt.Errorf("catalog: %s: torus_dims %v: only with topology torus", at, n.TorusDims)
	case t == "" || t == hardware.Switched:
		return nil
	case t == hardware.FullMesh && n.Tier == "scale-up" && n.DomainSize.Typ >= 2:
		return nil
	}
	return fmt.Errorf("catalog: %s: topology %q: want switched, full-mesh on a scale-up network with a domain_size, or torus with torus_dims", at, t)
}
