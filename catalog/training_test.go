package catalog

import (
	"strings"
	"testing"

	"chipgap/parallel"
	"chipgap/training"
)

func TestTrainingStacks(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.TrainingStacks()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(Stacks()) {
		t.Errorf("%d training profiles, want at least one per stack (%d)", len(all), len(Stacks()))
	}
	cases := []struct{ stack, framework, want, why string }{
		{"cuda", "megatron-lm", "cuda-megatron", "(megatron-lm)"},
		{"cuda", "llm-foundry", "cuda-fsdp", "(llm-foundry)"},
		{"cuda", "", "cuda-mcore", "the cuda default"},
		{"cuda", "someframework", "cuda-mcore", `"someframework" has no profile`},
		{"cann", "mindspore", "mindformers", "(mindspore)"},
		{"cann", "megatron-lm", "cann-mindspeed", "the cann default"}, // a CUDA framework on Ascend falls back
	}
	for _, k := range cases {
		p, why, err := c.TrainingProfile(k.stack, k.framework)
		if err != nil || p.ID != k.want || !strings.Contains(why, k.why) {
			t.Errorf("TrainingProfile(%s, %q) = %s, %q, %v; want %s and a note with %q", k.stack, k.framework, p.ID, why, err, k.want, k.why)
		}
	}
	if _, err := c.TrainingProfileByID("cuda-megatorn"); err == nil || !strings.Contains(err.Error(), "cuda-megatron") {
		t.Errorf("misspelt id: err = %v; want a suggestion", err)
	}
}

// Every calibrated parameter says on what, every sourced one names a
// source (Check), and the fitted A100 values are the documented ones.
func TestTrainingStackProvenance(t *testing.T) {
	c, _ := Load()
	all, err := c.TrainingStacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		for name, p := range s.Params() {
			if p.Basis == training.Calibrated && !strings.Contains(p.Note, "run") && !strings.Contains(p.Note, "Table") {
				t.Errorf("%s.%s is calibrated but its note does not name the runs: %q", s.ID, name, p.Note)
			}
		}
	}
}

// A framework name may carry the release the source ran ("mindformers
// v1.1.0" or "mindformers@v1.1.0"): the profile is then as its stack
// stood at that dated version; an unknown release keeps the current one
// and says so.
func TestTrainingProfileRelease(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fw, state, why string
	}{
		{"mindformers v1.1.0", "v1.1.0 (2024-05-16)", "(mindformers v1.1.0)"},
		{"mindformers@v1.2.0", "v1.2.0 (2024-07-24)", "(mindformers v1.2.0)"},
		{"mindformers", "", "(mindformers)"},
		{"mindformers v9.9", "", `release "v9.9" has no dated version`},
	} {
		prof, why, err := cat.TrainingProfile("cann", c.fw)
		if err != nil {
			t.Fatalf("%q: %v", c.fw, err)
		}
		if prof.State != c.state || !strings.Contains(why, c.why) {
			t.Errorf("%q: state %q, why %q; want %q and %q", c.fw, prof.State, why, c.state, c.why)
		}
	}
	cur, _, _ := cat.TrainingProfile("cann", "mindformers")
	old, _, _ := cat.TrainingProfile("cann", "mindformers v1.1.0")
	if !(old.MatmulMax.Value < cur.MatmulMax.Value) {
		t.Errorf("v1.1.0 matmul_max %g, current %g: want the older release slower", old.MatmulMax.Value, cur.MatmulMax.Value)
	}
}

// Megatron-Core's limit (ZeRO 2-3 only without PP) holds where the job
// names the framework or the stack, not where it names none: the default
// stack then stands for an unknown framework.
func TestShardingExcludesPPOnlyWhereNamed(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	named, _, err := cat.TrainingProfile("cuda", "nemo")
	if err != nil {
		t.Fatal(err)
	}
	byID, err := cat.TrainingProfileByID("cuda-mcore")
	if err != nil {
		t.Fatal(err)
	}
	def, _, err := cat.TrainingProfile("cuda", "")
	if err != nil {
		t.Fatal(err)
	}
	unknown, _, err := cat.TrainingProfile("cuda", "some-inhouse-framework")
	if err != nil {
		t.Fatal(err)
	}
	pl := parallel.Plan{TP: 8, PP: 16, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, ZeRO: 2}
	for name, prof := range map[string]training.Profile{"nemo": named, "cuda-mcore": byID} {
		if prof.ID != "cuda-mcore" || prof.Supports(pl) == nil {
			t.Errorf("%s: stack %s supports %s; want Megatron-Core's refusal", name, prof.ID, pl)
		}
	}
	for name, prof := range map[string]training.Profile{"none": def, "unknown": unknown} {
		if prof.ID != "cuda-mcore" || prof.Supports(pl) != nil {
			t.Errorf("%s framework: stack %s refuses %s: %v", name, prof.ID, pl, prof.Supports(pl))
		}
	}
}
