package sweep

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestExamplesParse(t *testing.T) {
	files, _ := filepath.Glob("../examples/*sweep*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples/*sweep*.yaml")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse(f, b)
		if err != nil {
			t.Errorf("Parse(%s) = %v", f, err)
			continue
		}
		if g.Count() != len(g.Cells()) || g.Count() == 0 {
			t.Errorf("%s: Count() = %d, len(Cells()) = %d", f, g.Count(), len(g.Cells()))
		}
	}
}

const okGrid = `format: chipgap-sweep/v1
chips: [h100-sxm]
what_if:
  - label: fast
    base: ascend-910c
    tdp: 500W
sizes: [8]
models: [llama3.1-8b]
precisions: [bf16]
serving:
  slos: [{tpot: 50ms}]
`

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown axis", strings.Replace(okGrid, "sizes:", "clusters: [8]\nsizes:", 1),
			"grid.yaml:7: field clusters: unknown axis or setting; allowed here: chips, format,"},
		{"negative what-if", strings.Replace(okGrid, "tdp: 500W", "tdp: -500W", 1),
			"grid.yaml:6: field what_if[0].tdp: -500 W: want a positive finite value"},
		{"negative node", strings.Replace(okGrid, "tdp: 500W", "chips_per_node: -8", 1),
			"grid.yaml:6: field what_if[0].chips_per_node: -8: want a positive finite value"},
		{"unknown what-if field", strings.Replace(okGrid, "tdp: 500W", "hbm: 1GB", 1),
			"grid.yaml:6: field what_if[0].hbm: unknown field; allowed here: base, chips_per_node, hbm_bandwidth, hbm_capacity, label, peak, price, tdp"},
		{"unknown chip", strings.Replace(okGrid, "[h100-sxm]", "[h100]", 1),
			"grid.yaml:2: field chips[0]: h100: unknown chip"},
		{"bad unit", strings.Replace(okGrid, "500W", "500GB", 1), "grid.yaml:6: field what_if[0].tdp:"},
		{"format", strings.Replace(okGrid, "sweep/v1", "sweep/v2", 1), `grid.yaml:1: field format: "chipgap-sweep/v2"`},
		{"no target", strings.Replace(okGrid, "serving:\n  slos: [{tpot: 50ms}]\n", "", 1), "grid.yaml: field training: absent"},
		{"zero size", strings.Replace(okGrid, "[8]", "[0]", 1), "grid.yaml:7: field sizes[0]: 0: want 1 to"},
		{"bad date", okGrid + "training: {stack_dates: [2025-13-01]}\n",
			"grid.yaml:12: field training.stack_dates[0]: 2025-13-01: want a date"},
		{"empty", "", "grid.yaml: empty file"},
		// A stated 0 read as absent, and a what-if changing nothing (QA).
		{"zero what-if", strings.Replace(okGrid, "tdp: 500W", "tdp: 0W", 1), "grid.yaml:6: field what_if[0].tdp: 0: want a positive value"},
		{"empty what-if", strings.Replace(okGrid, "    tdp: 500W\n", "", 1), "grid.yaml:4: field what_if[0]: changes nothing"},
		// An axis listing a value twice would sweep its cells twice (QA).
		{"repeated size", strings.Replace(okGrid, "[8]", "[8, 8]", 1), "grid.yaml:7: field sizes[1]: 8: already on the sizes axis at sizes[0]"},
		// A framework name no chip of the grid takes would quietly be each
		// chip's default stack (QA): a typo, another platform's stack id.
		{"unknown training stack", okGrid + "training: {stacks: [megatorn-lm]}\n",
			"grid.yaml:12: field training.stacks[0]: megatorn-lm: unknown training framework"},
		{"unknown serving stack", strings.Replace(okGrid, "serving:\n", "serving:\n  stacks: [vlm]\n", 1),
			"grid.yaml:11: field serving.stacks[0]: vlm: unknown serving framework"},
		{"no chip's stack", strings.Replace(okGrid, "serving:\n", "serving:\n  stacks: [rocm]\n", 1),
			"grid.yaml:11: field serving.stacks[0]: rocm: stack rocm does not run on h100-sxm"},
		{"negative instance cap", strings.Replace(okGrid, "serving:\n", "serving:\n  max_instance_chips: -8\n", 1),
			"grid.yaml:11: field serving.max_instance_chips: -8: want 1 to 1048576 chips (leave it out for the fleet's size)"},
		{"fractional instance cap", strings.Replace(okGrid, "serving:\n", "serving:\n  max_instance_chips: 8.5\n", 1),
			"grid.yaml:11: field serving.max_instance_chips"},
		// A stated 0 took the default (seq 8192) where -5 was refused (QA).
		{"zero seq", okGrid + "training: {seq: 0}\n", "grid.yaml:12: field training.seq: 0: want 1 to 4194304 tokens (leave it out for the default)"},
		{"zero batch", okGrid + "training: {global_batch: 0}\n", "grid.yaml:12: field training.global_batch: 0: want 1 to 16777216 sequences"},
		{"zero tokens", okGrid + "training: {tokens: 0}\n", "grid.yaml:12: field training.tokens: 0: want a token budget above 0"},
		// Under one optimizer step (2048 × 8192 = 16,777,216 tokens), as
		// run and train refuse it (QA: a sweep ran it).
		{"budget under a step", okGrid + "training: {tokens: 16777215}\n", "grid.yaml:12: field training.tokens: 1.6777215e+07: shorter than one optimizer step of 2048 × 8192 tokens; want at least 1.678e+07 tokens"},
		{"repeated slo", strings.Replace(okGrid, "slos: [{tpot: 50ms}]", "slos: [{tpot: 50ms}, {tpot: 50ms}]", 1), "grid.yaml:11: field serving.slos[1]: already on the serving.slos axis at serving.slos[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("grid.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse = nil error, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse = %q, want one line starting %q", err, tc.want)
			}
		})
	}
}

