package inference

import (
	"testing"

	"chipgap/hardware"
	"chipgap/units"
)

// benchDeployment is DeepSeek-V3 decode over a 320-device supernode.
func benchDeployment() Deployment {
	c := testCluster(320)
	c.ChipsPerNode = 384
	p := ideal()
	p.CommOverlap, p.StepOverhead, p.LayerOverhead = 0.7, 3e-3, 6e-6
	return Deployment{Model: deepseek(), Cluster: c, Parallel: Parallel{EP: 320}, Precision: hardware.FP8,
		Profile: p, Speculative: Speculative{Tokens: 1, Acceptance: 0.7}}
}

// One estimate: a step of 15,360 decoding sequences.
func BenchmarkStepTime(b *testing.B) {
	d := benchDeployment()
	ctx := make([]int, 15360)
	for i := range ctx {
		ctx[i] = 4096 + i%256
	}
	batch := Batch{Decode: ctx}
	for b.Loop() {
		if _, err := StepTime(d, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// A full curve (doubling grid to the KV limit).
func BenchmarkCurve(b *testing.B) {
	d := benchDeployment()
	w := Workload{Input: 4096, Output: 256}
	for b.Loop() {
		if _, err := Curve(d, Decode, w, SLO{TPOT: 50 * units.Seconds(1e-3)}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// The best operating point under a TPOT target (bisection + grid).
func BenchmarkBest(b *testing.B) {
	d := benchDeployment()
	w := Workload{Input: 4096, Output: 256}
	for b.Loop() {
		if _, err := Best(d, Decode, w, SLO{TPOT: 50 * units.Seconds(1e-3)}); err != nil {
			b.Fatal(err)
		}
	}
}
