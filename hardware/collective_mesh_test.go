package hardware

import (
	"math"
	"testing"

	"chipgap/units"
)

// On a full mesh of 8 (7 links of 28 GB/s each way, 196 GB/s in all) a
// 4-rank reduce-scatter drives 3 links: (n−1)/n · S / (3 · 28 GB/s); a
// point-to-point transfer one link; the whole node all 7. A switched tier
// of the same bandwidth gives every group the 196 GB/s.
func TestFullMeshGroupsDriveTheirLinks(t *testing.T) {
	mesh := Tier{Bandwidth: 196 * units.GBps, Size: 8, MeshLinks: 7}
	sw := Tier{Bandwidth: 196 * units.GBps, Size: 8}
	s := units.Bytes(1e9)
	if got, want := float64(mesh.ReduceScatter(s, 4)), 0.75*1e9/(3*28e9); math.Abs(got/want-1) > 1e-12 {
		t.Errorf("mesh reduce-scatter over 4 = %g s, want %g", got, want)
	}
	if got, want := float64(mesh.SendRecv(s)), 1e9/28e9; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("mesh send = %g s, want %g", got, want)
	}
	if a, b := mesh.AllToAll(s, 8), sw.AllToAll(s, 8); a != b {
		t.Errorf("all-to-all over the whole mesh %v, switched %v: want equal", a, b)
	}
	if got, want := float64(sw.ReduceScatter(s, 4)), 0.75*1e9/196e9; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("switched reduce-scatter over 4 = %g s, want %g", got, want)
	}
}
