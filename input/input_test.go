package input

import (
	"errors"
	"fmt"
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
