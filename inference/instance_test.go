package inference

import (
	"errors"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// An instance larger than the deployment is refused on the stated degree
// that alone stands in the way, else the largest of those that could
// each be lowered, else the largest stated, with the instance's devices
// and what each could be lowered to.
func TestInstanceTooLargeNamesTheDegree(t *testing.T) {
	for _, c := range []struct {
		moe     bool
		devices int
		p       Parallel
		field   string
		value   int
		want    string
	}{
		{false, 1, Parallel{TP: 4}, "parallel.tp", 4, "tp 4 × pp 1 = 4 devices per instance, more than the deployment's 1: want tp at most 1"},
		{false, 2, Parallel{PP: 4}, "parallel.pp", 4, "tp 1 × pp 4 = 4 devices per instance, more than the deployment's 2: want pp at most 2"},
		{false, 2, Parallel{TP: 2, PP: 2}, "parallel.tp", 2, "tp 2 × pp 2 = 4 devices per instance, more than the deployment's 2: want tp at most 1, or pp at most 1"},
		{false, 2, Parallel{TP: 2, PP: 4}, "parallel.pp", 4, "want pp at most 1"},
		{false, 1, Parallel{TP: 2, PP: 2}, "parallel.tp", 2, "= 4 devices per instance, more than the deployment's 1, and no one stated degree lowered alone makes it fit"},
		{false, 2, Parallel{TP: 1, AttentionDP: 4}, "parallel.attention_dp", 4, "tp 1 × attention_dp 4 × pp 1 = 4 devices per instance, more than the deployment's 2: want attention_dp at most 2"},
		{true, 8, Parallel{EP: 16}, "parallel.ep", 16, "max(tp 1, ep 16) × pp 1 = 16 devices per instance, more than the deployment's 8: want ep at most 8"},
		// A stage is max(tp, ep) wide: tp 4 beside ep 2 fits 4 devices.
		{true, 4, Parallel{TP: 8, EP: 2}, "parallel.tp", 8, "max(tp 8, ep 2) × pp 1 = 8 devices per instance, more than the deployment's 4: want tp at most 4"},
	} {
		d := Deployment{Model: dense(), Cluster: testCluster(c.devices), Parallel: c.p, Precision: hardware.BF16, Profile: ideal()}
		if c.moe {
			d.Model, d.Precision = deepseek(), hardware.FP8
			d.Cluster.Chip.HBM.Capacity = hardware.Fixed(400 * units.GB)
		}
		_, err := KVCapacity(d)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Value != c.value || !strings.Contains(fe.Want, c.want) || !errors.Is(err, ErrInstanceTooLarge) {
			t.Errorf("%+v on %d devices: %v; want %s = %d: …%s", c.p, c.devices, err, c.field, c.value, c.want)
		}
	}
}
