package hardware

import "slices"

// SourceKeys lists every source key the chip cites, in field order, with
// repeats.
func (c *Chip) SourceKeys() []string {
	keys := slices.Clone(c.Process.Sources)
	for _, p := range Precisions() {
		keys = append(keys, c.Peak[p].Sources...)
	}
	for _, v := range [][]string{
		c.DieArea.Sources, c.HBM.Capacity.Sources, c.HBM.Bandwidth.Sources, c.HBM.Stacks.Sources,
		c.SRAM.Sources, c.TDP.Sources, c.ScaleUp.Bandwidth.Sources, c.ScaleUp.DomainSize.Sources,
		c.ScaleUp.Latency.Sources, c.ScaleOut.Bandwidth.Sources, c.Price.Sources, c.Rental.Sources,
	} {
		keys = append(keys, v...)
	}
	return keys
}
