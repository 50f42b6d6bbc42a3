package catalog

import (
	"fmt"
	"io/fs"
	"slices"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/uncertain"
	"chipgap/units"
)

// span is a hardware.Value as written in reliability.yaml and
// stacks-engineering.yaml: min and max are pointers so that an explicit
// 0 ("port: {min: 0d, typ: 14d}") is kept, and absent bounds mean typ.
type span[T ~float64] struct {
	Min        *T       `yaml:"min"`
	Typ        T        `yaml:"typ"`
	Max        *T       `yaml:"max"`
	Sources    []string `yaml:"sources"`
	Note       string   `yaml:"note"`
	Assumed    bool     `yaml:"assumed"`
	Derived    bool     `yaml:"derived"`
	Confidence string   `yaml:"confidence"`
	Basis      string   `yaml:"basis"`
	Date       string   `yaml:"date"`
}

func (s span[T]) value() hardware.Value[T] {
	v := hardware.Value[T]{Min: s.Typ, Typ: s.Typ, Max: s.Typ, Sources: s.Sources, Note: s.Note,
		Assumed: s.Assumed, Derived: s.Derived, Confidence: s.Confidence, Basis: s.Basis, Date: s.Date}
	if s.Min != nil {
		v.Min = *s.Min
	}
	if s.Max != nil {
		v.Max = *s.Max
	}
	return v
}

// ReliabilityRecord is the published interruption record the cuda rates
// are derived from.
type ReliabilityRecord struct {
	ID            string   `yaml:"id" json:"id"`
	Chips         int      `yaml:"chips" json:"chips"`
	Days          float64  `yaml:"days" json:"days"`
	Interruptions int      `yaml:"interruptions" json:"interruptions"`
	Planned       int      `yaml:"planned" json:"planned"`
	Unexpected    int      `yaml:"unexpected" json:"unexpected"`
	Date          string   `yaml:"date" json:"date"`
	Sources       []string `yaml:"sources" json:"sources"`
}

// DeviceHours is the record's exposure: chips × days × 24.
func (r ReliabilityRecord) DeviceHours() float64 { return float64(r.Chips) * r.Days * 24 }

// RunDefaults are the checkpoint and spare-node defaults of chipgap run.
type RunDefaults struct {
	BytesPerParam hardware.Value[units.Dimensionless] `json:"bytes_per_param"`
	StorageBW     hardware.Value[units.ByteRate]      `json:"storage_bw"`
	SnapshotBW    hardware.Value[units.ByteRate]      `json:"snapshot_bw"`
	Overhead      hardware.Value[units.Seconds]       `json:"overhead"`
	Async         bool                                `json:"async"`
	SpareFraction hardware.Value[units.Dimensionless] `json:"spare_fraction"`
	ServerChips   hardware.Value[units.Dimensionless] `json:"server_chips"`
	Swap          hardware.Value[units.Seconds]       `json:"swap"`
	Repair        hardware.Value[units.Seconds]       `json:"repair"`
}

// ReliabilityProfile is one stack's failure modes. For the cuda profile
// Counts holds each mode's interruptions in the record (else nil).
type ReliabilityProfile struct {
	Stack  string         `json:"stack"`
	Name   string         `json:"name"`
	Note   string         `json:"note,omitempty"`
	Modes  []goodput.Mode `json:"modes"`
	Counts []float64      `json:"counts,omitempty"`
}

// Reliability is reliability.yaml, decoded and checked.
type Reliability struct {
	Record   ReliabilityRecord
	Defaults RunDefaults
	profiles map[string]ReliabilityProfile
}

// Profile returns the failure modes of a software stack.
func (r *Reliability) Profile(stack string) (ReliabilityProfile, error) {
	p, ok := r.profiles[stack]
	if !ok {
		return ReliabilityProfile{}, &notFound{fmt.Sprintf("unknown stack %s%s", quoteID(stack), Suggest(stack, Stacks()))}
	}
	return p, nil
}

type reliabilityFile struct {
	Record   ReliabilityRecord `yaml:"record"`
	Defaults struct {
		BytesPerParam span[units.Dimensionless] `yaml:"bytes_per_param"`
		StorageBW     span[units.ByteRate]      `yaml:"storage_bw"`
		SnapshotBW    span[units.ByteRate]      `yaml:"snapshot_bw"`
		Overhead      span[units.Seconds]       `yaml:"overhead"`
		Async         bool                      `yaml:"async"`
		SpareFraction span[units.Dimensionless] `yaml:"spare_fraction"`
		ServerChips   span[units.Dimensionless] `yaml:"server_chips"`
		Swap          span[units.Seconds]       `yaml:"swap"`
		Repair        span[units.Seconds]       `yaml:"repair"`
	} `yaml:"defaults"`
	Profiles []struct {
		Stack string     `yaml:"stack"`
		Name  string     `yaml:"name"`
		Note  string     `yaml:"note"`
		Modes []modeYAML `yaml:"modes"`
	} `yaml:"profiles"`
}

