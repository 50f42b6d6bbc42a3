package catalog

import (
	"strings"
	"testing"

	"chipgap/inference"
)

func TestInferenceStacksCoverEveryStack(t *testing.T) {
	c := loadInfCatalog(t)
	data, err := c.InferenceStacksData()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range data.Stacks {
		have[s.ID] = true
	}
	for _, id := range Stacks {
		if !have[id] {
			t.Errorf("stacks-inference.yaml: no profile for stack %q", id)
		}
	}
}

func TestInferenceProfileResolution(t *testing.T) {
	c := loadInfCatalog(t)
	for _, tc := range []struct {
		chip, framework, want, note string
	}{
		{"h100-sxm", "tensorrt-llm", "cuda", ""},
		{"ascend-910c", "cloudmatrix-infer", "cann", ""},
		{"mi300x", "vLLM", "rocm", ""},                             // case-insensitive, runs on ROCm
		{"ascend-910c", "tensorrt-llm", "cann", "does not run on"}, // falls back to the chip's stack
		{"h100-sxm", "no-such-engine", "cuda", "unknown"},
		{"h100-sxm", "", "cuda", "no framework"},
	} {
		ch, err := c.Chip(tc.chip)
		if err != nil {
			t.Fatal(err)
		}
		s, note, err := c.InferenceProfile(tc.framework, ch)
		if err != nil || s.ID != tc.want || !strings.Contains(note, tc.note) {
			t.Errorf("InferenceProfile(%q, %s) = %s, %q, %v; want %s with a note containing %q", tc.framework, tc.chip, s.ID, note, err, tc.want, tc.note)
		}
	}
}

func TestInferenceStacksNeedProvenance(t *testing.T) {
	c := loadInfCatalog(t)
	data, err := c.InferenceStacksData()
	if err != nil {
		t.Fatal(err)
	}
	st := data.Stacks[0]
	st.Params.MatmulEff = Param[float64]{Value: 0.5} // no sources, not calibrated, not assumed
	bad := InferenceStacks{Stacks: []InferenceStack{st}}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "matmul_eff") {
		t.Errorf("check without provenance: err = %v, want one naming matmul_eff", err)
	}
	st = data.Stacks[0]
	st.Params.MemoryEff.Value = 1.5
	bad = InferenceStacks{Stacks: []InferenceStack{st}}
	if err := bad.check(c, "x.yaml"); err == nil || !strings.Contains(err.Error(), "memory_eff") {
		t.Errorf("check with memory_eff 1.5: err = %v, want one naming memory_eff", err)
	}
}

func TestDeploymentDefaults(t *testing.T) {
	c := loadInfCatalog(t)
	ds, err := c.Model("deepseek-v3")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := c.Deployment(DeploymentOptions{Chip: "ascend-910c", Chips: 16, Model: ds, Precision: "int8"})
	if err != nil {
		t.Fatal(err)
	}
	// 16 packages × 2 dies: one instance, EP over the 32 devices.
	if d.Parallel.EP != 32 || d.Parallel.TP != 0 || d.Profile.ID != "cann" {
		t.Errorf("910C × 16, DeepSeek: parallel %+v, stack %s; want ep=32, cann", d.Parallel, d.Profile.ID)
	}
	if _, _, err := c.Deployment(DeploymentOptions{Chip: "h100-sxm", Chips: 1, Model: ds, Precision: "fp9"}); err == nil ||
		!strings.Contains(err.Error(), "precision") {
		t.Errorf("precision fp9: err = %v, want one naming precision", err)
	}
	if _, err := inference.KVCapacity(d); err != nil {
		t.Errorf("KVCapacity(910C × 16, DeepSeek INT8): %v", err)
	}
}

func loadInfCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
