package calc

import (
	"flag"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"chipgap/input"
	"chipgap/units"
)

// seconds stands in for a unit type: a TextUnmarshaler over a float.
type seconds float64

func (s *seconds) UnmarshalText(b []byte) error {
	d, err := time.ParseDuration(string(b))
	*s = seconds(d.Seconds())
	return err
}

type planReq struct {
	TP         int   `json:"tp" help:"tensor parallel"`
	Microbatch int   `json:"microbatch" flag:"mb"`
	ZeRO       *int  `json:"zero"`
	SP         *bool `json:"sequence_parallel" flag:"sp"`
	Stages     []int `json:"stage_layers"`
}

type req struct {
	Chip        string   `json:"chip"`
	GlobalBatch int      `json:"global_batch"`
	Tokens      float64  `json:"tokens"`
	Charts      bool     `json:"charts" flag:"-"`
	Hidden      string   `json:"-"`
	TTFT        seconds  `json:"ttft"`
	Plan        planReq  `json:"plan"`
	Cap         *float64 `json:"capacity_factor"`
}

func TestBindFlags(t *testing.T) {
	var r req
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	b := BindFlags(fs, &r)
	err := fs.Parse([]string{"--chip", "h100", "--global-batch=512", "--tokens", "1.5e12", "--ttft", "250ms",
		"--tp", "8", "--mb", "2", "--zero", "0", "--sp", "--stage-layers", "7,8,8,7", "--capacity-factor", "1.25"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Chip != "h100" || r.GlobalBatch != 512 || r.Tokens != 1.5e12 || r.TTFT != 0.25 || r.Plan.TP != 8 || r.Plan.Microbatch != 2 {
		t.Errorf("bound %+v", r)
	}
	if r.Plan.ZeRO == nil || *r.Plan.ZeRO != 0 || r.Plan.SP == nil || !*r.Plan.SP || r.Cap == nil || *r.Cap != 1.25 {
		t.Errorf("pointers: zero %v sp %v cap %v", r.Plan.ZeRO, r.Plan.SP, r.Cap)
	}
	if len(r.Plan.Stages) != 4 || r.Plan.Stages[1] != 8 {
		t.Errorf("stage layers %v", r.Plan.Stages)
	}
	if fs.Lookup("charts") != nil || fs.Lookup("hidden") != nil {
		t.Error("flag:\"-\" and json:\"-\" fields must not become flags")
	}
	if !b.Set("plan.microbatch") || b.Set("plan.tp") == false || b.Set("charts") || b.Set("plan.pp") {
		t.Error("Set reports the wrong flags")
	}
	if b.Name("plan.microbatch") != "mb" || b.Name("global_batch") != "global-batch" {
		t.Errorf("names: %q %q", b.Name("plan.microbatch"), b.Name("global_batch"))
	}
	got := b.Rename(input.Bad("plan.microbatch", -1, "want ≥ 1")).Error()
	if got != "--mb = -1: want ≥ 1" {
		t.Errorf("Rename = %q", got)
	}
	if e := input.Bad("model.layers", 0, "x"); b.Rename(e) != error(e) {
		t.Error("an error about an unbound field must pass through")
	}
	// An element of a list flag is named by the flag (QA: --rates 1,2,0
	// said "workload.rates[2] = 0", the API's path).
	var r2 req
	fs2 := flag.NewFlagSet("x", flag.ContinueOnError)
	b2 := BindFlags(fs2, &r2)
	elem := input.Bad("plan.stage_layers[1]", 0, "want ≥ 1")
	if b2.Rename(elem) != error(elem) {
		t.Error("an element of a list no flag gave (a request file's) must pass through")
	}
	if err := fs2.Parse([]string{"--stage-layers", "4,0"}); err != nil {
		t.Fatal(err)
	}
	if got := b2.Rename(elem).Error(); got != "--stage-layers = 0: want ≥ 1" {
		t.Errorf("Rename of a list element = %q", got)
	}
	if e := input.Bad("model.layers[0]", 0, "x"); b.Rename(e) != error(e) {
		t.Error("an element of an unbound field must pass through")
	}
}

// Plain float64 fields take NaN and ±Inf at the flag level (flag.Float64Var);
// the request's own checks and cmd's parseFlags refuse them.
func TestBindFlagsRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--global-batch", "1.5"}, {"--stage-layers", "1,-2"},
		{"--stage-layers", "1,x"}, {"--sp=maybe"}, {"--ttft", "soon"},
	} {
		var r req
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		BindFlags(fs, &r)
		if err := fs.Parse(args); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// TestBindFlagsUnitRequired: a field tagged unit:"required" refuses a
// bare number other than 0 (a bare --tpot 50 was 50 s, silently), takes
// a duration with its unit, and 0 (no bound); an untagged quantity
// still reads a bare number in its unit (run's --interval 5 is 5 s).
func TestBindFlagsUnitRequired(t *testing.T) {
	var r struct {
		SLO  SimSLO        `json:"slo"`
		Wait units.Seconds `json:"wait"`
	}
	for _, tc := range []struct {
		args []string
		ok   bool
		tpot units.Seconds
	}{
		{[]string{"--tpot", "50"}, false, 0},
		{[]string{"--ttft", "2"}, false, 0},
		{[]string{"--tpot", "0.05"}, false, 0},
		{[]string{"--tpot", "50ms"}, true, 0.05},
		{[]string{"--tpot", "0"}, true, 0},
		{[]string{"--wait", "5"}, true, 0},
	} {
		r.SLO.TPOT = 0
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		BindFlags(fs, &r)
		err := fs.Parse(tc.args)
		switch {
		case tc.ok && (err != nil || math.Abs(float64(r.SLO.TPOT-tc.tpot)) > 1e-12):
			t.Errorf("%v: %v, tpot %v; want accepted, tpot %v", tc.args, err, r.SLO.TPOT, tc.tpot)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "want a duration with its unit, e.g. 50ms or 2s")):
			t.Errorf("%v: %v; want a duration with its unit asked for", tc.args, err)
		}
	}
	if r.Wait != 5 {
		t.Errorf("--wait 5: %v, want 5 s", r.Wait)
	}
}
