package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"reflect"
	"testing"

	"chipgap/catalog"
	"chipgap/input"
)

// TestFabRequestOneDefinition: the flags and a JSON body give the same
// request, over the same defaults.
func TestFabRequestOneDefinition(t *testing.T) {
	fromFlags := NewFabRequest()
	fs := flag.NewFlagSet("fab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	BindFlags(fs, &fromFlags)
	if err := fs.Parse([]string{"--chip", "b200", "--model", "poisson", "--defect-density", "0", "--trials", "50", "--seed", "18446744073709551615"}); err != nil {
		t.Fatal(err)
	}
	fromJSON := NewFabRequest()
	if err := json.Unmarshal([]byte(`{"chip":"b200","yield_model":"poisson","defect_density":0,"trials":50,"seed":18446744073709551615}`), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFlags, fromJSON) {
		t.Errorf("flags %+v, JSON %+v", fromFlags, fromJSON)
	}
	if fromFlags.DefectDensity == nil || fromFlags.DieArea != nil {
		t.Errorf("a given 0 must be set and an absent override nil: %+v", fromFlags)
	}
}

// TestFabOverridesFixTheDie: die area 665.61 mm², D0 0.15/cm² and the
// Poisson model give yield e^(−6.6561·0.15) = e^(−0.998415) = 0.368463 in
// every trial.
func TestFabOverridesFixTheDie(t *testing.T) {
	area, d0 := 665.61, 0.15
	r := NewFabRequest()
	r.DieArea, r.DefectDensity, r.YieldModel, r.Trials = &area, &d0, "poisson", 200
	out, err := Fab(testCatalog(t), r)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Exp(-area / 100 * d0)
	if y := out.Typical[catalog.OutDieYield]; math.Abs(y-want) > 1e-9 {
		t.Errorf("die yield %g, want %g", y, want)
	}
	if s := out.Ranges[catalog.OutDieYield]; s.P10 != s.P90 {
		t.Errorf("die yield P10 %g, P90 %g: want fixed", s.P10, s.P90)
	}
	if out.Trials != 200 || out.Seed != 1 || out.Case.ChipID != "ascend-910c" {
		t.Errorf("trials %d seed %d chip %s, want 200, the default seed 1 and chip ascend-910c", out.Trials, out.Seed, out.Case.ChipID)
	}
}

// TestFabErrorsNameTheField: bad input is an *input.Error whose field is
// the JSON name; unknown ids keep their class.
func TestFabErrorsNameTheField(t *testing.T) {
	cat := testCatalog(t)
	neg, big, many := -1.0, 1.5, 1e6
	cases := []struct {
		edit     func(*FabRequest)
		field    string
		notFound bool
	}{
		{func(r *FabRequest) { r.DefectDensity = &neg }, "defect_density", false},
		{func(r *FabRequest) { r.AIShare = &big }, "ai_share", false},
		{func(r *FabRequest) { r.Trials = 0 }, "trials", false},
		{func(r *FabRequest) { r.YieldModel = "bose" }, "yield_model", false},
		{func(r *FabRequest) { r.Chip = "ascend-910" }, "chip", true},
		{func(r *FabRequest) { r.Process = "tsmc-n3" }, "process", true},
		{func(r *FabRequest) { r.Supply = "nope" }, "supply", true},
		{func(r *FabRequest) { r.Chip, r.HBMStacks = "h100-sxm", &many }, "hbm_stacks", false}, // overrides a supply case the chip lacks
	}
	for _, c := range cases {
		r := NewFabRequest()
		c.edit(&r)
		_, err := Fab(cat, r)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != c.field || errors.Is(err, catalog.ErrNotFound) != c.notFound {
			t.Errorf("%+v: error %v; want one naming %s (not found: %v)", r, err, c.field, c.notFound)
		}
	}
}
