package catalog

import (
	"fmt"
	"regexp"
)

// Evidence classes of a value's typ (hardware.Value.Basis) in
// reliability.yaml and stacks-engineering.yaml.
const (
	// BasisMeasured: a published measurement with its data (an
	// interruption count over stated device-hours, an MFU from a stated
	// configuration, a timed recovery).
	BasisMeasured = "measured"
	// BasisReported: a claim without data (a vendor's "MTBF over 24 h",
	// a press report). It is only ever a typ when the file says so.
	BasisReported = "reported"
	// BasisAssumed: nobody published it; a documented assumption.
	BasisAssumed = "assumed"
)

// Bases lists the evidence classes, strongest first.
func Bases() []string { return []string{BasisMeasured, BasisReported, BasisAssumed} }

var evidenceDate = regexp.MustCompile(`^(19|20)\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$`)

// checkBasis enforces the evidence rules of the whole-run files: every
// value names its basis; an assumed value is marked assumed (and a
// measured or reported one is not); a measured or reported value cites a
// source and the date of its evidence.
func checkBasis(at string, f field) error {
	switch f.basis {
	case BasisAssumed:
		if !f.asm {
			return fmt.Errorf("catalog: %s: %s: basis assumed: mark it assumed: true", at, f.name)
		}
		return nil
	case BasisMeasured, BasisReported:
		if f.asm {
			return fmt.Errorf("catalog: %s: %s: basis %s but assumed: true: want one or the other", at, f.name, f.basis)
		}
		if len(f.src) == 0 {
			return fmt.Errorf("catalog: %s: %s: basis %s: cite the source", at, f.name, f.basis)
		}
		if !evidenceDate.MatchString(f.date) {
			return fmt.Errorf("catalog: %s: %s: basis %s: date %q: want the evidence's date as YYYY-MM or YYYY-MM-DD", at, f.name, f.basis, f.date)
		}
		return nil
	case "":
		return fmt.Errorf("catalog: %s: %s: no basis: want one of %v", at, f.name, Bases())
	}
	return fmt.Errorf("catalog: %s: %s: basis %q: want one of %v", at, f.name, f.basis, Bases())
}

// EvidenceRow is one value of the whole-run files with its evidence
// class: what the whole-run model rests on.
type EvidenceRow struct {
	File    string   `json:"file"`
	Entry   string   `json:"entry"` // "defaults", or "<stack> <component>", or "<stack>"
	Field   string   `json:"field"`
	Basis   string   `json:"basis"`
	Date    string   `json:"date,omitempty"`
	Min     float64  `json:"min"`
	Typ     float64  `json:"typ"`
	Max     float64  `json:"max"`
	Sources []string `json:"sources,omitempty"`
}

// Inventory lists every value of reliability.yaml and
// stacks-engineering.yaml with its basis, in file order (defaults, then
// each stack's modes; then each stack's engineering). A cuda rate counts
// as one measured value (the record's count); another stack's rate as its
// factor.
func (c *Catalog) Inventory() ([]EvidenceRow, error) {
	r, err := c.Reliability()
	if err != nil {
		return nil, err
	}
	eng, err := c.Engineering()
	if err != nil {
		return nil, err
	}
	var out []EvidenceRow
	add := func(file, entry string, f field) {
		out = append(out, EvidenceRow{File: file, Entry: entry, Field: f.name, Basis: f.basis, Date: f.date,
			Min: f.min, Typ: f.typ, Max: f.max, Sources: f.src})
	}
	d := r.Defaults
	for _, f := range []field{fieldOf("bytes_per_param", d.BytesPerParam), fieldOf("storage_bw", d.StorageBW),
		fieldOf("snapshot_bw", d.SnapshotBW), fieldOf("overhead", d.Overhead), fieldOf("spare_fraction", d.SpareFraction),
		fieldOf("server_chips", d.ServerChips), fieldOf("swap", d.Swap), fieldOf("repair", d.Repair)} {
		add("reliability.yaml", "defaults", f)
	}
	for _, s := range Stacks() {
		p := r.profiles[s]
		for _, m := range p.Modes {
			rate := "factor"
			if p.Counts != nil {
				rate = "rate"
			}
			for _, f := range []field{fieldOf(rate, m.Rate), fieldOf("detect", m.Detect), fieldOf("restart", m.Restart)} {
				add("reliability.yaml", s+" "+m.Component, f)
			}
		}
	}
	for _, s := range Stacks() {
		e := eng[s]
		for _, f := range []field{fieldOf("port", e.Engineering.Port), fieldOf("initial_slowdown", e.Engineering.InitialSlowdown),
			fieldOf("maturation", e.Engineering.Maturation), fieldOf("mfu_fallback", e.MFUFallback)} {
			add("stacks-engineering.yaml", s, f)
		}
	}
	return out, nil
}

// Shares counts rows by basis.
func Shares(rows []EvidenceRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r.Basis]++
	}
	return m
}
