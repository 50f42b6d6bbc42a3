package calc

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"chipgap/hardware"
	"chipgap/units"
)

// WriteText prints the chip table, or one chip's every field with its
// range and sources.
func (v ChipsView) WriteText(w io.Writer) error {
	if v.Detail != nil {
		return v.Detail.WriteText(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVENDOR\tYEAR\tPROCESS\tBF16 TFLOP/s\tHBM GB\tHBM TB/s\tTDP W\tSTACK")
	for _, c := range v.List {
		bf, _ := c.PeakFor(hardware.BF16)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Vendor, c.LaunchYear, shortProcess(c.Process),
			rangeStr(bf, 1e12), rangeStr(c.HBM.Capacity, 1e9), rangeStr(c.HBM.Bandwidth, 1e12), rangeStr(c.TDP, 1), c.Stack)
	}
	return tw.Flush()
}

// shortProcess keeps the node's first words: "TSMC 4N", "SMIC N+2".
func shortProcess(p hardware.Process) string {
	s := p.Node
	if i := strings.IndexAny(s, "(;,"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 18 {
		s = strings.TrimSpace(s[:18]) + "…"
	}
	return s
}

// num prints x with four significant digits and no exponent.
func sig4(x float64) string {
	if math.Abs(x) >= 1e4 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// rangeStr prints typ/scale, with " [min–max]" when sources disagree, or
// "–" for an unknown value.
func rangeStr[T ~float64](v hardware.Value[T], scale float64) string {
	if !v.Known() || v.Typ == 0 {
		return "–"
	}
	s := sig4(float64(v.Typ) / scale)
	if v.Spread() {
		s += " [" + sig4(float64(v.Min)/scale) + "–" + sig4(float64(v.Max)/scale) + "]"
	}
	return s
}

// provenance prints "[a, b]" plus derived/assumed markers and the note.
func provenance[T ~float64](v hardware.Value[T]) string {
	var parts []string
	if len(v.Sources) > 0 {
		parts = append(parts, srcList(v.Sources))
	}
	if v.Derived {
		parts = append(parts, "derived")
	}
	if v.Assumed {
		parts = append(parts, "ASSUMED")
	}
	if v.Note != "" {
		parts = append(parts, "— "+v.Note)
	}
	return strings.Join(parts, " ")
}

func srcList(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return "[" + strings.Join(keys, ", ") + "]"
}

// detailLine is one printed field of a chip's detail.
type detailLine struct{ name, value, prov string }

func chipField[T ~float64](name string, v hardware.Value[T], scale float64, unit string) detailLine {
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
		chipField("die area", c.DieArea, 1, "mm² per die"),
		{"devices per chip", fmt.Sprint(c.DevicesPerChip), ""},
	}
	for _, p := range hardware.Precisions() {
		if v, ok := c.PeakFor(p); ok {
			ls = append(ls, chipField("peak "+string(p)+" (dense)", v, 1e12, peakUnit(p)))
		}
	}
	return append(ls,
		chipField("exponentials (SFU)", c.ExpRate, 1e12, "T/s, the attention softmax's"),
		detailLine{"memory type", c.HBM.Type, ""},
		chipField("memory capacity", c.HBM.Capacity, 1e9, "GB"),
		chipField("memory bandwidth", c.HBM.Bandwidth, 1e12, "TB/s"),
		chipField("memory stacks", c.HBM.Stacks, 1, ""),
		chipField("on-chip SRAM", c.SRAM, 1e6, "MB"),
		chipField("TDP", c.TDP, 1, "W"),
		detailLine{"scale-up", c.ScaleUp.Tech + " (network " + c.ScaleUp.Network + ")", ""},
		chipField("scale-up bandwidth", c.ScaleUp.Bandwidth, 1e9, "GB/s bidirectional aggregate"),
		chipField("scale-up domain", c.ScaleUp.DomainSize, 1, "chips"),
		detailLine{"scale-out", "network " + c.ScaleOut.Network, ""},
		chipField("scale-out NIC", c.ScaleOut.Bandwidth, 1e9/8, "Gbit/s each way"),
		detailLine{"chips per node", fmt.Sprint(c.ChipsPerNode), ""},
		chipField("price", c.Price, 1e3, "k$ per chip"),
		chipField("rental", c.Rental, 1, "$/chip-hour"),
		detailLine{"software stack", c.Stack, ""},
	)
}

// topologyLine says what a group of chips reaches on the chip's scale-up
// network: on a full mesh a group of n drives its n − 1 direct links (pair,
// what two chips reach, is one link), on a torus the links of the rings it
// spans (pair is one link), on a switched network every group the full
// rate.
func topologyLine(n *hardware.Network, pair units.ByteRate) (detailLine, bool) {
	if n == nil {
		return detailLine{}, false
	}
	if n.Topology == hardware.Torus && len(n.TorusDims) > 0 {
		dims := make([]string, len(n.TorusDims))
		for i, d := range n.TorusDims {
			dims[i] = strconv.Itoa(d)
		}
		return detailLine{"scale-up topology", fmt.Sprintf("torus %s, each ring wrapped: %d links per chip, %s GB/s each way each; a group drives the links of the rings it spans (a whole ring 2, part of one 1, a pair 1)", strings.Join(dims, "×"), 2*len(n.TorusDims), sig4(float64(pair)/1e9)), ""}, true
	}
	peers := int(n.DomainSize.Typ) - 1
	if n.Topology != hardware.FullMesh || peers < 1 {
		v := "switched: any group of chips reaches the full rate"
		if n.Topology == "" {
			v = "not stated, modelled as switched: any group of chips reaches the full rate"
		}
		return detailLine{"scale-up topology", v, ""}, true
	}
	return detailLine{"scale-up topology", fmt.Sprintf("full mesh: a direct link to each of %d peers, %s GB/s each way; a group of n chips drives n − 1 of them", peers, sig4(float64(pair)/1e9)), ""}, true
}

// peakUnit names a dense peak's unit: TOPS for integers, else TFLOP/s.
func peakUnit(p hardware.Precision) string {
	if p == hardware.INT8 {
		return "TOPS"
	}
	return "TFLOP/s"
}

// WriteText prints every field of the chip with its range and source
// keys, then the sources' titles.
func (d ChipDetail) WriteText(w io.Writer) error {
	c := d.Chip
	fmt.Fprintf(w, "%s\n", c.ID)
	ls := chipLines(c)
	if t, ok := topologyLine(d.ScaleUp, d.pair); ok {
		i := slices.IndexFunc(ls, func(l detailLine) bool { return l.name == "scale-up domain" })
		ls = slices.Insert(ls, i+1, t)
	}
	for _, l := range ls {
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
	for _, s := range d.SourceList() {
		fmt.Fprintf(w, "  %-22s %s\n  %-22s %s\n", s.Key, s.Title, "", s.URL)
	}
	_, err := fmt.Fprintln(w, "\nRanges are [min–max] across sources; derived = computed from sourced inputs; ASSUMED = not published.")
	return err
}
