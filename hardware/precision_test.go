package hardware

import "testing"

// TestParsePrecisionOf: the refusal lists only the precisions the use
// takes (train's four, not fp32 or int8), and a name that differs only in
// case is refused, as every enum flag is, with the spelling meant.
func TestParsePrecisionOf(t *testing.T) {
	train := []Precision{BF16, FP16, FP8, FP4}
	if p, err := ParsePrecisionOf("fp8", train...); p != FP8 || err != nil {
		t.Errorf("fp8: %q, %v", p, err)
	}
	for _, c := range []struct{ in, want string }{
		{"int8", "want bf16, fp16, fp8 or fp4"},
		{"fp32", "want bf16, fp16, fp8 or fp4"},
		{"FP8", "want bf16, fp16, fp8 or fp4 (names are lower-case: fp8)"},
		{"nosuch", "want bf16, fp16, fp8 or fp4"},
	} {
		if _, err := ParsePrecisionOf(c.in, train...); err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := ParsePrecision("tf32"); err != nil {
		t.Errorf("tf32 among every precision: %v", err)
	}
	if _, err := ParsePrecision("x"); err == nil || err.Error() != "want fp32, tf32, bf16, fp16, fp8, int8 or fp4" {
		t.Errorf("x: %v", err)
	}
}
