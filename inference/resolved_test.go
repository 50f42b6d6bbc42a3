package inference

import (
	"reflect"
	"testing"

	"chipgap/hardware"
	"chipgap/units"
)

// TestResolved: a resolved deployment answers as the free functions do,
// and a handoff moves every layer's KV once, unsplit by TP.
func TestResolved(t *testing.T) {
	for _, c := range []struct {
		d    Deployment
		want float64 // handoff bytes per token
		inst int
	}{
		{Deployment{Model: dense(), Cluster: testCluster(16), Parallel: Parallel{TP: 4}, Profile: ideal()}, 2 * 8 * 128 * 32 * 2, 4},
		{Deployment{Model: deepseek(), Cluster: testCluster(64), Parallel: Parallel{TP: 4, EP: 32, AttentionDP: 16}, Precision: hardware.FP8, Profile: ideal()},
			(512 + 64) * 61, 1}, // stage width tp·attention_dp = 64 devices
	} {
		c.d.Cluster.Chip.HBM.Capacity = hardware.Fixed(1000 * units.GB)
		r, err := Resolve(c.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(r.HandoffBytesPerToken()); got != c.want {
			t.Errorf("%s: HandoffBytesPerToken = %g, want %g", c.d.Model.Name, got, c.want)
		}
		if r.Instances() != c.inst || r.ChipsPerInstance() != float64(c.d.Cluster.Chips/c.inst) {
			t.Errorf("%s: %d instances of %g chips, want %d of %d", c.d.Model.Name, r.Instances(), r.ChipsPerInstance(), c.inst, c.d.Cluster.Chips/c.inst)
		}
		kv, err := KVCapacity(c.d)
		rkv, rerr := r.KV()
		if !reflect.DeepEqual(kv, rkv) || err != rerr {
			t.Errorf("%s: KV %+v, %v; resolved %+v, %v", c.d.Model.Name, kv, err, rkv, rerr)
		}
		b := Batch{Decode: []int{100, 2000}, Prefill: []Chunk{{Tokens: 512, Cached: 64}}}
		st, err := StepTime(c.d, b)
		rst, rerr := r.StepTime(b)
		if !reflect.DeepEqual(st, rst) || err != nil || rerr != nil {
			t.Errorf("%s: StepTime %+v, %v; resolved %+v, %v", c.d.Model.Name, st, err, rst, rerr)
		}
	}
}