func TestShards(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/4", Shard{0, 4}, ""}, {"3/4", Shard{3, 4}, ""},
		{"4/4", Shard{}, "shard index 4: want 0 to 3"}, {"-1/4", Shard{}, "shard index -1"},
		{"1/0", Shard{}, "shard count 0"}, {"1", Shard{}, "want INDEX/COUNT"}, {"a/2", Shard{}, "whole number"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		env  func(string) string
		want Shard
		ok   bool
		err  string
	}{
		{env(), All(), false, ""},
		{env(EnvK8sIndex, "2", EnvK8sCount, "4"), Shard{2, 4}, true, ""},
		{env(EnvSlurmIndex, "3", EnvSlurmCount, "4"), Shard{3, 4}, true, ""},
		{env(EnvSlurmIndex, "4", EnvSlurmCount, "4", EnvSlurmOffset, "1"), Shard{3, 4}, true, ""},
		{env(EnvK8sIndex, "4", EnvK8sCount, "4"), Shard{}, false, "JOB_COMPLETION_INDEX 4: want 0 to 3"},
		{env(EnvK8sIndex, "1"), Shard{}, false, "JOB_COMPLETIONS is not"},
	} {
		got, ok, err := ShardFromEnv(tc.env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ShardFromEnv = %v, %v; want error containing %q", got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || ok != tc.ok {
			t.Errorf("ShardFromEnv = %v, %v, %v; want %v, %v", got, ok, err, tc.want, tc.ok)
		}
	}
	var all []Cell
	for i := range 10 {
		all = append(all, Cell{Index: i})
	}
	seen := map[int]int{}
	for i := range 3 {
		for _, c := range (Shard{i, 3}).Of(all) {
			seen[c.Index]++
		}
	}
	if len(seen) != 10 {
		t.Errorf("3 shards of 10 cells cover %d cells, want 10", len(seen))
	}
}

// TestDeployFiles checks the shipped Kubernetes Job tells chipgap its
// shard count and the Slurm script merges after the array.
func TestDeployFiles(t *testing.T) {
	b, err := os.ReadFile("../deploy/kubernetes/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	indexed, merge := false, false
	for {
		var doc struct {
			Kind string
			Spec struct {
				CompletionMode string `yaml:"completionMode"`
				Completions    int
				Template       struct {
					Spec struct {
						Containers []struct {
							Args []string
							Env  []struct{ Name, Value string }
						}
					}
				}
			}
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		for _, c := range doc.Spec.Template.Spec.Containers {
			if doc.Spec.CompletionMode == "Indexed" {
				indexed = len(c.Env) == 1 && c.Env[0].Name == EnvK8sCount && c.Env[0].Value == strconv.Itoa(doc.Spec.Completions) &&
					len(c.Args) > 0 && c.Args[0] == "sweep"
			}
			merge = merge || strings.Join(c.Args[:min(2, len(c.Args))], " ") == "sweep merge"
		}
	}
	if !indexed || !merge {
		t.Errorf("sweep-job.yaml: indexed shard Job with JOB_COMPLETIONS = completions: %v; merge Job: %v", indexed, merge)
	}
	s, err := os.ReadFile("../deploy/slurm/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --array=", "sweep merge", "--dependency=\"afterok:${SLURM_ARRAY_JOB_ID}\""} {
		if !strings.Contains(string(s), want) {
			t.Errorf("sweep.sbatch lacks %q", want)
		}
	}
}

// A grid crossing platforms keeps a framework for the chips it runs on:
// cann takes the what-if 910C, vllm and nemo every chip.
func TestStacksAcrossPlatforms(t *testing.T) {
	for _, src := range []string{
		strings.Replace(okGrid, "serving:\n", "serving:\n  stacks: [cann, vllm]\n", 1),
		okGrid + "training: {stacks: [nemo, \"megatron-bridge 25.09\"]}\n",
	} {
		if _, err := Parse("grid.yaml", []byte(src)); err != nil {
			t.Errorf("Parse = %v, want the grid accepted", err)
		}
	}
}

// A training token budget takes an SI scale ("2T"), as run and train do.
func TestGridTokensTakeAScale(t *testing.T) {
	g, err := Parse("grid.yaml", []byte(okGrid+"training: {tokens: 2T}\n"))
	if err != nil || float64(g.Training.Tokens) != 2e12 {
		t.Errorf("training: {tokens: 2T}: %v; want 2e12", err)
	}
}