// modeYAML gives a rate in exactly one way: count (interruptions in the
// record), factor (× the cuda rate of the same component) or rate.
type modeYAML struct {
	Component string                     `yaml:"component"`
	Count     *float64                   `yaml:"count"`
	Factor    *span[units.Dimensionless] `yaml:"factor"`
	Rate      *span[units.Dimensionless] `yaml:"rate"`
	Swap      bool                       `yaml:"swap"`
	Detect    span[units.Seconds]        `yaml:"detect"`
	Restart   span[units.Seconds]        `yaml:"restart"`
}

// Reliability returns reliability.yaml as Load decoded it: the record, the
// run defaults and one profile per stack, with cuda's rates derived from
// the record. Callers must not modify it.
func (c *Catalog) Reliability() (*Reliability, error) { return c.reliability, nil }

func (c *Catalog) reliabilityFrom(fsys fs.FS) (*Reliability, error) {
	var f reliabilityFile
	if err := decodeFile(fsys, "reliability.yaml", &f); err != nil {
		return nil, err
	}
	r := &Reliability{Record: f.Record, profiles: map[string]ReliabilityProfile{}}
	if err := c.checkRecord(f.Record); err != nil {
		return nil, err
	}
	d := f.Defaults
	r.Defaults = RunDefaults{BytesPerParam: d.BytesPerParam.value(), StorageBW: d.StorageBW.value(),
		SnapshotBW: d.SnapshotBW.value(), Overhead: d.Overhead.value(), Async: d.Async,
		SpareFraction: d.SpareFraction.value(), ServerChips: d.ServerChips.value(), Swap: d.Swap.value(), Repair: d.Repair.value()}
	if r.Defaults.ServerChips.Typ < 1 {
		return nil, fmt.Errorf("catalog: reliability.yaml: defaults: server_chips = %g: want ≥ 1", float64(r.Defaults.ServerChips.Typ))
	}
	if err := c.checkDefaults(r.Defaults); err != nil {
		return nil, err
	}
	// cuda first: the factors of the others scale its rates.
	order := slices.Clone(f.Profiles)
	slices.SortStableFunc(order, func(a, b struct {
		Stack string     `yaml:"stack"`
		Name  string     `yaml:"name"`
		Note  string     `yaml:"note"`
		Modes []modeYAML `yaml:"modes"`
	}) int {
		return boolInt(b.Stack == "cuda") - boolInt(a.Stack == "cuda")
	})
	for _, p := range order {
		prof, err := c.profile(r, p.Stack, p.Modes)
		if err != nil {
			return nil, err
		}
		prof.Name, prof.Note = p.Name, p.Note
		if _, dup := r.profiles[p.Stack]; dup {
			return nil, fmt.Errorf("catalog: reliability.yaml: stack %q has two profiles", p.Stack)
		}
		r.profiles[p.Stack] = prof
	}
	for _, s := range Stacks() {
		if _, ok := r.profiles[s]; !ok {
			return nil, fmt.Errorf("catalog: reliability.yaml: no profile for stack %q", s)
		}
	}
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *Catalog) checkRecord(rec ReliabilityRecord) error {
	if rec.Chips < 1 || rec.Days <= 0 || rec.Planned+rec.Unexpected != rec.Interruptions {
		return fmt.Errorf("catalog: reliability.yaml: record %q: chips %d, days %g, planned %d + unexpected %d vs interruptions %d: want positive sizes and a consistent total",
			rec.ID, rec.Chips, rec.Days, rec.Planned, rec.Unexpected, rec.Interruptions)
	}
	if len(rec.Sources) == 0 {
		return fmt.Errorf("catalog: reliability.yaml: record %q: no sources", rec.ID)
	}
	return c.checkSources("reliability.yaml: record", rec.Sources)
}

func (c *Catalog) checkDefaults(d RunDefaults) error {
	fs := []field{fieldOf("bytes_per_param", d.BytesPerParam), fieldOf("storage_bw", d.StorageBW),
		fieldOf("snapshot_bw", d.SnapshotBW), fieldOf("overhead", d.Overhead),
		fieldOf("spare_fraction", d.SpareFraction), fieldOf("server_chips", d.ServerChips), fieldOf("swap", d.Swap), fieldOf("repair", d.Repair)}
	return c.checkSpans("reliability.yaml: defaults", fs)
}

// checkSpans checks ranges, provenance and evidence class of every
// field, set or zero (see checkBasis).
func (c *Catalog) checkSpans(at string, fs []field) error {
	for _, f := range fs {
		f.set = true
		if err := c.checkField(at, f); err != nil {
			return err
		}
		if err := checkBasis(at, f); err != nil {
			return err
		}
	}
	return nil
}

