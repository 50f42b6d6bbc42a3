package web

import (
	"strings"
	"testing"
)

// The API refuses what the CLI refuses (QA: each answered 200 as if the
// field were absent, or ran on the default stack): top on the one-plan
// estimate, batch on the curve, batches on the one-point estimate, an
// unknown framework, a training stack of another platform, and a stack
// beside a framework: 400s naming the field.
func TestAPIRefusesIgnoredAndUnknownFields(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	train := `"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","plan":{"tp":1,"pp":1},"ranges":false`
	infer := `"chip":"h100-sxm","chips":1,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10}`
	for _, c := range []struct {
		path, body, field, want string
	}{
		{"/api/train/estimate", `{` + train + `,"top":5}`, "top", "POST /api/train/search"},
		{"/api/train/estimate", `{` + train + `,"framework":"megatorn-lm"}`, "framework", "did you mean megatron-lm?"},
		{"/api/train/estimate", `{` + train + `,"framework":"megatorn"}`, "framework", "did you mean megatron-lm, megatron-core?"},
		{"/api/train/estimate", `{` + train + `,"stack":"cann-mindspeed"}`, "stack", "want one of cuda-fsdp"},
		{"/api/train/estimate", `{` + train + `,"stack":"cuda-fsdp","framework":"nemo"}`, "stack", "give one of them"},
		{"/api/infer/curve", `{` + infer + `,"batch":16}`, "batch", "POST /api/infer/estimate"},
		{"/api/infer/estimate", `{` + infer + `,"batches":[1,2,4]}`, "batches", "POST /api/infer/curve"},
		{"/api/infer/curve", `{` + infer + `,"framework":"vlm"}`, "framework", "did you mean vllm"},
	} {
		var e struct {
			Error string `json:"error"`
			Field string `json:"field"`
		}
		if st := do(t, "POST", srv.URL+c.path, c.body, &e); st != 400 || e.Field != c.field || !strings.Contains(e.Error, c.want) {
			t.Errorf("POST %s %s: %d %+v; want 400 on %s saying %q", c.path, c.body, st, e, c.field, c.want)
		}
	}
	for _, c := range []struct{ path, body string }{
		{"/api/train/search", `{` + train + `,"top":5}`},
		{"/api/infer/estimate", `{` + infer + `,"batch":16,"framework":"vllm 0.11.0"}`},
		{"/api/infer/curve", `{` + infer + `,"batches":[1,2,4]}`},
	} {
		if st := do(t, "POST", srv.URL+c.path, c.body, nil); st != 200 {
			t.Errorf("POST %s %s: %d, want 200", c.path, c.body, st)
		}
	}
}
