package catalog

import (
	"strings"
	"testing"

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
