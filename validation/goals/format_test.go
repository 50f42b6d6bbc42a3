package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/runs"
)

// formatAlone predicts a row that states a field beyond the format again
// without it: ModelLink's Mistral 7B at 32K with its script's 4,096-token
// window reads far under at full attention, and a row that states nothing
// keeps its error.
func TestFormatAlone(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../validation/holdout-modellink-dense.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := runs.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var tp []row
	for _, r := range f.Runs {
		if r.ID != "modellink-mistral-7b-8x910b-20240802" && r.ID != "modellink-llama2-7b-8x910b-20241009" {
			continue
		}
		res := runs.Validate(cat, &runs.File{Format: runs.FormatV1, Runs: []runs.Run{r}}).Results[0]
		tp = append(tp, row{id: r.ID, run: r, predicted: true, err: *res.Error, kind: runs.KindTraining})
	}
	if len(tp) != 2 {
		t.Fatalf("%d rows, want the two runs", len(tp))
	}
	for _, r := range tp {
		if r.id == "modellink-mistral-7b-8x910b-20240802" && !(r.err > -0.1 && r.err < 0.1) {
			t.Fatalf("the windowed row reads %+.3f, want within 10 %% with its window", r.err)
		}
	}
	var b bytes.Buffer
	formatAlone(&b, cat, tp)
	out := b.String()
	if !strings.Contains(out, "the 1 rows that state") || !strings.Contains(out, "1 move") || !strings.Contains(out, "worst 32.7 % (modellink-mistral-7b-8x910b-20240802; 1 over") {
		t.Errorf("format alone:\n%s\nwant the one windowed row moved, to about −33 %%", out)
	}
}
