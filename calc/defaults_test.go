package calc

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"chipgap/training"
)

// TestTrainDefaultsAreRuns: chipgap train and chipgap run (and their
// endpoints and forms) give an absent sequence length, global batch and
// precision one value: the same flags make the same training job in
// both commands.
func TestTrainDefaultsAreRuns(t *testing.T) {
	cat := testCatalog(t)
	ts, err := TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Tokens: 1e12}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	tj, rj := ts.Job, rs.req
	if tj.Seq != rj.Seq || tj.GlobalBatch != rj.GlobalBatch || string(tj.Precision) != rj.Precision {
		t.Errorf("train's absent fields: seq %d, global batch %d, %s; run's: seq %d, global batch %d, %s",
			tj.Seq, tj.GlobalBatch, tj.Precision, rj.Seq, rj.GlobalBatch, rj.Precision)
	}
	td, rd := TrainDefaults(), RunDefaults()
	for _, k := range []string{"seq", "global_batch", "precision"} {
		if td[k] != rd[k] {
			t.Errorf("described default %s: train %v, run %v", k, td[k], rd[k])
		}
	}
	// The flags' help states the same default (a tag cannot name the
	// constant).
	for _, typ := range []reflect.Type{reflect.TypeFor[TrainRequest](), reflect.TypeFor[RunRequest]()} {
		for name, v := range map[string]int{"Seq": training.DefaultSeq, "GlobalBatch": training.DefaultGlobalBatch} {
			f, _ := typ.FieldByName(name)
			if h := f.Tag.Get("help"); !strings.Contains(h, fmt.Sprintf("default %d", v)) {
				t.Errorf("%s.%s help %q: want its default, %d", typ.Name(), name, h, v)
			}
		}
	}
}

// TestRunJSONJob: run --json says which training job it estimated (seq
// and global batch, given or defaulted) on what scale-up domain
// (chips_per_node), on each side of a comparison.
func TestRunJSONJob(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, ChipsPerNode: 4, Tokens: 1e11, MFU: 0.4, Seeds: 2,
		Seq: 4096, VS: "ascend-910b", VSMFU: 0.3}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var sides map[string]json.RawMessage
	if err := json.Unmarshal(b, &sides); err != nil {
		t.Fatal(err)
	}
	for side, want := range map[string][3]int{"a": {4, 4096, training.DefaultGlobalBatch}, "b": {8, 4096, training.DefaultGlobalBatch}} {
		var g struct {
			ChipsPerNode *int `json:"chips_per_node"`
			Seq          *int `json:"seq"`
			GlobalBatch  *int `json:"global_batch"`
		}
		if err := json.Unmarshal(sides[side], &g); err != nil {
			t.Fatalf("%s: %v", side, err)
		}
		if g.ChipsPerNode == nil || g.Seq == nil || g.GlobalBatch == nil {
			t.Errorf("%s: chips_per_node, seq or global_batch missing from %s", side, b)
			continue
		}
		if have := [3]int{*g.ChipsPerNode, *g.Seq, *g.GlobalBatch}; have != want {
			t.Errorf("%s: chips_per_node, seq, global_batch = %v, want %v", side, have, want)
		}
	}
}

// TestTrainHeaderMarksDefaults: train's header marks the seq and global
// batch the request left out, as run's does.
func TestTrainHeaderMarksDefaults(t *testing.T) {
	cat := testCatalog(t)
	for _, tc := range []struct {
		req  TrainRequest
		want string
	}{
		{TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64}, "seq 8192 (default), global batch 2048 (default), bf16\n"},
		{TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Seq: 4096}, "seq 4096, global batch 2048 (default), bf16\n"},
		{TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, GlobalBatch: 512, Seq: 8192}, "seq 8192, global batch 512, bf16\n"},
	} {
		s, err := tc.req.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		s.Header().writeText(&b)
		if first, _, _ := strings.Cut(b.String(), "\n"); !strings.HasSuffix(first+"\n", tc.want) {
			t.Errorf("seq %d, global batch %d: header %q, want it to end %q", tc.req.Seq, tc.req.GlobalBatch, first, tc.want)
		}
	}
}
