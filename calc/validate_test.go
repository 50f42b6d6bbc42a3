package calc

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/runs"
)

func runsFile(t *testing.T, path string) RunsFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	return RunsFile{Name: path, Data: b}
}

// TestValidate: two files are two sections; merged, their results are
// the sections' in order under one summary of them all.
func TestValidate(t *testing.T) {
	a, b := runsFile(t, "runs/testdata/published-runs.yaml"), runsFile(t, "runs/testdata/published-runs-ascend.yaml")
	v, err := Validate(testCatalog(t), ValidateRequest{Files: []RunsFile{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Sections) != 2 || v.Sections[0].File != a.Name || v.Sections[1].File != b.Name || len(v.Explained) != 2 {
		t.Fatalf("%d sections, %d explained lists; want one of each per file", len(v.Sections), len(v.Explained))
	}
	n0, n1 := len(v.Sections[0].Report.Results), len(v.Sections[1].Report.Results)
	m := v.Merged()
	if len(m.Results) != n0+n1 || m.Summary.Runs != n0+n1 || m.Results[n0].ID != v.Sections[1].Report.Results[0].ID {
		t.Errorf("merged: %d results, summary of %d runs; want %d + %d in file order", len(m.Results), m.Summary.Runs, n0, n1)
	}
	var text strings.Builder
	if err := v.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if !strings.HasPrefix(out, a.Name+"\n") || !strings.Contains(out, "\n\n"+b.Name+"\n") {
		t.Errorf("several files are not headed by their names:\n%.300s", out)
	}
	for _, x := range m.Explained {
		if x.AllowedLo > x.AllowedTyp || x.AllowedTyp > x.AllowedHi || x.Explained != (x.Measured >= x.AllowedLo && x.Measured <= x.AllowedHi) {
			t.Errorf("explained run %+v: want min ≤ typ ≤ max and explained iff measured within", x)
		}
	}
}

// TestValidateFreeOnChip: with --free the best measured per chip is
// looked for across every file given. Narayanan et al. 2021's GPT-3 175B
// on A100 (Table 2) ran 106.69 tokens/s per GPU on 384 GPUs and 98.33 on
// 1,536; given as two files, the 1,536-GPU run's searched best is set
// against the 384-GPU run's measurement, and the 384-GPU run against its
// own. Only the second file's summary then has a best measured elsewhere.
func TestValidateFreeOnChip(t *testing.T) {
	whole, err := os.ReadFile(filepath.Join("..", "runs/testdata/published-runs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := runs.Parse(whole)
	if err != nil {
		t.Fatal(err)
	}
	one := func(id string) RunsFile {
		for _, r := range all.Runs {
			if r.ID == id {
				// The parsed model carries the norm its activation
				// implies, a preset field a file may not state: a file
				// leaves it out, and the parse derives it again.
				r.Model.Norm = ""
				b, err := yaml.Marshal(runs.File{Format: all.Format, Runs: []runs.Run{r}})
				if err != nil {
					t.Fatal(err)
				}
				return RunsFile{Name: id + ".yaml", Data: b}
			}
		}
		t.Fatalf("%s: not in the calibration file", id)
		return RunsFile{}
	}
	const small, large = "megatron2021-t2-ptd-175b-384gpu", "megatron2021-t2-ptd-175b-1536gpu"
	v, err := Validate(testCatalog(t), ValidateRequest{Free: true, Files: []RunsFile{one(small), one(large)}})
	if err != nil {
		t.Fatal(err)
	}
	s, l := v.Sections[0].Report.Results[0], v.Sections[1].Report.Results[0]
	if l.FreePredicted == nil || l.FreeBestAt != small || *l.FreeBest != 106.69 || math.Abs(*l.FreeOverBest-(*l.FreePredicted/106.69-1)) > 1e-12 {
		t.Errorf("1,536 GPUs: best %v at %q, over it %v; want 106.69 at %s", l.FreeBest, l.FreeBestAt, l.FreeOverBest, small)
	}
	if s.FreeBestAt != small || *s.FreeOverBest != *s.FreeError {
		t.Errorf("384 GPUs: best at %q, over it %v; want its own (%v)", s.FreeBestAt, *s.FreeOverBest, *s.FreeError)
	}
	if v.Sections[0].Report.Summary.FreeMaxOverBestAt != "" || v.Sections[1].Report.Summary.FreeMaxOverBestAt != large {
		t.Errorf("summaries' optimism over the best at %q and %q; want none and %s", v.Sections[0].Report.Summary.FreeMaxOverBestAt, v.Sections[1].Report.Summary.FreeMaxOverBestAt, large)
	}
	var text strings.Builder
	if err := v.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if strings.Count(text.String(), "against the best throughput per chip") != 1 {
		t.Errorf("the optimism over the best measured per chip is not printed once:\n%s", text.String())
	}
	var md strings.Builder
	if err := v.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if strings.Count(md.String(), "Against the best throughput per chip") != 1 {
		t.Errorf("the Markdown page does not give the optimism over the best measured per chip once:\n%s", md.String())
	}
}

// TestValidateErrors: a bad date names stack_date, no file names files,
// a malformed file is named in its error.
func TestValidateErrors(t *testing.T) {
	cat := testCatalog(t)
	good := runsFile(t, "runs/testdata/published-runs.yaml")
	for _, c := range []struct {
		req   ValidateRequest
		field string
	}{
		{ValidateRequest{StackDate: "2025-13-01", Files: []RunsFile{good}}, "stack_date"},
		{ValidateRequest{}, "files"},
	} {
		_, err := Validate(cat, c.req)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%+v: %v, want an input error naming %s", c.req.StackDate, err, c.field)
		}
	}
	_, err := Validate(cat, ValidateRequest{Files: []RunsFile{good, {Name: "bad.yaml", Data: []byte("format: nope\n")}}})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml: ") {
		t.Errorf("malformed file: %v, want an error naming bad.yaml", err)
	}
}

// TestTrainRunMatchesValidate: `train --file` predicts a published run as
// validate does, plan and throughput, for runs that leave dimensions
// unstated (Megatron 2021's 175B rows state no TP/PP split; NeMo's no
// recompute or ZeRO stage; Megatron-Bridge's Qwen3-235B on H100 no etp),
// and for runs that state chipgap's fields beyond the format (a recipe's
// dispatch and all-to-all overlap, its token drop, its CUDA graph scope:
// router and preprocessing, whole layers or the whole iteration; a fixed
// gate, a window).
func TestTrainRunMatchesValidate(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct{ file, id string }{
		{"runs/testdata/published-runs.yaml", "megatron2021-t2-ptd-175b-384gpu"},
		{"validation/holdout-runs.yaml", "nemo2407-llama3-70b-64xh100-fp8"},
		{"validation/holdout-mbridge-moe.yaml", "mbridge2511-qwen3-235b-a22b-256xh100-fp8"},
		{"validation/holdout-mbridge-2026.yaml", "mbridge260401-deepseekv3-256xb200-mxfp8"},
		{"validation/holdout-mbridge-moe-2509.yaml", "mbridge2509-qwen3-235b-a22b-64xgb200-fp8"},
		{"validation/holdout-mbridge-moe-2509.yaml", "mbridge2509-qwen3-30b-a3b-8xb200-fp8"},
		{"validation/holdout-mbridge-2026.yaml", "mbridge2602-qwen3-30b-a3b-8xb200-mxfp8"},
		{"validation/holdout-mbridge-2026.yaml", "mbridge2606-qwen3-30b-a3b-8xb300-mxfp8"},
		{"validation/holdout-automodel.yaml", "automodel-kimi-k2-256xh100-bf16"},
		{"validation/holdout-modellink-dense.yaml", "modellink-mistral-7b-8x910b-20240802"},
	} {
		f, err := runs.Parse(runsFile(t, c.file).Data)
		if err != nil {
			t.Fatal(err)
		}
		var run runs.Run
		for _, r := range f.Runs {
			if r.ID == c.id {
				run = r
			}
		}
		want := runs.Validate(cat, &runs.File{Format: f.Format, Runs: []runs.Run{run}}).Results[0]
		if want.Predicted == nil {
			t.Fatalf("%s: validate predicted nothing (%s)", c.id, want.Reason)
		}
		s, err := TrainRequest{}.SetupRun(cat, run)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		e, err := Train(s)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if e.PlanText != want.Plan || math.Abs(e.TokensPerSecPerChip / *want.Predicted - 1) > 1e-9 || e.Searched == 0 {
			t.Errorf("%s: train --file %s at %.6g tokens/s (%d plans searched); validate %s at %.6g", c.id, e.PlanText, e.TokensPerSecPerChip, e.Searched, want.Plan, *want.Predicted)
		}
		// the run's measurement beside it, with validate's error
		if m := e.Measured; m == nil || m.TokensPerSecPerChip != run.Measured.Value || m.Error == nil || math.Abs(*m.Error-*want.Error) > 1e-9 {
			t.Errorf("%s: measured %+v; want %g with validate's error %.6g", c.id, m, run.Measured.Value, *want.Error)
		}
	}
}

// The page's "What is calibrated" lists every fitted value with what it
// was fitted on, a dated version's as well (the NeMo 24.03 release's
// attention, MindFormers' tags), named by stack, parameter and version.
func TestCalibratedParamsListVersions(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, err := calibratedParams(cat)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"`cuda-mcore.attention_eff` = 0.625:", "`cuda-mcore.attention_eff` at version 24.03 (2024-03-01) = ", "`mindformers.matmul_max` at version v1.1.0 (2024-05-16) = ",
		"`cuda-fsdp.framework_params.nemo-automodel.attention_eff` = 0.625:"} {
		if !strings.Contains(all, want) {
			t.Errorf("calibrated parameters lack %q", want)
		}
	}
}

// A request stating a MoE graph path replaces the run's own: the 26.02
// Qwen3-30B-A3B row states CUDA graphs over the router and preprocessing
// (moe_graphs), and `train --file --moe-full-iteration` takes the full
// iteration instead of refusing the two together; a request stating none
// keeps the run's.
func TestRequestGraphPathReplacesRun(t *testing.T) {
	cat := testCatalog(t)
	f, err := runs.Parse(runsFile(t, "validation/holdout-mbridge-2026.yaml").Data)
	if err != nil {
		t.Fatal(err)
	}
	var run runs.Run
	for _, r := range f.Runs {
		if r.ID == "mbridge2602-qwen3-30b-a3b-8xb200-mxfp8" {
			run = r
		}
	}
	if run.Training == nil || run.Training.MoEGraphs == nil || !*run.Training.MoEGraphs {
		t.Fatal("the 26.02 Qwen3-30B-A3B row no longer states moe_graphs")
	}
	on := true
	for _, c := range []struct {
		req  TrainRequest
		path string
	}{{TrainRequest{}, "graph-captured"}, {TrainRequest{MoEFullIteration: &on}, "full-iteration"}} {
		s, err := c.req.SetupRun(cat, run)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Train(s)
		if err != nil || e.Result.MoEHostPath != c.path {
			t.Errorf("request %+v: %v, path %q; want %q", c.req, err, e.Result.MoEHostPath, c.path)
		}
	}
}

// A file none of whose runs is predicted says so in its summary line
// rather than print errors of 0 % and an empty worst run. An FP4 run on
// an H100 (no FP4 units) is such a run.
func TestValidateNonePredicted(t *testing.T) {
	f := runsFile(t, "runs/testdata/published-runs.yaml")
	doc := strings.Replace(string(f.Data), "precision: fp16", "precision: fp4", 1)
	var file runs.File
	if err := yaml.Unmarshal([]byte(doc), &file); err != nil {
		t.Fatal(err)
	}
	file.Runs = file.Runs[:1]
	file.Runs[0].System.Chip = "h100-sxm"
	b, err := yaml.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Validate(testCatalog(t), ValidateRequest{Files: []RunsFile{{Name: "one.yaml", Data: b}}})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := v.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if !strings.Contains(out, "1 runs, none predicted") || strings.Contains(out, "mean absolute error") || !strings.Contains(out, "has no fp4 matrix units") {
		t.Errorf("a file with no run predicted:\n%s\nwant its reason and the none-predicted summary", out)
	}
}

// Progress is told each run predicted, over every file's runs: done
// counts 1, 2, ... up to the total, which is the runs of both files.
func TestValidateProgress(t *testing.T) {
	a, b := runsFile(t, "runs/testdata/published-runs-ascend.yaml"), runsFile(t, "runs/testdata/published-runs-ascend.yaml")
	var seen []int
	total := -1
	v, err := Validate(testCatalog(t), ValidateRequest{Files: []RunsFile{a, b}, Progress: func(done, n int) { seen, total = append(seen, done), n }})
	if err != nil {
		t.Fatal(err)
	}
	runs := len(v.Sections[0].Report.Results) + len(v.Sections[1].Report.Results)
	if total != runs || len(seen) != runs || seen[0] != 1 || seen[len(seen)-1] != runs {
		t.Errorf("progress %v of %d; want 1..%d of %d", seen, total, runs, runs)
	}
}
