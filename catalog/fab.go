package catalog

import (
	"fmt"
	"io/fs"
	"math"
	"strings"

	"chipgap/fab"
	"chipgap/hardware"
	"chipgap/units"
)

// Num is a sourced plain number (mm, a fraction, a count per year).
type Num = hardware.Value[units.Dimensionless]

// FabData is catalog/data/fab.yaml: the defaults of the fab model.
type FabData struct {
	Wafer     FabWafer     `yaml:"wafer" json:"wafer"`
	Yield     FabYield     `yaml:"yield" json:"yield"`
	Processes []FabProcess `yaml:"processes" json:"processes"`
	Chips     []FabChip    `yaml:"chips" json:"chips"`
	Supply    []FabSupply  `yaml:"supply" json:"supply"`
}

// FabWafer is the wafer geometry.
type FabWafer struct {
	DiameterMM      Num `yaml:"diameter_mm" json:"diameter_mm"`
	EdgeExclusionMM Num `yaml:"edge_exclusion_mm" json:"edge_exclusion_mm"`
	ScribeMM        Num `yaml:"scribe_mm" json:"scribe_mm"`
}

// FabYield picks the default yield model.
type FabYield struct {
	Model       string `yaml:"model" json:"model"` // poisson | murphy | negbin | seeds
	NegBinAlpha Num    `yaml:"negbin_alpha" json:"negbin_alpha"`
}

// FabProcess is a foundry node: its defect density and wafer price.
type FabProcess struct {
	ID         string                    `yaml:"id" json:"id"`
	Name       string                    `yaml:"name" json:"name"`
	D0         Num                       `yaml:"d0_per_cm2" json:"d0_per_cm2"`
	WaferPrice hardware.Value[units.USD] `yaml:"wafer_price" json:"wafer_price"`
}

// FabChip is what the fab model adds to a chips.yaml entry (die area,
// dies, HBM stacks and peak come from there).
type FabChip struct {
	Chip          string                    `yaml:"chip" json:"chip"`
	Process       string                    `yaml:"process" json:"process"`
	DieOutlineMM  []float64                 `yaml:"die_outline_mm,omitempty" json:"die_outline_mm,omitempty"`
	KGD           bool                      `yaml:"kgd" json:"kgd"`
	AssemblyYield Num                       `yaml:"assembly_yield" json:"assembly_yield"`
	HBMStackPrice hardware.Value[units.USD] `yaml:"hbm_stack_price" json:"hbm_stack_price"`
	PackagingCost hardware.Value[units.USD] `yaml:"packaging_cost" json:"packaging_cost"`
	TestCost      hardware.Value[units.USD] `yaml:"test_cost" json:"test_cost"`
	// Supply is the id of the chip's default supply case ("" for none).
	Supply string `yaml:"supply,omitempty" json:"supply,omitempty"`
}

// FabSupply is a year of capacity at a node for one accelerator.
type FabSupply struct {
	ID                  string `yaml:"id" json:"id"`
	Year                int    `yaml:"year" json:"year"`
	Process             string `yaml:"process" json:"process"`
	WaferStartsPerMonth Num    `yaml:"wafer_starts_per_month" json:"wafer_starts_per_month"`
	AIShare             Num    `yaml:"ai_share" json:"ai_share"`
	HBMStacksPerYear    Num    `yaml:"hbm_stacks_per_year" json:"hbm_stacks_per_year"`
	PackagesPerYear     Num    `yaml:"packages_per_year" json:"packages_per_year"`
}

// Fab returns catalog/data/fab.yaml, decoded and checked against the chips
// and sources of c by Load. Callers must not modify it.
func (c *Catalog) Fab() (*FabData, error) { return c.fab, nil }

