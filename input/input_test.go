package input

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestError(t *testing.T) {
	class := errors.New("class")
	for _, tc := range []struct {
		e    *Error
		want string
	}{
		{Bad("chips", -1, "want ≥ 1"), "chips = -1: want ≥ 1"},
		{&Error{Prefix: "fab: ", Field: "die_area", Value: -5.5, Want: "want > 0"}, "fab: die_area = -5.5: want > 0"},
		{&Error{Prefix: "model.", Field: "layers", Value: 0, Want: "want a positive integer"}, "model.layers = 0: want a positive integer"},
		{&Error{Prefix: "--", Field: "stack", Want: "want one of [cuda]"}, "--stack: want one of [cuda]"},
		{&Error{Field: "training.tokens", Value: "-1", Want: "want > 0", Labelled: true}, "field training.tokens: -1: want > 0"},
		{&Error{Field: "precision", Value: "fp4", Want: "chip x supports bf16", Err: class}, "precision = fp4: chip x supports bf16"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	var e *Error
	err := fmt.Errorf("wrapped: %w", &Error{Field: "precision", Value: "fp4", Err: class})
	if !errors.As(err, &e) || e.Field != "precision" || !errors.Is(err, class) {
		t.Errorf("errors.As/Is through a wrap: %v", err)
	}
}

// A list reads as the user wrote it, comma-separated as a flag takes it,
// not as Go prints a slice.
func TestListValueAsWritten(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{[]int{4, 4, 2}, "stage_layers = 4,4,2: want 10 layers"},
		{[]float64{0.5, 1}, "stage_layers = 0.5,1: want 10 layers"},
		{[]string{"a", "b"}, "stage_layers = a,b: want 10 layers"},
		{7, "stage_layers = 7: want 10 layers"},
		// A long value is quoted to its first 100 characters and its length.
		{strings.Repeat("z", 5000), "stage_layers = " + strings.Repeat("z", 100) + "… (5000 bytes): want 10 layers"},
	} {
		if got := Bad("stage_layers", c.v, "want 10 layers").Error(); got != c.want {
			t.Errorf("%v: %q, want %q", c.v, got, c.want)
		}
	}
}

// A token budget is held to ten years of failure-free compute at the
// cluster's rate by one rule: 1e15 tokens at 1e6 tokens/s is 1e9 s =
// 11,574 days, refused; 3e14 is 3,472 days, kept; a rate of 0 (or NaN
// days) is refused.
func TestTokenBudget(t *testing.T) {
	err := TokenBudget("tokens", "1e15", 1e15, 1e6, "8 × h100-sxm")
	want := "tokens = 1e15: at 1e+06 tokens/s on 8 × h100-sxm that is 1.16e+04 days of failure-free compute; want at most 3650 (ten years)"
	if err == nil || err.Error() != want {
		t.Errorf("1e15 tokens: %v, want %q", err, want)
	}
	if err := TokenBudget("tokens", "3e14", 3e14, 1e6, "c"); err != nil {
		t.Errorf("3e14 tokens (3,472 days): %v, want kept", err)
	}
	if TokenBudget("tokens", 1, 1, 0, "c") == nil || TokenBudget("tokens", 0, 0, 0, "c") == nil {
		t.Error("a rate of 0: kept, want refused (infinite or undefined days)")
	}
}
