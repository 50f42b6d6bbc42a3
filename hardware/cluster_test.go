package hardware

import "testing"

// A package of two devices is, to collectives, a node of twice the
// devices, each with half the package's links.
func TestPerDevice(t *testing.T) {
	c := Cluster{Chips: 4, ChipsPerNode: 2, ScaleUp: Tier{Bandwidth: 392e9, Size: 2}, ScaleOut: Tier{Bandwidth: 50e9}}
	d := c.PerDevice(2)
	if d.Chips != 8 || d.ChipsPerNode != 4 || d.ScaleUp.Bandwidth != 196e9 || d.ScaleOut.Bandwidth != 25e9 {
		t.Errorf("PerDevice(2) = %+v, want 8 devices, 4 a node, 196 GB/s up and 25 GB/s out", d)
	}
	if c.PerDevice(1) != c {
		t.Errorf("PerDevice(1) changed the cluster")
	}
}