func (c *Catalog) fabFrom(fsys fs.FS) (*FabData, error) {
	var d FabData
	if err := decodeFile(fsys, "fab.yaml", &d); err != nil {
		return nil, err
	}
	d.norm()
	if err := c.checkFab(&d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (d *FabData) norm() {
	for _, v := range []*Num{&d.Wafer.DiameterMM, &d.Wafer.EdgeExclusionMM, &d.Wafer.ScribeMM, &d.Yield.NegBinAlpha} {
		norm(v)
	}
	for i := range d.Processes {
		norm(&d.Processes[i].D0)
		norm(&d.Processes[i].WaferPrice)
	}
	for i := range d.Chips {
		ch := &d.Chips[i]
		norm(&ch.AssemblyYield)
		norm(&ch.HBMStackPrice)
		norm(&ch.PackagingCost)
		norm(&ch.TestCost)
	}
	for i := range d.Supply {
		s := &d.Supply[i]
		for _, v := range []*Num{&s.WaferStartsPerMonth, &s.AIShare, &s.HBMStacksPerYear, &s.PackagesPerYear} {
			norm(v)
		}
	}
}

// Process returns the process with this id.
func (d *FabData) Process(id string) (*FabProcess, error) {
	return find(d.Processes, "fab process", id, func(p *FabProcess) string { return p.ID })
}

// ChipFab returns the fab entry of the chips.yaml chip with this id.
func (d *FabData) ChipFab(id string) (*FabChip, error) {
	return find(d.Chips, "fab chip", id, func(p *FabChip) string { return p.Chip })
}

// SupplyCase returns the supply case with this id.
func (d *FabData) SupplyCase(id string) (*FabSupply, error) {
	return find(d.Supply, "supply case", id, func(p *FabSupply) string { return p.ID })
}

func find[T any](xs []T, kind, id string, key func(*T) string) (*T, error) {
	var ids []string
	for i := range xs {
		if key(&xs[i]) == id {
			return &xs[i], nil
		}
		ids = append(ids, key(&xs[i]))
	}
	hint := Suggest(id, ids)
	if hint == "" {
		hint = " (want one of " + strings.Join(ids, ", ") + ")"
	}
	return nil, &notFound{fmt.Sprintf("unknown %s %q%s", kind, id, hint)}
}

// checkFab verifies ranges, provenance and references of fab.yaml.
func (c *Catalog) checkFab(d *FabData) error {
	const file = "fab.yaml"
	if _, err := fab.ParseYieldModel(d.Yield.Model); err != nil {
		return fmt.Errorf("catalog: %s: yield.model: %w", file, err)
	}
	for _, f := range []field{fieldOf("wafer.diameter_mm", d.Wafer.DiameterMM), fieldOf("wafer.edge_exclusion_mm", d.Wafer.EdgeExclusionMM),
		fieldOf("wafer.scribe_mm", d.Wafer.ScribeMM), fieldOf("yield.negbin_alpha", d.Yield.NegBinAlpha)} {
		if err := c.checkRequired(file, f); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, p := range d.Processes {
		at := file + ": process " + p.ID
		if p.ID == "" || seen[p.ID] {
			return fmt.Errorf("catalog: %s: process id %q is empty or defined twice", file, p.ID)
		}
		seen[p.ID] = true
		if err := c.checkAll(at, fieldOf("d0_per_cm2", p.D0), fieldOf("wafer_price", p.WaferPrice)); err != nil {
			return err
		}
	}
	for i := range d.Chips {
		if err := c.checkFabChip(d, &d.Chips[i]); err != nil {
			return err
		}
	}
	for _, s := range d.Supply {
		if err := c.checkSupply(d, &s); err != nil {
			return err
		}
	}
	return nil
}

// checkRequired is checkField for a value that must be given.
func (c *Catalog) checkRequired(at string, f field) error {
	if !f.set || f.typ <= 0 {
		return fmt.Errorf("catalog: %s: %s: missing or not positive (typ %g)", at, f.name, f.typ)
	}
	return c.checkField(at, f)
}

func (c *Catalog) checkAll(at string, fs ...field) error {
	for _, f := range fs {
		if err := c.checkRequired(at, f); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) checkFabChip(d *FabData, fc *FabChip) error {
	at := "fab.yaml: chip " + fc.Chip
	ch, err := c.Chip(fc.Chip)
	if err != nil {
		return fmt.Errorf("catalog: %s: %w", at, err)
	}
	if _, err := d.Process(fc.Process); err != nil {
		return fmt.Errorf("catalog: %s: process: %w", at, err)
	}
	if fc.Supply != "" {
		if _, err := d.SupplyCase(fc.Supply); err != nil {
			return fmt.Errorf("catalog: %s: supply: %w", at, err)
		}
	}
	if !ch.DieArea.Known() || ch.DieArea.Typ <= 0 {
		return fmt.Errorf("catalog: %s: chips.yaml gives no die_area_mm2", at)
	}
	if n := len(fc.DieOutlineMM); n != 0 {
		if n != 2 || math.Abs(fc.DieOutlineMM[0]*fc.DieOutlineMM[1]-float64(ch.DieArea.Typ)) > 0.02*float64(ch.DieArea.Typ) {
			return fmt.Errorf("catalog: %s: die_outline_mm %v: want [width, height] whose product is within 2%% of die_area_mm2 %g", at, fc.DieOutlineMM, float64(ch.DieArea.Typ))
		}
	}
	if fc.AssemblyYield.Max > 1 {
		return fmt.Errorf("catalog: %s: assembly_yield max %g: want a fraction ≤ 1", at, float64(fc.AssemblyYield.Max))
	}
	return c.checkAll(at, fieldOf("assembly_yield", fc.AssemblyYield), fieldOf("hbm_stack_price", fc.HBMStackPrice),
		fieldOf("packaging_cost", fc.PackagingCost), fieldOf("test_cost", fc.TestCost))
}

func (c *Catalog) checkSupply(d *FabData, s *FabSupply) error {
	at := "fab.yaml: supply " + s.ID
	if s.ID == "" || s.Year < 2015 {
		return fmt.Errorf("catalog: %s: id %q, year %d: want an id and a year ≥ 2015", at, s.ID, s.Year)
	}
	if _, err := d.Process(s.Process); err != nil {
		return fmt.Errorf("catalog: %s: process: %w", at, err)
	}
	if s.AIShare.Max > 1 {
		return fmt.Errorf("catalog: %s: ai_share max %g: want a fraction ≤ 1", at, float64(s.AIShare.Max))
	}
	return c.checkAll(at, fieldOf("wafer_starts_per_month", s.WaferStartsPerMonth), fieldOf("ai_share", s.AIShare),
		fieldOf("hbm_stacks_per_year", s.HBMStacksPerYear), fieldOf("packages_per_year", s.PackagesPerYear))
}
