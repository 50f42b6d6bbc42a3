package runs

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/llm"
	"chipgap/uncertain"
)

// TestScorecard recomputes every regime of the catalog's scorecard
// (catalog/data/scorecard.yaml), the evidence the gap report quotes
// beside its figures: validate on the regime's files, the runs its
// selection takes, how many of them are calibration runs, and the
// median, P10, P90, min and max signed error. A model change that moves them fails
// here with the figures to write into the file.
func TestScorecard(t *testing.T) {
	if testing.Short() {
		t.Skip("validates every hold-out file")
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Scorecard()) == 0 {
		t.Fatal("empty scorecard")
	}
	for _, s := range cat.Scorecard() {
		got := score(t, cat, s)
		const tol = 0.0005 // the file keeps three decimals
		if got.Runs != s.Runs || got.Calibrated != s.Calibrated ||
			math.Abs(got.Median-s.Median) > tol || math.Abs(got.P10-s.P10) > tol || math.Abs(got.P90-s.P90) > tol ||
			math.Abs(got.Min-s.Min) > tol || math.Abs(got.Max-s.Max) > tol {
			t.Errorf("scorecard regime %s: validate gives\n    runs: %d\n    calibrated: %d\n    median_error: %.3f\n    p10_error: %.3f\n    p90_error: %.3f\n    min_error: %.3f\n    max_error: %.3f\nthe file says runs %d, calibrated %d, median %.3f, p10 %.3f, p90 %.3f, min %.3f, max %.3f",
				s.ID, got.Runs, got.Calibrated, got.Median, got.P10, got.P90, got.Min, got.Max, s.Runs, s.Calibrated, s.Median, s.P10, s.P90, s.Min, s.Max)
		}
		if !slices.Equal(got.Engines, s.Engines) {
			t.Errorf("scorecard regime %s: its runs were predicted with engines %v (engines: [%s]); the file says %v",
				s.ID, got.Engines, strings.Join(got.Engines, ", "), s.Engines)
		}
	}
}

// validated memoises validate's results per file across regimes (the
// files are read-only and the catalog fixed within a test run).
var validated = map[string][]Result{}

// score validates a regime's files and summarises the runs its
// selection takes.
func score(t *testing.T, cat *catalog.Catalog, s catalog.Score) catalog.Score {
	t.Helper()
	var (
		errs    []float64
		engines []string
	)
	out := s
	out.Runs, out.Calibrated = 0, 0
	for _, path := range s.Files {
		data, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Fatalf("regime %s: %v", s.ID, err)
		}
		f, err := Parse(data)
		if err != nil {
			t.Fatalf("regime %s: %s: %v", s.ID, path, err)
		}
		base := filepath.Base(path)
		calibration := strings.HasPrefix(base, "published-runs") || strings.HasPrefix(base, "calibration-")
		byID := map[string]Run{}
		for _, r := range f.Runs {
			byID[r.ID] = r
		}
		results, seen := validated[path]
		if !seen {
			results = Validate(cat, f).Results
			validated[path] = results
		}
		for _, res := range results {
			if !Selects(s, byID[res.ID], res) {
				continue
			}
			if res.Error == nil {
				t.Errorf("regime %s: %s not predicted: %s", s.ID, res.ID, res.Reason)
				continue
			}
			errs = append(errs, *res.Error)
			if res.Kind == "inference" {
				if e := cat.ScoredEngine(res.Stack, res.Engine); !slices.Contains(engines, e) {
					engines = append(engines, e)
				}
			}
			out.Runs++
			if calibration {
				out.Calibrated++
			}
		}
	}
	if len(errs) == 0 {
		t.Fatalf("regime %s: no run selected", s.ID)
	}
	slices.Sort(errs)
	n := len(errs)
	out.Median = errs[n/2]
	if n%2 == 0 {
		out.Median = (errs[n/2-1] + errs[n/2]) / 2
	}
	out.Min, out.Max = errs[0], errs[n-1]
	out.P10, out.P90 = uncertain.Percentile(errs, 0.10), uncertain.Percentile(errs, 0.90)
	slices.Sort(engines)
	out.Engines = engines
	return out
}