// profile builds one stack's modes; cuda's must already be in r for a
// factor mode.
func (c *Catalog) profile(r *Reliability, stack string, modes []modeYAML) (ReliabilityProfile, error) {
	at := fmt.Sprintf("reliability.yaml: stack %q", stack)
	if !slices.Contains(Stacks(), stack) {
		return ReliabilityProfile{}, fmt.Errorf("catalog: %s: unknown stack; want one of %v", at, Stacks())
	}
	p := ReliabilityProfile{Stack: stack}
	seen := map[string]bool{}
	for i, m := range modes {
		mat := fmt.Sprintf("%s: modes[%d]", at, i)
		if !slices.Contains(goodput.Components(), m.Component) || seen[m.Component] {
			return p, fmt.Errorf("catalog: %s: component %q: want one of %v, each once", mat, m.Component, goodput.Components())
		}
		seen[m.Component] = true
		rate, count, err := c.modeRate(r, mat, m)
		if err != nil {
			return p, err
		}
		mode := goodput.Mode{Component: m.Component, Rate: rate, Detect: m.Detect.value(), Restart: m.Restart.value(),
			Swap: m.Swap, Planned: m.Component == "planned"}
		if err := c.checkSpans(mat, []field{fieldOf("rate", mode.Rate), fieldOf("detect", mode.Detect), fieldOf("restart", mode.Restart)}); err != nil {
			return p, err
		}
		p.Modes = append(p.Modes, mode)
		if m.Count != nil {
			p.Counts = append(p.Counts, count)
		}
	}
	if len(p.Counts) > 0 && len(p.Counts) != len(p.Modes) {
		return p, fmt.Errorf("catalog: %s: give every mode a count or none", at)
	}
	return p, nil
}

// modeRate resolves a mode's rate per chip-hour (per accelerator
// package; the record's device-hours are chip-hours) from exactly one of
// count, factor and rate.
func (c *Catalog) modeRate(r *Reliability, at string, m modeYAML) (hardware.Value[units.Dimensionless], float64, error) {
	var zero hardware.Value[units.Dimensionless]
	n := boolInt(m.Count != nil) + boolInt(m.Factor != nil) + boolInt(m.Rate != nil)
	if n != 1 {
		return zero, 0, fmt.Errorf("catalog: %s: give exactly one of count, factor, rate (got %d)", at, n)
	}
	switch {
	case m.Count != nil:
		return countRate(*m.Count, r.Record), *m.Count, nil
	case m.Rate != nil:
		return m.Rate.value(), 0, nil
	}
	base, ok := r.profiles["cuda"]
	if !ok {
		return zero, 0, fmt.Errorf("catalog: %s: factor needs the cuda profile", at)
	}
	f := m.Factor.value()
	if err := c.checkSpans(at, []field{fieldOf("factor", f)}); err != nil {
		return zero, 0, err
	}
	for _, bm := range base.Modes {
		if bm.Component == m.Component {
			v := bm.Rate
			v.Min, v.Typ, v.Max = v.Min*f.Min, v.Typ*f.Typ, v.Max*f.Max
			v.Sources = append(slices.Clone(v.Sources), f.Sources...)
			v.Derived, v.Assumed, v.Basis, v.Date = true, f.Assumed, f.Basis, f.Date
			v.Note = fmt.Sprintf("cuda rate × factor %g (%g–%g): %s", f.Typ, f.Min, f.Max, f.Note)
			return v, 0, nil
		}
	}
	return zero, 0, fmt.Errorf("catalog: %s: factor for %q but cuda has no such mode", at, m.Component)
}

// countRate is n interruptions over the record's device-hours. Its range
// means what every catalog range means to the sampler, the bounds of a
// triangular distribution with its mode at n: they are chosen so that
// the triangle's P10–P90 is the exact Poisson 80 % interval of n
// (uncertain.PoissonInterval, TriangularFromP10P90). 7 events: the
// interval [3.895, 11.771] (the normal approximation's n ∓ 1.2816·√n,
// [3.61, 10.39], used as the bounds, drew a P10–P90 of [5.13, 8.87]),
// bounds [0.966, 15.181].
func countRate(n float64, rec ReliabilityRecord) hardware.Value[units.Dimensionless] {
	dh := rec.DeviceHours()
	p10, p90 := uncertain.PoissonInterval(n, 0.8)
	lo, hi := uncertain.TriangularFromP10P90(p10, n, p90, 0)
	return hardware.Value[units.Dimensionless]{
		Min: units.Dimensionless(lo / dh), Typ: units.Dimensionless(n / dh), Max: units.Dimensionless(hi / dh),
		Sources: slices.Clone(rec.Sources), Derived: true, Basis: BasisMeasured, Date: rec.Date,
		Note: fmt.Sprintf("%g of %d interruptions in %g device-hours (%s); range: a triangle whose P10–P90 is the exact Poisson 80 %% interval", n, rec.Interruptions, dh, rec.ID),
	}
}
