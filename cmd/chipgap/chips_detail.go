package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
)

// detailLine is one printed field of chipgap chips ID.
type detailLine struct{ name, value, prov string }

func line[T ~float64](name string, v hardware.Value[T], scale float64, unit string) detailLine {
	if !v.Known() {
		return detailLine{name, "–", ""}
	}
	return detailLine{name, rangeStr(v, scale) + " " + unit, provenance(v)}
}

func chipLines(c *hardware.Chip) []detailLine {
	ls := []detailLine{
		{"name", c.Name, ""}, {"vendor", c.Vendor, ""}, {"architecture", c.Architecture, ""},
		{"launch year", fmt.Sprint(c.LaunchYear), ""},
		{"process", c.Process.Node + " — " + c.Process.Foundry, srcList(c.Process.Sources)},
		{"compute dies", fmt.Sprint(c.Dies), ""},
		line("die area", c.DieArea, 1, "mm² per die"),
		{"devices per chip", fmt.Sprint(c.DevicesPerChip), ""},
	}
	for _, p := range hardware.Precisions() {
		if v, ok := c.PeakFor(p); ok {
			unit := "TFLOP/s"
			if p == hardware.INT8 {
				unit = "TOPS"
			}
			ls = append(ls, line("peak "+string(p)+" (dense)", v, 1e12, unit))
		}
	}
	ls = append(ls,
		detailLine{"memory type", c.HBM.Type, ""},
		line("memory capacity", c.HBM.Capacity, 1e9, "GB"),
		line("memory bandwidth", c.HBM.Bandwidth, 1e12, "TB/s"),
		line("memory stacks", c.HBM.Stacks, 1, ""),
		line("on-chip SRAM", c.SRAM, 1e6, "MB"),
		line("TDP", c.TDP, 1, "W"),
		detailLine{"scale-up", c.ScaleUp.Tech + " (network " + c.ScaleUp.Network + ")", ""},
		line("scale-up bandwidth", c.ScaleUp.Bandwidth, 1e9, "GB/s bidirectional aggregate"),
		line("scale-up domain", c.ScaleUp.DomainSize, 1, "chips"),
		detailLine{"scale-out", "network " + c.ScaleOut.Network, ""},
		line("scale-out NIC", c.ScaleOut.Bandwidth, 1e9/8, "Gbit/s each way"),
		detailLine{"chips per node", fmt.Sprint(c.ChipsPerNode), ""},
		line("price", c.Price, 1e3, "k$ per chip"),
		line("rental", c.Rental, 1, "$/chip-hour"),
		detailLine{"software stack", c.Stack, ""},
	)
	return ls
}

func srcList(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return "[" + strings.Join(keys, ", ") + "]"
}

func chipDetail(w io.Writer, c *hardware.Chip, srcs []*hardware.Source) error {
	fmt.Fprintf(w, "%s\n", c.ID)
	for _, l := range chipLines(c) {
		if l.value == "" {
			continue
		}
		fmt.Fprintf(w, "  %-20s %s\n", l.name, l.value)
		if l.prov != "" {
			fmt.Fprintf(w, "  %-20s   %s\n", "", l.prov)
		}
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintln(w, "\nSources:")
	for _, s := range srcs {
		fmt.Fprintf(w, "  %-22s %s\n  %-22s %s\n", s.Key, s.Title, "", s.URL)
	}
	_, err := fmt.Fprintln(w, "\nRanges are [min–max] across sources; derived = computed from sourced inputs; ASSUMED = not published.")
	return err
}

// chipSources resolves every source key the chip cites, sorted by key.
func chipSources(cat *catalog.Catalog, c *hardware.Chip) []*hardware.Source {
	keys := slices.Clone(c.Process.Sources)
	add := func(k []string) { keys = append(keys, k...) }
	for _, v := range c.Peak {
		add(v.Sources)
	}
	for _, k := range [][]string{c.DieArea.Sources, c.HBM.Capacity.Sources, c.HBM.Bandwidth.Sources, c.HBM.Stacks.Sources,
		c.SRAM.Sources, c.TDP.Sources, c.ScaleUp.Bandwidth.Sources, c.ScaleUp.DomainSize.Sources,
		c.ScaleOut.Bandwidth.Sources, c.Price.Sources, c.Rental.Sources} {
		add(k)
	}
	slices.Sort(keys)
	var out []*hardware.Source
	for _, k := range slices.Compact(keys) {
		if s, err := cat.Source(k); err == nil {
			out = append(out, s)
		}
	}
	return out
}
