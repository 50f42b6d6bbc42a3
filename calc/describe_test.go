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
	for name, kind := range map[string]string{"model": "string", "chips": "int", "tokens": "float", "plan.tp": "int", "plan.zero": "int",
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
