package catalog

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/input"
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
	// A calendar release no version is tagged with takes the state at
	// its date: NeMo 24.12 the 24.07 state, Megatron-Bridge 26.04.01
	// 25.11's, 26.08 the current one (26.06's).
	for _, c := range []struct{ fw, state string }{
		{"nemo 24.12", "24.07 (2024-07-01)"}, {"megatron-bridge 26.04.01", "25.11 (2025-12-09)"}, {"megatron-bridge 26.08", "26.06 (2026-06-16)"},
	} {
		prof, why, err := cat.TrainingProfile("cuda", c.fw)
		if err != nil {
			t.Fatalf("%q: %v", c.fw, err)
		}
		if prof.State != c.state || !strings.Contains(why, "the state at the release's date") {
			t.Errorf("%q: state %q, why %q; want %q at the release's date", c.fw, prof.State, why, c.state)
		}
	}
	// Names are matched whatever their case, as sources write them
	// (QA: Megatron-LM fell back to the default stack, NeMo 2.0 too).
	for _, c := range []struct{ fw, id, why string }{
		{"Megatron-LM", "cuda-megatron", "(megatron-lm)"}, {"NeMo 2.0", "cuda-mcore", `(nemo; release "2.0"`},
		{"MindFormers v1.1.0", "mindformers", "(mindformers v1.1.0)"},
	} {
		stack := "cuda"
		if c.id == "mindformers" {
			stack = "cann"
		}
		prof, why, err := cat.TrainingProfile(stack, c.fw)
		if err != nil || prof.ID != c.id || !strings.Contains(why, c.why) {
			t.Errorf("%q: profile %s, why %q, %v; want %s and %q", c.fw, prof.ID, why, err, c.id, c.why)
		}
	}
	if got, want := cat.FrameworkParams("cuda", "Megatron-Core"), cat.FrameworkParams("cuda", "megatron-core"); len(got) == 0 || len(got) != len(want) {
		t.Errorf("FrameworkParams(Megatron-Core) = %v, want megatron-core's %v", got, want)
	}
	cur, _, _ := cat.TrainingProfile("cann", "mindformers")
	old, _, _ := cat.TrainingProfile("cann", "mindformers v1.1.0")
	if !(old.MatmulMax.Value < cur.MatmulMax.Value) {
		t.Errorf("v1.1.0 matmul_max %g, current %g: want the older release slower", old.MatmulMax.Value, cur.MatmulMax.Value)
	}
}