// A regime whose selection matches nothing, or names a file that is not
// there, is a broken scorecard: score says which.
func TestScoreSelectsRuns(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: "Huawei", MoE: true, Chips: 384, Method: "curve"})
	if !ok {
		t.Fatal("no Huawei MoE serving regime")
	}
	got := score(t, cat, s)
	if got.Runs != 3 || got.Calibrated != 2 {
		t.Errorf("CloudMatrix 384 serving: %d runs, %d calibration; want the paper's 3, 2 of them calibration", got.Runs, got.Calibrated)
	}
	if _, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: "Nobody", Chips: 8}); ok {
		t.Error("ScoreFor found a regime for an unknown vendor")
	}
	// The most specific scale wins: 16,384 H100 take the 1,000-GPU regime,
	// 8 take the one at any scale.
	for _, c := range []struct {
		chips int
		want  string
	}{{16384, "nvidia-dense-training-scale"}, {8, "nvidia-dense-training"}} {
		if s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: "NVIDIA", Family: "NVIDIA Hopper", Chips: c.chips}); !ok || s.ID != c.want {
			t.Errorf("ScoreFor(training, NVIDIA, dense, %d) = %s, %v; want %s", c.chips, s.ID, ok, c.want)
		}
	}
	// A family's own regime before every family's: GB300 training takes
	// the Blackwell Ultra regimes (their runs are GB300 and B300 ones),
	// at any scale; a B200 the vendor's.
	for _, c := range []struct {
		family string
		moe    bool
		chips  int
		want   string
	}{{"NVIDIA Blackwell Ultra", false, 64, "nvidia-blackwell-ultra-dense-training"},
		{"NVIDIA Blackwell Ultra", false, 4096, "nvidia-blackwell-ultra-dense-training"},
		{"NVIDIA Blackwell Ultra", true, 256, "nvidia-blackwell-ultra-moe-training"},
		{"NVIDIA Blackwell", false, 64, "nvidia-dense-training"}} {
		if s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: "NVIDIA", Family: c.family, MoE: c.moe, Chips: c.chips}); !ok || s.ID != c.want {
			t.Errorf("ScoreFor(training, %s, moe %v, %d) = %s, %v; want %s", c.family, c.moe, c.chips, s.ID, ok, c.want)
		}
	}
	// A precision's own regime before any other, at any scale and family:
	// FP4 training takes the FP4 regimes, whose runs are all FP4; a BF16
	// or FP8 job never does.
	for _, c := range []struct {
		vendor, family, precision string
		chips                     int
		want                      string
	}{{"NVIDIA", "NVIDIA Blackwell", "fp4", 8, "nvidia-fp4-training"},
		{"NVIDIA", "NVIDIA Blackwell Ultra", "fp4", 4096, "nvidia-fp4-training"},
		{"AMD", "AMD CDNA 4", "fp4", 8, "amd-fp4-training"},
		{"NVIDIA", "NVIDIA Blackwell", "fp8", 8, "nvidia-dense-training"},
		{"AMD", "AMD CDNA 4", "bf16", 8, "amd-dense-training"}} {
		if s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "training", Vendor: c.vendor, Family: c.family, Precision: c.precision, Chips: c.chips}); !ok || s.ID != c.want {
			t.Errorf("ScoreFor(training, %s, %s, %d) = %s, %v; want %s", c.family, c.precision, c.chips, s.ID, ok, c.want)
		}
	}
	if b300, err := cat.Chip("b300"); err != nil || catalog.Family(b300) != "NVIDIA Blackwell Ultra" {
		t.Errorf("the b300's family: %v, want NVIDIA Blackwell Ultra", err)
	}
	// A method's own regime first, else another's: MoE serving under an SLO
	// takes the curve regime, an offline benchmark the offline one, and
	// dense serving (offline runs only) the offline regime either way.
	for _, c := range []struct {
		moe          bool
		method, want string
	}{{true, "curve", "nvidia-moe-serving"}, {true, "offline", "nvidia-moe-serving-offline"}, {false, "curve", "nvidia-dense-serving"}} {
		if s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: "NVIDIA", Family: "NVIDIA Hopper", MoE: c.moe, Chips: 8, Method: c.method, Stack: "cuda"}); !ok || s.ID != c.want {
			t.Errorf("ScoreFor(inference, NVIDIA, moe %v, %s) = %s, %v; want %s", c.moe, c.method, s.ID, ok, c.want)
		}
	}
	// A regime scores only the engines its runs were predicted with (the
	// stack's own limits counting as its default engine's): TensorRT-LLM's
	// Llama runs score TensorRT-LLM and the cuda stack's defaults, not vLLM
	// or SGLang on the same GPUs (vLLM has AccelMark's and GPUStack's runs of
	// its own, dense and MoE, whatever the method); SGLang's H100 prefill row scores SGLang's
	// MoE serving; AMD's vLLM rows score vLLM and the rocm defaults (vLLM's),
	// not SGLang.
	for _, c := range []struct {
		vendor, stack, engine string
		moe                   bool
		method, want          string
	}{
		{"NVIDIA", "cuda", "", false, "offline", "nvidia-dense-serving"},
		{"NVIDIA", "cuda", "tensorrt-llm", false, "offline", "nvidia-dense-serving"},
		{"NVIDIA", "cuda", "vllm", false, "offline", "nvidia-dense-serving-vllm"},
		{"NVIDIA", "cuda", "vllm", true, "offline", "nvidia-moe-serving-vllm"},
		{"NVIDIA", "cuda", "vllm", true, "curve", "nvidia-moe-serving-vllm"},
		{"NVIDIA", "cuda", "sglang", false, "offline", ""},
		{"NVIDIA", "cuda", "lmdeploy", false, "curve", ""},
		{"NVIDIA", "cuda", "sglang", true, "curve", "nvidia-moe-serving"},
		{"NVIDIA", "cuda", "sglang", true, "offline", "nvidia-moe-serving"},
		{"AMD", "rocm", "", false, "offline", "amd-dense-serving"},
		{"AMD", "rocm", "vllm", false, "curve", "amd-dense-serving"},
		{"AMD", "rocm", "sglang", false, "offline", ""},
		{"Huawei", "cann", "sglang-ascend", true, "curve", ""},
	} {
		s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: c.vendor, MoE: c.moe, Chips: 8, Method: c.method, Stack: c.stack, Engine: c.engine})
		if s.ID != c.want || ok != (c.want != "") {
			t.Errorf("ScoreFor(inference, %s, %s, engine %q, moe %v, %s) = %q, %v; want %q", c.vendor, c.stack, c.engine, c.moe, c.method, s.ID, ok, c.want)
		}
	}
	// An engine's own regime before any other, whatever the method; a
	// regime that names an engine scores no prediction made without it:
	// Ascend MoE serving with vLLM-Ascend takes GPUStack's rows even on
	// the curve, with the stack's own defaults the CloudMatrix ones, and
	// dense serving without vLLM-Ascend has no regime at all.
	for _, c := range []struct {
		moe            bool
		method, engine string
		want           string
	}{{true, "curve", "vllm-ascend", "huawei-moe-serving-offline"}, {true, "offline", "vllm-ascend", "huawei-moe-serving-offline"},
		{true, "curve", "", "huawei-moe-serving"}, {true, "offline", "", "huawei-moe-serving"},
		{false, "curve", "vllm-ascend", "huawei-dense-serving"}, {false, "curve", "", ""}} {
		s, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: "Huawei", Family: "Huawei Da Vinci", MoE: c.moe, Chips: 2, Method: c.method, Stack: "cann", Engine: c.engine})
		if s.ID != c.want || ok != (c.want != "") {
			t.Errorf("ScoreFor(inference, Huawei, moe %v, %s, engine %q) = %q, %v; want %q", c.moe, c.method, c.engine, s.ID, ok, c.want)
		}
	}
}

