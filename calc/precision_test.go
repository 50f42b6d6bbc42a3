package calc

import (
	"errors"
	"testing"

	"chipgap/input"
)

// TestPrecisionListsTheCommands: a refused precision lists what the
// command takes, not every precision the catalog knows (QA: train --precision
// FP8 listed fp32, tf32 and int8, which train then refused; serve-estimate
// ran fp32 though its help lists bf16, fp16, fp8, int8, fp4), and an
// upper-case name is refused, as other enums are, with its spelling.
func TestPrecisionListsTheCommands(t *testing.T) {
	cat := testCatalog(t)
	const train, serve = "want bf16, fp16, fp8 or fp4", "want bf16, fp16, fp8, int8 or fp4"
	check := func(what string, err error, field, want string) {
		t.Helper()
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != field || ie.Want != want {
			t.Errorf("%s: %v, want field %s: %q", what, err, field, want)
		}
	}
	for _, c := range []struct{ prec, want string }{
		{"FP8", train + " (names are lower-case: fp8)"},
		{"int8", train},
		{"fp32", train},
	} {
		_, err := TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, Precision: c.prec}.Setup(cat)
		check("train "+c.prec, err, "precision", c.want)
		_, err = RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 8, Precision: c.prec, Tokens: 1e12}.Setup(cat)
		check("run "+c.prec, err, "precision", c.want)
	}
	for _, c := range []struct{ field, prec, want string }{
		{"precision", "fp32", serve},
		{"precision", "tf32", serve},
		{"precision", "INT8", serve + " (names are lower-case: int8)"},
		{"kv_precision", "fp32", serve},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips = "llama3.1-8b", "h100-sxm", 1
		if c.field == "precision" {
			r.Precision = c.prec
		} else {
			r.KVPrecision = c.prec
		}
		_, err := r.Setup(cat)
		check("serve "+c.field+" "+c.prec, err, c.field, c.want)
	}
	r := NewServeRequest()
	r.Model, r.Chip, r.Chips, r.Precision = "llama3.1-8b", "h100-sxm", 1, "int8"
	if _, err := r.Setup(cat); err != nil {
		t.Errorf("serve int8: %v", err)
	}
}
