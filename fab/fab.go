package fab

import (
	"errors"
	"fmt"
	"math"

	"chipgap/input"
)

// ErrNoDies is returned when no whole die fits on the wafer.
var ErrNoDies = errors.New("fab: no die fits on the wafer")

// The reticle field: the most one lithography exposure prints, 26 × 33 mm
// = 858 mm² (catalog/data/sources.yaml mlid_reticle, "reticle limit 26x33
// mm = 858 mm2", which chips.yaml's B200 die also cites). No die is larger
// without stitching exposures; a chip larger than this is several dies
// (chips.yaml's dies, die_area_mm2 per die). Input checks hold a stated
// die area to it (calc.FabRequest); the model itself takes any area.
const (
	ReticleWidthMM  = 26.0
	ReticleHeightMM = 33.0
	ReticleMM2      = ReticleWidthMM * ReticleHeightMM
)

func check(field string, v float64, ok bool, allow string) error {
	if !ok || math.IsNaN(v) {
		return &input.Error{Prefix: "fab: ", Field: field, Value: v, Want: "want " + allow}
	}
	return nil
}

func positive(field string, v float64) error {
	return check(field, v, v > 0 && !math.IsInf(v, 0), "a finite number > 0")
}

func fraction(field string, v float64) error {
	return check(field, v, v > 0 && v <= 1, "a fraction in (0, 1]")
}

// Wafer is a round wafer: its diameter and the ring at the edge where no
// die is printed.
type Wafer struct {
	DiameterMM      float64 `json:"diameter_mm"`
	EdgeExclusionMM float64 `json:"edge_exclusion_mm"`
}

// Die is one compute die: its area, its outline when known (0: square),
// and the scribe street (saw lane) around it.
type Die struct {
	AreaMM2  float64 `json:"area_mm2"`
	WidthMM  float64 `json:"width_mm,omitempty"`
	HeightMM float64 `json:"height_mm,omitempty"`
	ScribeMM float64 `json:"scribe_mm"`
}

// Validate checks the wafer's fields.
func (w Wafer) Validate() error {
	if err := positive("wafer diameter (mm)", w.DiameterMM); err != nil {
		return err
	}
	return check("edge exclusion (mm)", w.EdgeExclusionMM,
		w.EdgeExclusionMM >= 0 && 2*w.EdgeExclusionMM < w.DiameterMM, "0 <= edge exclusion < diameter/2")
}

// Validate checks the die's fields.
func (d Die) Validate() error {
	if err := positive("die area (mm²)", d.AreaMM2); err != nil {
		return err
	}
	if d.WidthMM != 0 || d.HeightMM != 0 {
		a := d.WidthMM * d.HeightMM
		if err := check("die outline (width × height, mm²)", a,
			d.WidthMM > 0 && d.HeightMM > 0 && math.Abs(a-d.AreaMM2) <= 0.02*d.AreaMM2,
			fmt.Sprintf("both > 0 and within 2%% of the die area %g mm²", d.AreaMM2)); err != nil {
			return err
		}
	}
	return check("scribe street (mm)", d.ScribeMM, d.ScribeMM >= 0 && d.ScribeMM < 10, "0 <= scribe < 10 mm")
}

// SteppedArea is the wafer area one die occupies with its scribe street
// s: (w + s)·(h + s), or (√A + s)² for a die of unknown outline.
func (d Die) SteppedArea() float64 {
	if d.WidthMM > 0 && d.HeightMM > 0 {
		return (d.WidthMM + d.ScribeMM) * (d.HeightMM + d.ScribeMM)
	}
	side := math.Sqrt(d.AreaMM2) + d.ScribeMM
	return side * side
}

// DiesPerWafer is the gross number of whole dies on a wafer:
// ⌊π·(d/2)²/A − π·d/√(2·A)⌋ with d the usable diameter (diameter minus
// twice the edge exclusion) and A the stepped area (die plus scribe).
// The second term is the partial dies lost around the edge.
func DiesPerWafer(w Wafer, d Die) (float64, error) {
	if err := w.Validate(); err != nil {
		return 0, err
	}
	if err := d.Validate(); err != nil {
		return 0, err
	}
	dia := w.DiameterMM - 2*w.EdgeExclusionMM
	a := d.SteppedArea()
	n := math.Floor(math.Pi*dia*dia/(4*a) - math.Pi*dia/math.Sqrt(2*a))
	if n < 1 {
		return 0, fmt.Errorf("%w: a %g mm² die on a %g mm usable diameter", ErrNoDies, d.AreaMM2, dia)
	}
	return n, nil
}