// validate carries the engine whose profile predicted an inference run:
// the GPUStack rows name vLLM-Ascend, the CloudMatrix ones no engine.
func TestValidateNamesEngine(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, id, want string }{
		{"validation/holdout-gpustack-ascend.yaml", "gpustack-qwen3-8b-1x910b-vllm-ascend-2000-100", "vllm-ascend"},
		{"validation/holdout-gpustack-cuda.yaml", "gpustack-qwen3-235b-a22b-8xh100-vllm-2000-100", "vllm"},
		{"runs/testdata/published-runs.yaml", "cm384-deepseek-r1-decode-tpot50ms-in4096-bs96", ""},
	} {
		data, err := os.ReadFile(filepath.Join("..", c.path))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		var sub File
		sub.Format = f.Format
		for _, r := range f.Runs {
			if r.ID == c.id {
				sub.Runs = append(sub.Runs, r)
			}
		}
		res := Validate(cat, &sub).Results
		if len(res) != 1 || res[0].Engine != c.want || res[0].Error == nil {
			t.Errorf("%s: results %+v; want one predicted with engine %q", c.id, res, c.want)
		}
	}
}

// Selects, case by case: a regime takes a run of its kind, vendor, kind
// of model and scale, of its method and engine where it names them, and
// never a whole run's chip-hours.
func TestSelects(t *testing.T) {
	s := catalog.Score{Select: catalog.ScoreSelect{Kind: "inference", Vendor: "NVIDIA", Models: "dense", MinChips: 2, Method: "offline", Engine: "vllm"}}
	r := Run{System: System{Chips: 8}}
	res := Result{Kind: "inference", Family: "NVIDIA Hopper", Method: MethodOffline, Engine: "vllm", Metric: MetricOutputTokensPerChip}
	if !Selects(s, r, res) {
		t.Fatal("the regime's own kind of run not selected")
	}
	for name, c := range map[string]func(*Run, *Result){
		"training":       func(_ *Run, x *Result) { x.Kind = "training" },
		"another vendor": func(_ *Run, x *Result) { x.Family = "AMD CDNA 3" },
		"a MoE model":    func(r *Run, _ *Result) { r.Model.MoE = &llm.MoEConfig{Experts: 8, Active: 2} },
		"too few chips":  func(r *Run, _ *Result) { r.System.Chips = 1 },
		"the curve":      func(_ *Run, x *Result) { x.Method = MethodCurve },
		"another engine": func(_ *Run, x *Result) { x.Engine = "sglang" },
		"chip-hours":     func(_ *Run, x *Result) { x.Metric = MetricChipHours },
	} {
		r2, res2 := r, res
		c(&r2, &res2)
		if Selects(s, r2, res2) {
			t.Errorf("%s: selected", name)
		}
	}
}
