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

// Weights that leave a device no room for a KV cache are refused on the
// degree to raise: of those that raised alone (the others kept) to a
// divisor of the deployment's devices would make them fit, the largest
// (parallel.Blame), with the least such value of each. Worked by hand on dense() in BF16 (2 bytes a
// parameter) on 5 GB devices: its 32 layers hold L = 32 × (attention
// 2·4096² + 2·4096·1024 = 41.9M, MLP 3·4096·14336 = 176.2M) = 6.98B
// parameters, embedding and head 128256 × 4096 = 0.525B each; a device
// holds (L + 2·0.525B)/tp with one stage, (L/pp + 0.525B)/tp with more
// (the head's stage is the busiest).
func TestWeightsRefusalNamesTheDegree(t *testing.T) {
	for _, c := range []struct {
		moe     bool
		devices int
		p       Parallel
		field   string
		value   int
		want    string
	}{
		// tp 2: 16.06 GB/2 = 8.03 GB; tp 4 4.02 GB (tp 3, 5.35 GB, neither
		// fits nor divides the 8 devices); pp 2
		// (3.49B + 0.525B)/2 × 2 B = 4.02 GB. Both fix: tp 2 is the larger.
		{false, 8, Parallel{TP: 2}, "parallel.tp", 2, "(tp 2, pp 1, ep 1): want tp at least 4, or pp at least 2"},
		// pp 2 alone: (3.49B + 0.525B) × 2 B = 8.03 GB; tp 2 halves it to
		// 4.02 GB; pp 3 (2.33B + 0.525B) × 2 B = 5.70 GB, pp 4 4.54 GB.
		// pp 2 is the larger of the two that fix.
		{false, 8, Parallel{PP: 2}, "parallel.pp", 2, "(tp 1, pp 2, ep 1): want tp at least 2, or pp at least 4"},
		// On 6 devices the least that fit, tp 4 (4.02 GB) and pp 4
		// (4.54 GB), do not divide them: the next divisor, 6, for both
		// (tp 6 2.68 GB; pp 6 (1.16B + 0.525B) × 2 B = 3.38 GB); tp 1 and
		// pp 1 tie, tp first.
		{false, 6, Parallel{TP: 1}, "parallel.tp", 1, "(tp 1, pp 1, ep 1): want tp at least 6, or pp at least 6 (each the least divisor of the deployment's 6 devices that fits)"},
		// On 2 devices no divisor lies above tp 2, and pp 2 needs 4
		// devices: the largest degree, and more chips.
		{false, 2, Parallel{TP: 2}, "parallel.tp", 2, "no one degree raised alone makes them fit on the deployment's devices (2): want more chips or a narrower precision"},
		// deepseek() in FP8 (1 byte a parameter) on 200 GB devices: the
		// routed experts 256 × 58 layers × 3·7168·2048 = 653.9B over ep,
		// split further over etp = max(tp, ep)/ep; the rest (MLA
		// attention 61 × 187M, 3 dense MLPs 3 × 396M, 58 shared experts
		// 58 × 44M, embedding and head 2 × 0.93B) 17.0B over tp. ep 2:
		// 327 + 17 = 344 GB; ep 3 218 + 17 = 235 GB; ep 4 163 + 17 = 180
		// GB fits. tp 2 (etp 1): 327 + 8.5; tp 3 does not divide the
		// stage; tp 4 (etp 2): 163 + 4.3 fits. pp 2: about half, 172 GB.
		// ep 2 is the largest that fixes.
		{true, 16, Parallel{EP: 2}, "parallel.ep", 2, "(tp 1, pp 1, ep 2): want tp at least 4, or ep at least 4, or pp at least 2"},
		// A stated dp does not block the advice (review: tp 8 × dp 2 on
		// 16 devices said "no one degree raised alone"): tp 2 × dp 4 on
		// 8 devices as the first case, but tp 4 or pp 2 takes 4 devices
		// an instance, 2 instances at most.
		{false, 8, Parallel{TP: 2, DP: 4}, "parallel.tp", 2, "(tp 2, pp 1, ep 1): want tp at least 4 with dp at most 2, or pp at least 2 with dp at most 2"},
		// tp 2 × dp 2 on 4 devices: tp 4 or pp 2 fill them: dp 1.
		{false, 4, Parallel{TP: 2, DP: 2}, "parallel.tp", 2, "want tp at least 4 with dp 1, or pp at least 2 with dp 1"},
		// dp 2 where the fix leaves room for 2: dp may stay.
		{false, 16, Parallel{TP: 2, DP: 2}, "parallel.tp", 2, "want tp at least 4, or pp at least 2 ("},
	} {
		d := Deployment{Model: dense(), Cluster: testCluster(c.devices), Parallel: c.p, Precision: hardware.BF16, Profile: ideal()}
		d.Cluster.Chip.HBM.Capacity = hardware.Fixed(5 * units.GB)
		if c.moe {
			d.Model, d.Precision = deepseek(), hardware.FP8
			d.Cluster.Chip.HBM.Capacity = hardware.Fixed(200 * units.GB)
		}
		_, err := KVCapacity(d)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Value != c.value || !strings.Contains(fe.Want, c.want) || !errors.Is(err, ErrDoesNotFit) {
			t.Errorf("%+v on %d devices: %v; want %s = %d: …%s", c.p, c.devices, err, c.field, c.value, c.want)
		}
	}
}

// A stage whose degrees do not divide its width (tp and ep that do not
// divide each other, an ep that does not divide tp × attention_dp) is
// refused on one of them, the largest (any one alone could mend it),
// never on "parallel".
func TestUndividedStageNamesTheDegree(t *testing.T) {
	for _, c := range []struct {
		p     Parallel
		field string
		value int
		want  string
	}{
		{Parallel{TP: 4, EP: 6}, "parallel.ep", 6, "tp 4 and ep 6 do not divide each other"},
		{Parallel{TP: 8, EP: 6}, "parallel.tp", 8, "tp 8 and ep 6 do not divide each other"},
		{Parallel{TP: 2, AttentionDP: 3, EP: 4}, "parallel.ep", 4, "ep 4 does not divide tp × attention_dp = 2 × 3 = 6"},
		{Parallel{TP: 5, AttentionDP: 2, EP: 4}, "parallel.tp", 5, "ep 4 does not divide tp × attention_dp = 5 × 2 = 10"},
	} {
		d := Deployment{Model: deepseek(), Cluster: testCluster(40), Parallel: c.p, Precision: hardware.FP8, Profile: ideal()}
		d.Cluster.Chip.HBM.Capacity = hardware.Fixed(400 * units.GB)
		_, err := KVCapacity(d)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Value != c.value || !strings.Contains(fe.Want, c.want) {
			t.Errorf("%+v: %v; want %s = %d: …%s", c.p, err, c.field, c.value, c.want)
		}
	}
}
