package calc

import (
	"errors"
	"strings"
	"testing"

	"chipgap/input"
)

// One setting given twice with two values is refused, as --batch beside
// --global-batch is: run's comparison cluster sized by vs CHIP:N and by
// vs_chips (QA: --vs ascend-910c:64 --vs-chips 32 ran 64 unseen); the
// same size twice agrees, and vs_chips alone sizes it.
func TestRunVSChipsGivenTwice(t *testing.T) {
	r := RunRequest{VS: "ascend-910c:64", VSChips: 32, Tokens: 1e12}
	err := r.vs()
	var ie *input.Error
	if !errors.As(err, &ie) || ie.Field != "vs_chips" || ie.Value != 32 || !strings.Contains(ie.Want, "give one of them") {
		t.Errorf("vs ascend-910c:64 with vs_chips 32: %v, want a vs_chips error", err)
	}
	for _, r := range []RunRequest{{VS: "ascend-910c:64", VSChips: 64, Tokens: 1e12}, {VS: "ascend-910c", VSChips: 64, Tokens: 1e12}} {
		if err := r.vs(); err != nil || r.VS != "ascend-910c" || r.VSChips != 64 {
			t.Errorf("%+v: %v, want ascend-910c at 64 chips", r, err)
		}
	}
}
