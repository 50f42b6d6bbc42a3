package calc

import (
	"flag"
	"testing"

	"chipgap/catalog"
)

// TestDescribeTrain: the described fields are the JSON names BindFlags
// binds (same flags), with kinds, help and the defaults Setup applies.
func TestDescribeTrain(t *testing.T) {
	fields := DescribeTrain()
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	for name, kind := range map[string]string{"model": "string", "chips": "int", "tokens": "quantity", "plan.tp": "int", "plan.zero": "int",
		"plan.sequence_parallel": "bool", "plan.stage_layers": "ints", "capacity_factor": "float", "ranges": "bool"} {
		if byName[name].Kind != kind {
			t.Errorf("%s: kind %q, want %q", name, byName[name].Kind, kind)
		}
	}
	if f := byName["plan.microbatch"]; f.Flag != "mb" || f.Help == "" {
		t.Errorf("plan.microbatch = %+v, want flag mb and help", f)
	}
	if f := byName["plan.zero"]; !f.Pointer || f.Default != nil {
		t.Errorf("plan.zero = %+v, want a pointer with no single default", f)
	}
	if f := byName["ranges"]; f.Flag != "" {
		t.Errorf("ranges has flag %q, want none (API only)", f.Flag)
	}
	// Every flag BindFlags registers is a described field.
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var req TrainRequest
	fl := BindFlags(fs, &req)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		found := false
		for _, d := range fields {
			if d.Flag == f.Name {
				found = true
			}
		}
		if !found {
			t.Errorf("flag --%s is not described", f.Name)
		}
	})
	_ = fl
	if n == 0 {
		t.Fatal("no flags bound")
	}
	// The defaults are what Setup applies to absent fields.
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := TrainDefaults()
	base := TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64}
	full := base
	full.Seq, full.GlobalBatch, full.Precision = d["seq"].(int), d["global_batch"].(int), d["precision"].(string)
	a, err1 := base.Setup(cat)
	b, err2 := full.Setup(cat)
	if err1 != nil || err2 != nil || a.Job != b.Job {
		t.Errorf("Setup with absent fields: %+v (%v); with the described defaults: %+v (%v)", a.Job, err1, b.Job, err2)
	}
}

// TestDescribeRequests: the serving, simulation and whole-run forms
// describe exactly the flags BindFlags binds (same path, same flag), and
// their defaults are what the jobs use for an absent field.
func TestDescribeRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields []Field
		req    any
	}{
		{"serve", DescribeServe(), new(ServeRequest)},
		{"simulate", DescribeSimulate(), new(SimulateRequest)},
		{"run", DescribeRun(), new(RunRequest)},
	} {
		fs := flag.NewFlagSet(tc.name, flag.ContinueOnError)
		fl := BindFlags(fs, tc.req)
		flags := 0
		for _, f := range tc.fields {
			if f.Kind == "" || f.Help == "" && f.Flag != "" {
				t.Errorf("%s: %s has kind %q, help %q", tc.name, f.Name, f.Kind, f.Help)
			}
			if got := fl.Name(f.Name); got != f.Flag {
				t.Errorf("%s: %s is described with flag %q, bound to %q", tc.name, f.Name, f.Flag, got)
			}
			if f.Flag != "" {
				flags++
			}
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n != flags || n == 0 {
			t.Errorf("%s: %d flags bound, %d described", tc.name, n, flags)
		}
	}
	byName := func(fs []Field) map[string]Field {
		m := map[string]Field{}
		for _, f := range fs {
			m[f.Name] = f
		}
		return m
	}
	serve, sim, run := byName(DescribeServe()), byName(DescribeSimulate()), byName(DescribeRun())
	for _, c := range []struct {
		f          Field
		kind, flag string
		def        any
	}{
		{serve["parallel.pp"], "int", "pp", 1},
		{serve["workload.input_tokens"], "int", "input", 1024},
		{serve["slo.tpot"], "quantity", "tpot", nil},
		{serve["speculative.acceptance"], "float", "spec-acceptance", 0.7},
		{serve["batch"], "int", "", nil},
		{sim["prefill.parallel.tp"], "int", "prefill-tp", nil},
		{sim["workload.rates"], "floats", "rates", nil},
		{sim["workload.seed"], "int", "seed", uint64(1)},
		{sim["workload.input.tokens"], "int", "input-tokens", 1000},
		{sim["link_bandwidth"], "quantity", "link-bandwidth", nil},
		{run["days"], "quantity", "days", nil},
		{run["seeds"], "int", "seeds", 100},
		{run["spares"], "int", "spares", nil},
	} {
		if c.f.Kind != c.kind || c.f.Flag != c.flag || c.f.Default != c.def {
			t.Errorf("%s = %+v, want kind %s, flag %q, default %v", c.f.Name, c.f, c.kind, c.flag, c.def)
		}
	}
	// A run's described defaults are what Setup fills in.
	d := RunDefaults()
	base := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Tokens: 1e12}
	full := base
	full.Precision, full.Seq, full.GlobalBatch, full.Seeds, full.Seed = d["precision"].(string), d["seq"].(int), d["global_batch"].(int), d["seeds"].(int), uint64(d["seed"].(int))
	if err := base.normalize(); err != nil {
		t.Fatal(err)
	}
	if err := full.normalize(); err != nil {
		t.Fatal(err)
	}
	if base.Precision != full.Precision || base.Seq != full.Seq || base.GlobalBatch != full.GlobalBatch || base.Seeds != full.Seeds || base.Seed != full.Seed {
		t.Errorf("absent fields normalize to %+v; the described defaults to %+v", base, full)
	}
}

// paramTrim prints a parameter count's mantissa without trailing zeros
// after a decimal point, and keeps a whole number's (QA: MT-NLG's
// published 530B printed as 53B).
func TestParamTrim(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{530, "530"}, {120, "120"}, {10, "10"}, {1.5, "1.5"}, {70.60, "70.6"}, {8.030, "8.03"}, {175, "175"}, {1234, "1234"}} {
		if got := paramTrim(c.x); got != c.want {
			t.Errorf("paramTrim(%g) = %q, want %q", c.x, got, c.want)
		}
	}
}