// MindFormers' interleaved pipeline is a release fact: no training config
// up to tag v1.3.0 sets pp_interleave_num above 1, and v1.3.2's
// TeleChat2-115B recipe runs data_parallel 8, model_parallel 8,
// pipeline_stage 8 with pp_interleave_num 3
// (research/telechat2/finetune_telechat_115b.yaml), so that plan is refused
// under v1.3.0 and accepted from v1.3.2 on.
func TestMindFormersInterleavedFromV132(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	recipe := parallel.Plan{TP: 8, PP: 8, DP: 8, CP: 1, EP: 1, VPP: 3, Microbatch: 1,
		Recompute: parallel.RecomputeSelective, ZeRO: 1, SequenceParallel: true}
	for _, c := range []struct {
		fw   string
		want bool
	}{
		{"mindformers v1.0.0", false}, {"mindformers v1.2.0", false}, {"mindformers v1.3.0", false},
		{"mindformers v1.3.2", true}, {"mindformers v1.5.0", true}, {"mindformers v1.6.0", true}, {"mindformers", true},
	} {
		prof, _, err := cat.TrainingProfile("cann", c.fw)
		if err != nil {
			t.Fatal(err)
		}
		err = prof.Supports(recipe)
		if (err == nil) != c.want {
			t.Errorf("%s: Supports(vpp 3) = %v; want accepted %v", c.fw, err, c.want)
		}
		if !c.want && (err == nil || !strings.Contains(err.Error(), "vpp")) {
			t.Errorf("%s: refusal %v does not name vpp", c.fw, err)
		}
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

// A framework's published practice within its stack: NVIDIA's NeMo and
// Megatron-Bridge performance recipes reduce gradients in bf16, so a run
// naming nemo keeps 2-byte gradient buffers where one naming
// megatron-core keeps Megatron-LM's fp32 (4 bytes), and they gather FP8
// weights where Megatron-LM's default gathers 16-bit ones; the override holds
// at a named release and at an explicit date, and the release's own
// values (NeMo 24.03's attention) still apply.
func TestFrameworkParams(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	get := func(fw string) training.Profile {
		t.Helper()
		p, _, err := cat.TrainingProfile("cuda", fw)
		if err != nil {
			t.Fatalf("%q: %v", fw, err)
		}
		return p
	}
	nemo, mcore, none := get("nemo"), get("megatron-core"), get("")
	if nemo.GradBytes.Value != 2 || mcore.GradBytes.Value != 4 || none.GradBytes.Value != 4 {
		t.Errorf("grad_bytes: nemo %g, megatron-core %g, none %g; want 2, 4, 4", nemo.GradBytes.Value, mcore.GradBytes.Value, none.GradBytes.Value)
	}
	// The same recipes keep FP8 weights, gathered at 1 byte; Megatron-LM
	// asks for it with a flag, off by default.
	mb := get("megatron-bridge 25.11")
	if nemo.FP8ParamGather.Value != 1 || mb.FP8ParamGather.Value != 1 || mcore.FP8ParamGather.Value != 0 || none.FP8ParamGather.Value != 0 {
		t.Errorf("fp8_param_gather: nemo %g, megatron-bridge %g, megatron-core %g, none %g; want 1, 1, 0, 0",
			nemo.FP8ParamGather.Value, mb.FP8ParamGather.Value, mcore.FP8ParamGather.Value, none.FP8ParamGather.Value)
	}
	// The Megatron frameworks' recipes never run ZeRO 2; a job naming no
	// framework has no such rule (Meta's Llama 3 runs shard gradients
	// without weights).
	if nemo.NoZeRO2Practice.Value != 1 || mb.NoZeRO2Practice.Value != 1 || mcore.NoZeRO2Practice.Value != 1 || none.NoZeRO2Practice.Value != 0 {
		t.Errorf("no_zero2_practice: nemo %g, megatron-bridge %g, megatron-core %g, none %g; want 1, 1, 1, 0",
			nemo.NoZeRO2Practice.Value, mb.NoZeRO2Practice.Value, mcore.NoZeRO2Practice.Value, none.NoZeRO2Practice.Value)
	}
	old := get("nemo 24.03")
	if old.GradBytes.Value != 2 || old.AttentionEff.Value >= nemo.AttentionEff.Value {
		t.Errorf("nemo 24.03: grad_bytes %g, attention_eff %g (current %g); want 2 and the release's lower attention",
			old.GradBytes.Value, old.AttentionEff.Value, nemo.AttentionEff.Value)
	}
	dated, err := old.At("2025-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if dated.GradBytes.Value != 2 || dated.AttentionEff.Value != nemo.AttentionEff.Value {
		t.Errorf("nemo 24.03 taken at 2025-12-01: grad_bytes %g, attention_eff %g; want 2 and the current %g",
			dated.GradBytes.Value, dated.AttentionEff.Value, nemo.AttentionEff.Value)
	}
}

// framework_params are checked at load: the framework must be one of the
// stack's, the parameter known, and its provenance complete.
func TestFrameworkParamsChecked(t *testing.T) {
	b, err := fs.ReadFile(dataFS, "stacks-training.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	const good = "      nemo:\n        grad_bytes: {value: 2, basis: sourced, sources: [nvidia_perf_bf16_grad_reduce],"
	if !strings.Contains(src, good) {
		t.Fatal("stacks-training.yaml no longer holds nemo's grad_bytes override")
	}
	for _, c := range []struct{ name, new, want string }{
		{"foreign framework", strings.Replace(good, "nemo:", "llm-foundry:", 1), `"llm-foundry" is not one of its frameworks`},
		{"unknown parameter", strings.Replace(good, "grad_bytes:", "grad_bites:", 1), `unknown parameter "grad_bites"`},
		{"dangling source", strings.Replace(good, "[nvidia_perf_bf16_grad_reduce]", "[nope]", 1), "nope"},
	} {
		_, err := loadFrom(withFile(t, "stacks-training.yaml", strings.Replace(src, good, c.new, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// A per-chip scale must name a catalog chip and a version's parameter a
// source the catalog has: a typo in either is a load error naming the
// file, the stack, the version and the parameter.
func TestTrainingStackRefs(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	good, err := fs.ReadFile(dataFS, "stacks-training.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown chip", "chip_tensor.gb200:", "chip_tensor.gb20:", "version 25.04: chip_tensor.gb20"},
		{"unknown source", "chip_tensor.gb200: {value: 0.835, basis: calibrated, sources: [azure_aibench]", "chip_tensor.gb200: {value: 0.835, basis: calibrated, sources: [azure_aibenchx]", "azure_aibenchx"},
	} {
		src := string(good)
		if !strings.Contains(src, tc.old) {
			t.Fatalf("%s: stacks-training.yaml no longer contains %q", tc.name, tc.old)
		}
		m := fstest.MapFS{"stacks-training.yaml": {Data: []byte(strings.Replace(src, tc.old, tc.new, 1))}}
		_, err := c.trainingStacksFrom(m)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cuda-mcore") {
			t.Errorf("%s: error %v, want one naming cuda-mcore and %q", tc.name, err, tc.want)
		}
	}
}

// Megatron-LM's own MoE recipes (examples/moe_recipes, 2026-05 on) run
// the flex dispatcher, hierarchical across nodes; Megatron-Core's
// earlier states and the Megatron-Bridge and NeMo recipes keep the flat
// all-to-all (framework_params.megatron-core, versions before 2026-05).
func TestFlexDispatcherPracticeByFrameworkAndDate(t *testing.T) {
	checkByFramework(t, "cuda", "moe_hierarchical_dispatch", func(p training.Profile) float64 { return p.MoEHierarchicalDispatch.Value }, []frameworkCase{
		{"megatron-core", 1}, {"megatron-core 26.06", 1}, {"megatron-core 25.06", 0}, {"megatron-core 25.11", 0},
		{"megatron-bridge", 0}, {"megatron-bridge 26.08", 0}, {"nemo 25.04", 0}, {"", 0},
	})
}

// frameworkCase is a framework a run names (with its release, if any)
// and the value a parameter should take for it.
type frameworkCase struct {
	fw   string
	want float64
}

// checkByFramework asserts parameter name (read by get) of the profile
// the catalog gives each case's framework on stack, and returns those
// profiles by framework for further checks.
func checkByFramework(t *testing.T, stack, name string, get func(training.Profile) float64, cases []frameworkCase) map[string]training.Profile {
	t.Helper()
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]training.Profile{}
	for _, c := range cases {
		prof, why, err := cat.TrainingProfile(stack, c.fw)
		if err != nil {
			t.Fatalf("%q: %v", c.fw, err)
		}
		if got := get(prof); got != c.want {
			t.Errorf("%q (%s, %s): %s %g, want %g", c.fw, prof.ID, why, name, got, c.want)
		}
		out[c.fw] = prof
	}
	return out
}

// The PyTorch FSDP frameworks' published runs shard fully; the Megatron
// frameworks keep ZeRO 1 (their distributed optimizer) within practice.
func TestFSDPFrameworksShardFully(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for fw, want := range map[string]float64{"torchtitan": 1, "llm-foundry": 1, "nemo": 0, "megatron-core": 0} {
		p, _, err := cat.TrainingProfile("cuda", fw)
		if err != nil {
			t.Fatalf("%q: %v", fw, err)
		}
		if p.FullShardPractice.Value != want {
			t.Errorf("%s (stack %s): full_shard_practice %g; want %g", fw, p.ID, p.FullShardPractice.Value, want)
		}
	}
}

// NeMo AutoModel runs on the PyTorch FSDP profile with its own sourced
// facts (framework_params): 16-bit parameters and gradients without an
// fp32 master copy, fp32 Adam moments (16-bit where those do not fit),
// context and interleaved pipeline parallelism, Transformer Engine's
// attention at cuda-mcore's rates and DeepEP's hierarchical dispatch;
// torchtitan on the same profile keeps the profile's own values.
func TestAutoModelFrameworkParams(t *testing.T) {
	cat := load(t)
	profile := func(fw string) training.Profile {
		p, _, err := cat.TrainingProfile("cuda", fw)
		if err != nil {
			t.Fatalf("%s: %v", fw, err)
		}
		return p
	}
	am, tt, mc := profile("nemo-automodel"), profile("torchtitan"), profile("megatron-core")
	if am.ID != "cuda-fsdp" || tt.ID != "cuda-fsdp" {
		t.Fatalf("nemo-automodel on %s, torchtitan on %s; want both on cuda-fsdp", am.ID, tt.ID)
	}
	for _, c := range []struct {
		name     string
		am, want float64
		tt, keep float64
	}{
		{"weight_bytes", am.WeightBytes.Value, 2, tt.WeightBytes.Value, 2},
		{"grad_bytes", am.GradBytes.Value, 2, tt.GradBytes.Value, 2},
		{"optimizer_bytes", am.OptimizerBytes.Value, 8, tt.OptimizerBytes.Value, 12},
		{"optimizer_step_bytes", am.OptimizerStepBytes.Value, 2 + 2 + 8 + 2 + 8, tt.OptimizerStepBytes.Value, 34},
		{"half_moments", am.HalfMoments.Value, 1, tt.HalfMoments.Value, 0},
		{"context_parallel", am.ContextParallel.Value, 1, tt.ContextParallel.Value, 0},
		{"interleaved", am.Interleaved.Value, 1, tt.Interleaved.Value, 0},
		{"moe_hierarchical_dispatch", am.MoEHierarchicalDispatch.Value, 1, tt.MoEHierarchicalDispatch.Value, 0},
		{"attention_eff", am.AttentionEff.Value, mc.AttentionEff.Value, tt.AttentionEff.Value, 0.30},
		{"family_attention.hopper", am.FamilyAttention["hopper"].Value, mc.FamilyAttention["hopper"].Value, tt.FamilyAttention["hopper"].Value, 0.60},
		{"attention_ramp_tokens", am.AttentionRampTokens.Value, mc.AttentionRampTokens.Value, tt.AttentionRampTokens.Value, 0},
	} {
		if c.am != c.want {
			t.Errorf("nemo-automodel %s = %g, want %g", c.name, c.am, c.want)
		}
		if c.tt != c.keep {
			t.Errorf("torchtitan %s = %g, want the profile's %g", c.name, c.tt, c.keep)
		}
	}
	if am.MatmulMax.Value != tt.MatmulMax.Value || am.LayerOverhead.Value != tt.LayerOverhead.Value {
		t.Errorf("nemo-automodel's GEMM rate and layer overhead (%g, %g) differ from the profile's (%g, %g)", am.MatmulMax.Value, am.LayerOverhead.Value, tt.MatmulMax.Value, tt.LayerOverhead.Value)
	}
}

// MindFormers' practice splits large models over TP 4 or more; no other
// stack carries the rule.
func TestLargeModelTPPracticeByStack(t *testing.T) {
	for id, p := range stackProfiles(t, "mindformers", "cann-mindspeed", "cuda-mcore") {
		want := id == "mindformers"
		if got := p.LargeParams.Value > 0; got != want || (want && (p.LargeParams.Value < 14.2e9 || p.LargeParams.Value > 19.9e9 || p.TPMinLarge.Value != 4 || p.PPMinLarge.Value != 2)) {
			t.Errorf("%s: large_params %g, tp_min_large %g; want the rule %v (between 14.2 and 19.9 B, TP 4, PP 2)", id, p.LargeParams.Value, p.TPMinLarge.Value, want)
		}
	}
}

// MindSpeed's practice fully shards (ZeRO 3) only without TP or PP and
// only up to its largest full-shard recipe (Qwen3-32B, 32.8 B), below the
// smallest model its split recipes run that is larger (CodeLlama-34B,
// 33.7 B, TP 8 PP 2 with ZeRO 1); no other stack carries the rules.
func TestMindSpeedShardPractice(t *testing.T) {
	for id, p := range stackProfiles(t, "cann-mindspeed", "mindformers", "cuda-mcore", "cuda-fsdp") {
		want := id == "cann-mindspeed"
		if (p.ShardUnsplit.Value >= 0.5) != want || (p.ShardMaxActive.Value > 0) != want ||
			(want && (p.ShardMaxActive.Value < 32.8e9 || p.ShardMaxActive.Value >= 33.7e9)) {
			t.Errorf("%s: shard_unsplit %g, shard_max_active %g; want the rules %v (max between 32.8 and 33.7 B)", id, p.ShardUnsplit.Value, p.ShardMaxActive.Value, want)
		}
	}
}

// MaxText's published benchmark configurations shard fully over an FSDP
// axis and never pipeline: the xla-jax stack carries both practice rules,
// the Megatron and MindFormers stacks neither.
func TestMaxTextPractice(t *testing.T) {
	for id, p := range stackProfiles(t, "xla-jax", "cuda-mcore", "mindformers", "cann-mindspeed") {
		want := id == "xla-jax"
		if (p.NoPPPractice.Value >= 0.5) != want || (p.FullShardPractice.Value >= 0.5) != want {
			t.Errorf("%s: no_pp_practice %g, full_shard_practice %g; want both %v", id, p.NoPPPractice.Value, p.FullShardPractice.Value, want)
		}
	}
}

// Intel's Megatron-DeepSpeed examples for Gaudi shard at ZeRO 0 or 1: a
// job naming megatron-deepspeed on Gaudi keeps the practice search at
// ZeRO ≤ 1, while Optimum Habana, a job naming no framework, and the CUDA
// Megatron-DeepSpeed profile keep no rule (3).
func TestGaudiMegatronDeepSpeedZeRO(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		stack, fw string
		want      float64
	}{{"synapse", "megatron-deepspeed", 1}, {"synapse", "optimum-habana", 3}, {"synapse", "", 3}, {"cuda", "megatron-deepspeed", 3}} {
		prof, why, err := cat.TrainingProfile(c.stack, c.fw)
		if err != nil {
			t.Fatal(err)
		}
		if got := prof.PracticeMaxZeRO.Value; got != c.want {
			t.Errorf("%s %q (%s): practice_max_zero %g, want %g", c.stack, c.fw, why, got, c.want)
		}
	}
}

// MindFormers' MoE training recipes (v1.2.0 to v1.6.0) run MoEV2, which
// computes every expert at its capacity (static shapes), at a capacity
// factor of 1.1 for Mixtral 8x7B and Qwen2-57B-A14B; Megatron-Core's and
// MindSpeed-LLM's token dispatchers stay dropless and unpadded.
func TestMindFormersStaticExperts(t *testing.T) {
	for id, p := range stackProfiles(t, "mindformers", "cuda-mcore", "cann-mindspeed") {
		pad, cf := p.MoEPadCapacity.Value, p.MoECapacityFactor.Value
		switch {
		case id == "mindformers" && (pad != 1 || cf != 1.1):
			t.Errorf("%s: moe_pad_capacity %g, moe_capacity_factor %g; want 1 and 1.1 (MoEV2's static capacity)", id, pad, cf)
		case id != "mindformers" && (pad != 0 || cf != 0):
			t.Errorf("%s: moe_pad_capacity %g, moe_capacity_factor %g; want 0 and 0 (dropless token dispatch)", id, pad, cf)
		}
	}
}

// stackProfiles loads the catalog and returns the training profiles of
// the named stacks, failing the test if any is missing.
func stackProfiles(t *testing.T, ids ...string) map[string]training.Profile {
	t.Helper()
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]training.Profile, len(ids))
	for _, id := range ids {
		p, err := cat.TrainingProfileByID(id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	return out
}

// ModelLink's training path had no full sharding before MindSpeed-LLM
// v2.1.0 (2025-07-25): a run that names an earlier release, by tag or by
// date, is offered ZeRO 1 at most, and a ZeRO 3 plan there is refused
// naming the field; the current MindSpeed offers ZeRO 3.
func TestMindSpeedShardingByRelease(t *testing.T) {
	profs := checkByFramework(t, "cann", "max_zero", func(p training.Profile) float64 { return p.MaxZeRO.Value }, []frameworkCase{
		{"modellink v1.0.0", 1}, {"modellink v1.1.0", 1}, {"mindspeed 2024-03-15", 1}, {"mindspeed 2023-11-13", 1},
		{"mindspeed 1.2", 1}, {"mindspeed v26.0.0", 3}, {"mindspeed", 3},
	})
	for fw, prof := range profs {
		if prof.ID != "cann-mindspeed" {
			t.Errorf("%q: stack %s, want cann-mindspeed", fw, prof.ID)
		}
		err := prof.Supports(parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 3})
		if refused, want := err != nil && strings.Contains(err.Error(), "zero"), prof.MaxZeRO.Value < 3; refused != want {
			t.Errorf("%q: a ZeRO 3 plan gives %v; want it refused %v", fw, err, want)
		}
	}
}

// cuda-mcore's 25.04 and 25.09 states (NeMo 25.04 and Megatron-Bridge
// 25.09: Megatron-Core's own CUDA graphs on core 0.12-0.14, which refuse
// activation recompute) run a recomputing MoE plan uncaptured; its
// 2025-11 and current states keep recomputed modules outside the graphs.
// The same two states capture static expert shapes only (Megatron-Core
// 0.12's dropless graphs are attention-only; Megatron-Bridge 25.09's
// scripts have no router or preprocessing scope, which v0.2.0, 25.11,
// adds): a dropless job runs its MoE layers uncaptured there, and takes
// the graph path from the 2025-11 state on.
func TestMcoreGraphRulesTo2509(t *testing.T) {
	_, mc := catalogProfile(t, "cuda-mcore")
	for _, c := range []struct {
		date string
		want float64
	}{{"2025-05-01", 1}, {"2025-10-20", 1}, {"2025-11-10", 0}, {"2025-12-15", 0}, {"", 0}} {
		at, err := mc.At(c.date)
		if err != nil {
			t.Fatal(err)
		}
		if got := at.MoEGraphNoRecompute.Value; got != c.want {
			t.Errorf("cuda-mcore at %q: moe_graph_no_recompute %g, want %g", c.date, got, c.want)
		}
		if got := at.MoEGraphNeedsPad.Value; got != c.want {
			t.Errorf("cuda-mcore at %q: moe_graph_needs_pad %g, want %g", c.date, got, c.want)
		}
	}
}

// Megatron-Core before 0.8.0 (NeMo 24.03's megatron_core 0.5.0) drew
// expert ranks from the data-parallel group alone and refused them with
// context parallelism: under "nemo 24.03" a plan of ep 4 with cp 2, or
// ep 4 over dp 2, is refused naming ep; a plan of ep 4 over dp 4 is not;
// from the 24.07 state on both run.
func TestMcoreMoEContextParallelFrom08(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	withCP := parallel.Plan{TP: 1, PP: 1, DP: 4, CP: 2, EP: 4, VPP: 1, Microbatch: 1}
	overDP := parallel.Plan{TP: 1, PP: 2, DP: 2, CP: 2, EP: 4, VPP: 1, Microbatch: 1}
	inDP := parallel.Plan{TP: 1, PP: 1, DP: 4, CP: 1, EP: 4, VPP: 1, Microbatch: 1}
	for _, c := range []struct {
		fw      string
		refused bool
	}{{"nemo 24.03", true}, {"nemo 24.07", false}, {"megatron-bridge 25.11", false}, {"nemo", false}} {
		prof, _, err := cat.TrainingProfile("cuda", c.fw)
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range []parallel.Plan{withCP, overDP} {
			err := prof.Supports(pl)
			if (err != nil) != c.refused || (err != nil && !strings.Contains(err.Error(), "ep = 4")) {
				t.Errorf("%s: Supports(cp %d dp %d ep %d) = %v; want refused %v, naming ep", c.fw, pl.CP, pl.DP, pl.EP, err, c.refused)
			}
		}
		if err := prof.Supports(inDP); err != nil {
			t.Errorf("%s: ep 4 over dp 4 refused: %v", c.fw, err)
		}
	}
}

// Megatron-FSDP under expert parallelism came with Megatron-Core 0.13.0
// ("Support EP + custom FSDP training for DeepSeek-V3"): a release whose
// state predates it (NeMo 24.03, 24.07 and, by date, 24.12) refuses a
// plan sharding weights (ZeRO 3) or gradients (ZeRO 2) at ep 8, naming
// zero, and still runs it at ep 1 or at ZeRO 1; the 25.04 state (which
// also stands for Megatron-LM main of May 2025, where the model zoo ran
// FSDP with EP 8) and the current one accept it.
func TestMcoreShardingWithEPFrom013(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fsdpEP := parallel.Plan{TP: 1, PP: 1, DP: 16, CP: 1, EP: 8, VPP: 1, Microbatch: 1, ZeRO: 3}
	zero2EP := fsdpEP
	zero2EP.ZeRO = 2
	fsdpNoEP := fsdpEP
	fsdpNoEP.EP = 1
	zero1EP := fsdpEP
	zero1EP.ZeRO = 1
	for _, c := range []struct {
		fw      string
		refused bool
	}{{"nemo 24.03", true}, {"nemo 24.07", true}, {"nemo 24.12", true}, {"nemo 25.04", false}, {"megatron-core 2025-05-24", false}, {"megatron-bridge 25.11", false}, {"nemo", false}} {
		prof, _, err := cat.TrainingProfile("cuda", c.fw)
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range []parallel.Plan{fsdpEP, zero2EP} {
			err := prof.Supports(pl)
			if (err != nil) != c.refused || (err != nil && !strings.Contains(err.Error(), "zero = ")) {
				t.Errorf("%s: Supports(zero %d, ep %d) = %v; want refused %v, naming zero", c.fw, pl.ZeRO, pl.EP, err, c.refused)
			}
		}
		for _, pl := range []parallel.Plan{fsdpNoEP, zero1EP} {
			if err := prof.Supports(pl); err != nil {
				t.Errorf("%s: zero %d at ep %d refused: %v", c.fw, pl.ZeRO, pl.EP, err)
			}
		}
	}
}

// Megatron-Core 0.5.0 (NeMo 24.03) predates uneven pipeline stages (0.9.0)
// and MoE parallel folding (0.10.0): under "nemo 24.03" an expert
// tensor-parallel degree apart from TP is refused naming etp and the
// stages split evenly; the current state offers both.
func TestMcore2403PredatesFoldingAndUnevenStages(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	folded := parallel.Plan{TP: 2, PP: 1, DP: 4, CP: 1, EP: 4, ETP: 1, VPP: 1, Microbatch: 1}
	for _, c := range []struct {
		fw  string
		old bool
	}{{"nemo 24.03", true}, {"nemo", false}} {
		prof, _, err := cat.TrainingProfile("cuda", c.fw)
		if err != nil {
			t.Fatal(err)
		}
		err = prof.Supports(folded)
		if (err != nil) != c.old || (err != nil && !strings.Contains(err.Error(), "etp")) {
			t.Errorf("%s: Supports(tp 2, etp 1) = %v; want refused %v, naming etp", c.fw, err, c.old)
		}
		if uneven := prof.UnevenStages.Value >= 0.5; uneven == c.old {
			t.Errorf("%s: uneven_stages %g", c.fw, prof.UnevenStages.Value)
		}
	}
}

// ModelLink v1.0.0 and v1.1.0 (the Ascend mirror's v1.0.RC1.0 and
// v1.0.RC2.0) build the legacy model, whose path refuses context
// parallelism; it arrives on 2024-07-20 and is in ModelLink 1.2. A plan
// with cp 2 is refused at those releases, naming cp and the release, and
// their search for a 32K-token Mixtral 8x7B job offers no context-
// parallel plan, where 1.2's does.
func TestModelLinkContextParallelHistory(t *testing.T) {
	cat, prof := catalogProfile(t, "cann-mindspeed")
	m, err := cat.Model("mixtral-8x7b")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := cat.Cluster("ascend-910b", 32, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	job := training.Job{Seq: 32768, GlobalBatch: 8, Precision: "bf16"}
	cp2 := parallel.Plan{TP: 8, PP: 1, DP: 2, CP: 2, EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull, ZeRO: 1}
	for _, c := range []struct {
		date, tag string
		cp        bool
	}{{"2024-04-16", "v1.0.0", false}, {"2024-07-17", "v1.1.0", false}, {"2024-09-25", "1.2", true}, {"", "v26.0.0", true}} {
		p, err := prof.At(c.date)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.State, c.tag+" ") {
			t.Fatalf("At(%q): state %q, want %s", c.date, p.State, c.tag)
		}
		err = p.Supports(cp2)
		switch {
		case c.cp && err != nil:
			t.Errorf("%s: cp 2 refused: %v", c.tag, err)
		case !c.cp && (err == nil || !strings.Contains(err.Error(), "cp = 2") || !strings.Contains(err.Error(), "as of "+c.tag+" ")):
			t.Errorf("%s: cp 2 gives %v; want a refusal naming cp and the release", c.tag, err)
		}
		sr, err := training.Search(m, cl, p, job, training.SearchOptions{Top: 200})
		if err != nil {
			t.Fatalf("%s: %v", c.tag, err)
		}
		found := false
		for _, r := range sr.Top {
			found = found || r.Plan.CP > 1
		}
		if found != c.cp {
			t.Errorf("%s: a context-parallel plan among the %d best is %v, want %v", c.tag, len(sr.Top), found, c.cp)
		}
	}
}

// catalogProfile loads the catalog and one training profile of it (the
// current state; At gives a dated one), failing the test if either fails.
func catalogProfile(t *testing.T, id string) (*Catalog, training.Profile) {
	t.Helper()
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	p, err := cat.TrainingProfileByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return cat, p
}

// ModelLink's published figures ran MC2 from 2024-04-26 (its dense TP
// scripts) until MindSpeed-LLM removed it on 2025-03-08
// (modellink_mc2_history): the runs of that window hide half of a dense
// layer's TP collectives (cuda-mcore's tp_overlap for the same tiling, not
// fitted), those before and after, and the current state, none; every
// other stack has no such overlap.
func TestModelLinkMC2Window(t *testing.T) {
	get := func(p training.Profile) float64 { return p.TPOverlapDense.Value }
	checkByFramework(t, "cann", "tp_overlap_dense", get, []frameworkCase{
		{"mindspeed 2024-03-15", 0}, {"modellink v1.0.0", 0}, {"mindspeed 2024-04-26", 0.5}, {"mindspeed 2024-06-03", 0.5},
		{"modellink v1.1.0", 0.5}, {"mindspeed 2024-07-20", 0.5}, {"mindspeed 1.2", 0.5}, {"mindspeed 2025-03-07", 0.5},
		{"mindspeed 2025-03-08", 0}, {"mindspeed v26.0.0", 0}, {"mindspeed", 0},
	})
	for id, p := range stackProfiles(t, "cuda-mcore", "mindformers", "cuda-fsdp", "xla-jax") {
		if get(p) != 0 || p.TPOverlap.Value >= 1 {
			t.Errorf("%s: tp_overlap_dense %g, tp_overlap %g; want 0 and below 1", id, get(p), p.TPOverlap.Value)
		}
	}
}

// AscendSpeed's eager RMSNorm until the Megatron v3 port (2023-12-06 in
// its scripts' majority; ascendspeed_norm_history): cann-mindspeed's
// states before it run eager norms, every later state and every other
// stack fused ones.
func TestAscendSpeedEagerNorm(t *testing.T) {
	get := func(p training.Profile) float64 { return p.EagerNorm.Value }
	checkByFramework(t, "cann", "eager_norm", get, []frameworkCase{
		{"mindspeed 2023-09-26", 1}, {"mindspeed 2023-12-05", 1}, {"mindspeed 2023-12-06", 0},
		{"mindspeed 2024-02-01", 0}, {"modellink v1.0.0", 0}, {"mindspeed", 0},
	})
	for id, p := range stackProfiles(t, "cuda-mcore", "mindformers", "cuda-fsdp", "xla-jax", "cuda-megatron") {
		if get(p) != 0 {
			t.Errorf("%s: eager_norm %g, want 0", id, get(p))
		}
	}
}

// MindFormers splits each expert over the model-parallel ranks as
// attention is until v1.6.0 brought ep_extend_tp (its transformer.py
// FeedForward shards the experts (ep, 1, mp)): a plan folding the experts
// over the TP ranks (etp 1, tp 4) is refused before it, with an error
// naming etp, and runs from v1.6.0 on.
func TestMindFormersExpertSplit(t *testing.T) {
	profs := checkByFramework(t, "cann", "moe_fold", func(p training.Profile) float64 { return p.MoEFold.Value }, []frameworkCase{
		{"mindformers v1.2.0", 0}, {"mindformers v1.3.0", 0}, {"mindformers v1.5.0", 0}, {"mindformers v1.6.0", 1}, {"mindformers", 1},
	})
	v13, v16 := profs["mindformers v1.3.0"], profs["mindformers v1.6.0"]
	folded := parallel.Plan{TP: 4, PP: 1, DP: 8, CP: 1, EP: 8, ETP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeNone, SequenceParallel: true}
	var fe *input.Error
	if err := v13.Supports(folded); !errors.As(err, &fe) || fe.Field != "etp" {
		t.Errorf("mindformers v1.3.0, etp 1 under tp 4: %v, want an error naming etp", err)
	}
	if err := v16.Supports(folded); err != nil {
		t.Errorf("mindformers v1.6.0, etp 1 under tp 4: %v", err)
	}
	split := folded
	split.ETP, split.EP = 4, 2
	if err := v13.Supports(split); err != nil {
		t.Errorf("mindformers v1.3.0, etp = tp: %v", err)
	}
}

// MindSpeed-LLM split every expert over the TP ranks until it accepted
// --moe-tp-extend-ep on 2025-02-25 (before, its arguments forced the
// option off as unsupported): moe_fold 0 in cann-mindspeed's states
// before that day, 1 from it.
func TestMindSpeedExpertSplit(t *testing.T) {
	checkByFramework(t, "cann", "moe_fold", func(p training.Profile) float64 { return p.MoEFold.Value }, []frameworkCase{
		{"mindspeed 2023-10-14", 0}, {"modellink v1.1.0", 0}, {"mindspeed 2024-09-25", 0}, {"mindspeed 2025-02-24", 0},
		{"mindspeed 2025-02-25", 1}, {"mindspeed 2025-06-01", 1}, {"mindspeed", 1},
	})
}

// MindSpeed-LLM's MoE scripts ran Megatron-Core's unfused permutation
// until most passed --use-fused-moe-token-permute-and-unpermute (2024-12-28):
// 24 bytes per routed copy beyond the global permutation in the
// Megatron-Core states before it (core_v0.6's all-gather dispatcher: 12
// passes in 16 bits), the profile's fused 8 from then on; the GShard
// states before Megatron-Core keep the profile's value.
func TestMindSpeedUnfusedPermute(t *testing.T) {
	checkByFramework(t, "cann", "moe_copy_bytes", func(p training.Profile) float64 { return p.MoECopyBytes.Value }, []frameworkCase{
		{"modellink v1.1.0", 8}, {"mindspeed 2024-07-20", 24}, {"mindspeed 2024-09-25", 24}, {"mindspeed 2024-12-27", 24},
		{"mindspeed 2024-12-28", 8}, {"mindspeed 2025-06-01", 8}, {"mindspeed", 8},
	})
}

// MindSpeed-LLM's MoE scripts ran Megatron-Core's all-gather token
// dispatcher (explicitly or as Megatron-LM's argument default) until the
// all-to-all scripts became the majority in December 2024
// (mindspeed_llm_dispatcher_history: 13 of 18 on 2024-09-30, 10 of 25 on
// 2024-12-28); the GShard states before Megatron-Core and the later ones
// keep the profile's all-to-all, as do the CUDA stacks.
func TestMindSpeedAllGatherDispatcher(t *testing.T) {
	get := func(p training.Profile) float64 { return p.MoEAllGatherDispatch.Value }
	checkByFramework(t, "cann", "moe_allgather_dispatch", get, []frameworkCase{
		{"modellink v1.1.0", 0}, {"mindspeed 2024-07-20", 1}, {"mindspeed 2024-09-25", 1}, {"mindspeed 2024-12-27", 1},
		{"mindspeed 2024-12-28", 0}, {"mindspeed 2025-06-01", 0}, {"mindspeed", 0},
	})
	checkByFramework(t, "cuda", "moe_allgather_dispatch", get, []frameworkCase{{"megatron-core", 0}, {"nemo 24.07", 0}, {"megatron-bridge", 0}})
}

// MindSpeed-LLM's example scripts ran no virtual pipeline stages before
// the GPT-3 175B script of 2024-05-27 (mindspeed_llm_vpp_history): the
// states before it keep the free search to plain 1F1B, the later ones and
// the current state do not.
func TestMindSpeedVPPPractice(t *testing.T) {
	checkByFramework(t, "cann", "no_vpp_practice", func(p training.Profile) float64 { return p.NoVPPPractice.Value }, []frameworkCase{
		{"mindspeed 2023-10-14", 1}, {"mindspeed 2023-12-20", 1}, {"modellink v1.0.0", 1}, {"mindspeed 2024-05-26", 1},
		{"mindspeed 2024-05-27", 0}, {"modellink v1.1.0", 0}, {"mindspeed 2024-09-25", 0}, {"mindspeed", 0},
	})
}

// MindSpeed-LLM's scripts accumulate weight gradients apart from their
// GEMMs at every state (mindspeed_llm_grad_accum_fusion: 2 + 4 + 4 bytes
// per weight and micro-batch); Megatron-Core on CUDA fuses the
// accumulation into the GEMM (megatron_grad_accum_fusion).
func TestGradAccumulationByStack(t *testing.T) {
	get := func(p training.Profile) float64 { return p.GradAccumBytes.Value }
	checkByFramework(t, "cann", "grad_accum_bytes", get, []frameworkCase{
		{"mindspeed 2023-10-14", 10}, {"modellink v1.0.0", 10}, {"mindspeed 2024-09-25", 10}, {"mindspeed", 10},
	})
	checkByFramework(t, "cuda", "grad_accum_bytes", get, []frameworkCase{{"megatron-core", 0}, {"nemo 24.07", 0}, {"megatron-bridge", 0}})
}

// A parameter that takes over another profile's fitted value must name a
// profile whose value is calibrated and equal: cann-mindspeed's CANN
// kernel rates are mindformers' fit, and a refit of one without the
// other, a transfer from an assumed value or from a missing profile is
// an error naming the parameter.
func TestTransferredParamsAgree(t *testing.T) {
	b, err := fs.ReadFile(dataFS, "stacks-training.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for _, p := range stackProfiles(t, "cann-mindspeed") {
		if p.MatmulMax.From != "mindformers" || p.MemoryEff.From != "mindformers" || p.ScaleUpEff.From != "mindformers" || p.AttentionEff.From != "mindformers" {
			t.Errorf("cann-mindspeed: matmul_max, memory_eff, scale_up_eff, attention_eff from %q, %q, %q, %q; want mindformers", p.MatmulMax.From, p.MemoryEff.From, p.ScaleUpEff.From, p.AttentionEff.From)
		}
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"stale copy", "matmul_max: {value: 0.90, basis: assumed, from: mindformers,", "matmul_max: {value: 0.85, basis: assumed, from: mindformers,", "matmul_max = 0.85 takes over mindformers's value, which is 0.9"},
		{"no such stack", "memory_eff: {value: 0.28, basis: assumed, from: mindformers,", "memory_eff: {value: 0.28, basis: assumed, from: mindsporex,", `memory_eff.from = "mindsporex": no such training stack`},
		{"not calibrated", "matmul_max: {value: 0.90, basis: assumed, from: mindformers,", "matmul_max: {value: 0.90, basis: assumed, from: cuda-hai-llm,", "want calibrated"},
	} {
		body := strings.Replace(src, tc.old, tc.new, 1)
		if body == src {
			t.Fatalf("%s: replacement did not apply", tc.name)
		}
		_, err := loadFrom(withFile(t, "stacks-training.yaml", body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// A framework name a user gives is checked before TrainingProfile, which
// takes the stack's default for any name it does not know (QA:
// --software megatorn-lm ran cuda-mcore with exit 0): a name no profile
// lists is an *input.Error on field framework naming the known names and
// the closest; a listed name passes with or without its release, and so
// does one only another stack's profiles list (it falls back, saying so).
// TrainingProfile itself keeps the fallback published runs rely on.
func TestCheckTrainingFramework(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range []string{"", "nemo", "nemo 26.04", "Megatron-LM", "megatron-deepspeed", "llm-foundry", "mindformers v1.3.0", "megatron-core 2025-05-24", "mindspeed"} {
		if err := c.CheckTrainingFramework(fw); err != nil {
			t.Errorf("CheckTrainingFramework(%q) = %v, want nil", fw, err)
		}
	}
	for _, tc := range []struct{ fw, suggest string }{
		{"megatorn-lm", "did you mean megatron-lm?"},
		{"nemmo 25.09", "did you mean nemo"},
		{"primus", ""},
	} {
		err := c.CheckTrainingFramework(tc.fw)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != "framework" || ie.Value != tc.fw || !strings.Contains(ie.Want, "megatron-bridge, megatron-core") ||
			!strings.Contains(ie.Want, tc.suggest) {
			t.Errorf("CheckTrainingFramework(%q) = %v, want a framework error naming the known names and %q", tc.fw, err, tc.suggest)
		}
	}
	// Published runs name software freely: the fallback stays.
	p, why, err := c.TrainingProfile("cuda", "primus 25.9")
	if err != nil || p.ID != "cuda-mcore" || !strings.Contains(why, `framework "primus 25.9" has no profile of its own`) {
		t.Errorf("TrainingProfile(cuda, primus 25.9) = %s, %q, %v; want the cuda default, saying so", p.ID, why, err)
	}
}

// TrainingProfileOn refuses a profile of another hardware stack (QA:
// --stack cann-mindspeed on an H100 ran Ascend's profile and cited
// NVIDIA's score), naming the chip's stack's profiles; an unknown id is
// a not-found error, as TrainingProfileByID's.
func TestTrainingProfileOn(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.TrainingProfileOn("cuda-fsdp", "cuda", "h100-sxm"); err != nil || p.ID != "cuda-fsdp" {
		t.Errorf("cuda-fsdp on cuda: %s, %v", p.ID, err)
	}
	_, err = c.TrainingProfileOn("cann-mindspeed", "cuda", "h100-sxm")
	if err == nil || errors.Is(err, ErrNotFound) ||
		err.Error() != "training stack cann-mindspeed runs on cann, not on h100-sxm's cuda: want one of cuda-fsdp, cuda-hai-llm, cuda-mcore, cuda-megatron, cuda-megatron-deepspeed" {
		t.Errorf("cann-mindspeed on cuda: %v", err)
	}
	if _, err := c.TrainingProfileOn("cuda-mcore", "cann", "ascend-910b"); err == nil || !strings.HasSuffix(err.Error(), "want one of cann-mindspeed, mindformers") {
		t.Errorf("cuda-mcore on cann: %v", err)
	}
	if _, err := c.TrainingProfileOn("nope", "cuda", "h100-sxm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}
