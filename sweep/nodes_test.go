package sweep

import (
	"context"
	"strings"
	"testing"
)

// TestTrainingWholeNodes: a training cell's chips fill whole nodes, as
// chipgap train and run build them. Worked by hand:
//   - h100-sxm (usual node 8) at 12 chips: no node stated, so the largest
//     divisor of 12 up to 8: nodes of 6 (before: 8, one and a half
//     servers); at 16: nodes of 8.
//   - a what-if stating chips_per_node 8 at 12 chips: 12 = 1 node of 8
//     with 4 over, refused with the commands' message, whose default is
//     that divisor 6; at 16 (2 nodes of 8) it runs in nodes of 8.
//   - a serving cell is a fleet of instances that divide it, each in
//     the chip's node capped to the instance (an instance may be part
//     of a server): 12 chips run instances of n (a divisor of 12) in
//     nodes of min(8, n).
func TestTrainingWholeNodes(t *testing.T) {
	g := parse(t, `format: chipgap-sweep/v1
chips: [h100-sxm]
what_if:
  - {label: h100-8, base: h100-sxm, chips_per_node: 8}
sizes: [12, 16]
models: [llama3.1-8b]
precisions: [bf16]
training: {tokens: 1e11, seq: 4096, global_batch: 48}
serving:
  slos: [{tpot: 50ms}]
`)
	rows, err := Run(context.Background(), g, g.Cells(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		target, chip string
		size         int64
	}
	got := map[key]Row{}
	for _, r := range rows {
		got[key{r.Target, r.Chip, r.Chips}] = r
	}
	for _, c := range []struct {
		k    key
		node int64
		err  string
	}{
		{key{TargetTraining, "h100-sxm", 12}, 6, ""},
		{key{TargetTraining, "h100-sxm", 16}, 8, ""},
		{key{TargetTraining, "h100-8", 12}, 8, "chips_per_node = 8: want a divisor of the job's 12 chips: they fill whole nodes (1 node of 8, 4 left over; leave it out for nodes of 6"},
		{key{TargetTraining, "h100-8", 16}, 8, ""},
		{key{TargetServing, "h100-sxm", 12}, -1, ""},
	} {
		r, ok := got[c.k]
		switch {
		case !ok:
			t.Errorf("%v: no row", c.k)
		case c.err == "" && r.Error != "":
			t.Errorf("%v: error %q", c.k, r.Error)
		case c.err != "" && !strings.Contains(r.Error, c.err):
			t.Errorf("%v: error %q, want it to contain %q", c.k, r.Error, c.err)
		case c.node < 0 && (r.InstanceChips == nil || 12%*r.InstanceChips != 0 || r.ChipsPerNode != min(8, *r.InstanceChips)):
			t.Errorf("%v: instances of %v chips in nodes of %d, want a divisor of 12 in nodes of at most 8", c.k, r.InstanceChips, r.ChipsPerNode)
		case c.node > 0 && r.ChipsPerNode != c.node:
			t.Errorf("%v: chips_per_node %d, want %d", c.k, r.ChipsPerNode, c.node)
		case c.err == "" && c.k.target == TargetTraining && r.TokensPerS == nil:
			t.Errorf("%v: no tokens/s", c.k)
		}
	}
}
