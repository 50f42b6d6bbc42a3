package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"chipgap/hardware"
	"chipgap/training"
)

// The H200 microbenchmarks of bench/device (first-hand, 4 Dec 2026) bound
// what the default training profile may credit Hopper with: its
// end-to-end GEMM rates may not exceed the raw cuBLAS rates measured
// there (nor fall far below them), and its fused attention must run at
// the cuDNN kernel's measured rate, which family_attention.hopper was set
// from. A refit that drifts past the hardware fails here.
func TestHopperRatesWithinH200Bench(t *testing.T) {
	dir := filepath.Join("..", "bench", "device", "results", "h200-2026-12-04")
	var g struct {
		GEMM []struct {
			DType  string  `json:"dtype"`
			M      int     `json:"m"`
			K      int     `json:"k"`
			N      int     `json:"n"`
			TFLOPS float64 `json:"tflops"`
		} `json:"gemm"`
	}
	var a struct {
		Attention []struct {
			Backend string  `json:"backend"`
			Case    string  `json:"case"`
			S       int     `json:"s"`
			TFLOPS  float64 `json:"fwd_bwd_tflops"`
		} `json:"attention"`
	}
	for name, v := range map[string]any{"gemm_graph.json": &g, "attention.json": &a} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	median := func(xs []float64) float64 {
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	raw := map[string][]float64{}
	for _, r := range g.GEMM {
		if 2*float64(r.M)*float64(r.K)*float64(r.N) >= 1e11 {
			raw[r.DType] = append(raw[r.DType], r.TFLOPS)
		}
	}
	var attn []float64
	for _, r := range a.Attention {
		if r.Backend == "cudnn" && r.Case == "llama-h32-d128" && r.S >= 8192 {
			attn = append(attn, r.TFLOPS)
		}
	}
	if len(raw["bf16"]) < 10 || len(raw["fp8"]) < 10 || len(attn) != 3 {
		t.Fatalf("bench results incomplete: %d bf16, %d fp8, %d attention rows", len(raw["bf16"]), len(raw["fp8"]), len(attn))
	}

	c, p := cudaDefault(t)
	chip, err := c.Chip("h200-sxm")
	if err != nil {
		t.Fatal(err)
	}
	bf16, _ := chip.PeakFor(hardware.BF16)
	fp8, _ := chip.PeakFor(hardware.FP8)
	peak16, peak8 := float64(bf16.Typ)/1e12, float64(fp8.Typ)/1e12
	fam := training.Family(chip.Architecture)
	fm := p.FamilyMatmul[fam].Value
	rate16 := p.MatmulMax.Value * fm * peak16
	rate8 := p.FP8Max.Value * fm * p.FamilyFP8[fam].Value * peak8
	for _, k := range []struct {
		name       string
		model, raw float64
	}{{"BF16", rate16, median(raw["bf16"])}, {"FP8", rate8, median(raw["fp8"])}} {
		if k.model > 1.05*k.raw || k.model < 0.8*k.raw {
			t.Errorf("%s GEMMs end to end at %.0f TFLOPS against %.0f measured raw: want 0.8-1.05 of it", k.name, k.model, k.raw)
		}
	}
	// Fused causal attention, head dim 128, forward and backward per score
	// element: 3.5 x 512 FLOPs at the 16-bit peak and two exponentials at
	// the chip's rate, at attention_eff (training/step.go).
	eff := p.AttentionEff.Value * p.FamilyAttention[fam].Value
	perScore := (3.5*512/(peak16*1e12) + 2/float64(chip.ExpRate.Typ)) / eff
	model := 3.5 * 512 / perScore / 1e12
	var sum float64
	for _, x := range attn {
		sum += x
	}
	if got := sum / 3; model > 1.05*got || model < 0.95*got {
		t.Errorf("attention at %.0f TFLOPS forward+backward against %.0f measured (cuDNN, 8K-32K): want within 5 %%", model, got)
	}
}

// family_fp8_blockwise.hopper is the block-wise recipe's measured GEMM rate
// over the per-tensor one (bench/device/fp8_recipes.py on one H200): per
// layer shape, the forward and data-gradient GEMMs with 1 x 128 by 128 x
// 128 scales and the weight-gradient GEMM with 1 x 128 by 1 x 128 scales,
// against the same three GEMMs with per-tensor scales, time-weighted; the
// catalog value must be the median over the measured shapes within 1 %.
func TestBlockwiseFP8RateIsTheH200Measurement(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "bench", "device", "results", "h200-2026-12-04-fp8", "fp8_recipes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		GEMM []struct {
			Layer  string  `json:"layer"`
			Pass   string  `json:"pass"`
			Recipe string  `json:"recipe"`
			TFLOPS float64 `json:"tflops"`
		} `json:"gemm"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	rate := map[[3]string]float64{}
	var layers []string
	for _, r := range b.GEMM {
		rate[[3]string{r.Layer, r.Pass, r.Recipe}] = r.TFLOPS
		if !slices.Contains(layers, r.Layer) {
			layers = append(layers, r.Layer)
		}
	}
	var ratios []float64
	for _, l := range layers {
		var tensor, block float64 // seconds per unit of work, summed over the three passes
		for _, pass := range []string{"fwd", "dgrad", "wgrad"} {
			tw, br := rate[[3]string{l, pass, "tensorwise"}], rate[[3]string{l, pass, "block1x128-128x128"}]
			if pass == "wgrad" {
				br = rate[[3]string{l, pass, "block1x128-1x128"}]
			}
			if tw <= 0 || br <= 0 {
				t.Fatalf("%s %s: no rate (tensorwise %g, block-wise %g)", l, pass, tw, br)
			}
			tensor += 1 / tw
			block += 1 / br
		}
		ratios = append(ratios, tensor/block)
	}
	if len(ratios) < 10 {
		t.Fatalf("%d layer shapes measured, want 10", len(ratios))
	}
	slices.Sort(ratios)
	med := (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
	_, p := cudaDefault(t)
	got := p.FamilyFP8Blockwise["hopper"].Value
	if got < 0.99*med || got > 1.01*med {
		t.Errorf("family_fp8_blockwise.hopper = %g; the measured median over %d shapes is %.4f (range %.3f-%.3f)", got, len(ratios), med, ratios[0], ratios[len(ratios)-1])
	}
}

// cudaDefault is the catalog and the default CUDA training profile (the
// one a job naming no framework gets), which the H200 measurements bound.
func cudaDefault(t *testing.T) (*Catalog, training.Profile) {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := c.TrainingProfile("cuda", "")
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}
