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
