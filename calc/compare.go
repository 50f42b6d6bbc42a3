package calc

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/units"
)

// CompareRequest is `chipgap compare-chips [ID...]` and GET /api/compare
// (?chips=a,b&model=m&precision=bf16): chips side by side.
type CompareRequest struct {
	// Chips are the chip ids, the first the baseline of each row's
	// ratios (positional arguments on the command line); none:
	// DefaultCompareChips.
	Chips []string `json:"chips" flag:"-"`
	// Model adds two first-principles rows for that model preset ("" or
	// "none": no model rows).
	Model string `json:"model" help:"add two rows for this model preset: chips to hold its weights, batch-1 decode ceiling per chip"`
	// Precision is the peak row's and the efficiency rows' precision and
	// the model rows' weight width (default bf16). The command line's
	// table has every precision's peak.
	Precision string `json:"precision" help:"precision of the efficiency rows (ridge, per watt, per $1k, per mm²) and of the model rows' weights (default bf16)"`
}

// DefaultCompareChips is the comparison with no chips named.
func DefaultCompareChips() []string {
	return []string{"h100-sxm", "h20", "b200", "ascend-910b", "ascend-910c"}
}

// Comparison is the answer to a CompareRequest: one row per quantity, one
// cell per chip, each cell a sourced range with its ratio to the first
// chip's. compare-chips --json and GET /api/compare encode it, the one
// view of a comparison (the API adds its charts); the command line's
// table prints Columns.
type Comparison struct {
	Precision string        `json:"precision"`
	Model     *ModelView    `json:"model,omitempty"`
	Chips     []ChipSummary `json:"chips"`
	Rows      []CompareRow  `json:"rows"`
	chips     []*hardware.Chip
}

// CompareRow is one compared quantity. Values are in base units (FLOP/s,
// B/s, B, W, USD); Scale and Unit say how to display them (value/Scale
// Unit).
type CompareRow struct {
	Key    string        `json:"key"`
	Label  string        `json:"label"`
	Unit   string        `json:"unit"`
	Scale  float64       `json:"scale"`
	Better string        `json:"better"` // higher | lower
	Note   string        `json:"note,omitempty"`
	Cells  []CompareCell `json:"cells"`

	extra bool   // the command line adds it to its table (an efficiency row, a model row)
	text  string // its label there, in the table's style: quantity then unit ("ridge BF16 FLOP/B")
}

// CompareCell is one chip's value of one row.
type CompareCell struct {
	Min     float64  `json:"min"`
	Typ     float64  `json:"typ"`
	Max     float64  `json:"max"`
	Known   bool     `json:"known"`
	Ratio   float64  `json:"ratio,omitempty"` // Typ over the baseline's Typ
	Sources []string `json:"sources,omitempty"`
	Note    string   `json:"note,omitempty"`
	Derived bool     `json:"derived,omitempty"`
	Assumed bool     `json:"assumed,omitempty"`
}

func cellOf[T ~float64](v hardware.Value[T]) CompareCell {
	return CompareCell{Min: float64(v.Min), Typ: float64(v.Typ), Max: float64(v.Max), Known: v.Known() && v.Typ != 0,
		Sources: v.Sources, Note: v.Note, Derived: v.Derived, Assumed: v.Assumed}
}

// Compare answers r from the catalog.
func Compare(cat *catalog.Catalog, r CompareRequest) (Comparison, error) {
	ids := r.Chips
	if len(ids) == 0 {
		ids = DefaultCompareChips()
	}
	var out Comparison
	for _, id := range ids {
		c, err := cat.Chip(strings.TrimSpace(id))
		if err != nil {
			return out, lookup("chips", err)
		}
		if j := slices.IndexFunc(out.chips, func(o *hardware.Chip) bool { return o.ID == c.ID }); j >= 0 {
			return out, bad(fmt.Sprintf("chips[%d]", len(out.chips)), id, "already compared at chips[%d]: want each chip once", j)
		}
		out.chips = append(out.chips, c)
		out.Chips = append(out.Chips, Summarize(c))
	}
	p, err := hardware.ParsePrecision(cmp.Or(r.Precision, "bf16"))
	if err != nil {
		return out, bad("precision", r.Precision, "%v", err)
	}
	out.Precision = string(p)
	out.Rows = out.chipRows(p)
	if id := r.Model; id != "" && id != "none" {
		m, err := cat.Model(id)
		if err != nil {
			return out, lookup("model", err)
		}
		mv := ViewModel(m)
		out.Model = &mv
		out.Rows = append(out.Rows, out.modelRows(m, p)...)
	}
	for i := range out.Rows {
		out.Rows[i].setRatios()
	}
	return out, nil
}

// chipRows are the catalog quantities and the efficiency metrics
// (catalog.ChipMetrics), per chip.
func (c Comparison) chipRows(p hardware.Precision) []CompareRow {
	type spec struct {
		key, label, unit string
		scale            float64
		better           string
		get              func(c *hardware.Chip, m catalog.Metrics) CompareCell
		fromPeak         bool // an efficiency metric of the chosen precision's peak
	}
	up := strings.ToUpper(string(p))
	// An integer precision's peak counts operations (TOPS), not FLOPs.
	rate, perByte := peakUnit(p), "FLOP/B"
	if rate != "TFLOP/s" {
		perByte = "op/B"
	}
	specs := []spec{
		{"peak", "Dense peak " + string(p), rate, 1e12, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { v, _ := c.PeakFor(p); return cellOf(v) }, false},
		{"hbm_capacity", "HBM capacity", "GB", 1e9, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.HBM.Capacity) }, false},
		{"hbm_bandwidth", "HBM bandwidth", "TB/s", 1e12, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.HBM.Bandwidth) }, false},
		{"scale_up", "Scale-up bandwidth (aggregate, both ways)", "GB/s", 1e9, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.ScaleUp.Bandwidth) }, false},
		{"scale_up_domain", "Scale-up domain", "chips", 1, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.ScaleUp.DomainSize) }, false},
		{"scale_out", "Scale-out bandwidth per chip", "GB/s", 1e9, "higher", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.ScaleOut.Bandwidth) }, false},
		{"tdp", "TDP", "W", 1, "lower", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.TDP) }, false},
		{"price", "Price", "k$", 1e3, "lower", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.Price) }, false},
		{"rental", "Rental", "$/h", 1, "lower", func(c *hardware.Chip, _ catalog.Metrics) CompareCell { return cellOf(c.Rental) }, false},
		{"ridge", "Ridge point (" + up + " peak / HBM bandwidth)", perByte, 1, "lower", func(_ *hardware.Chip, m catalog.Metrics) CompareCell { return cellOf(m.RidgeFLOPPerByte) }, true},
		{"tflops_per_watt", up + " " + rate + " per watt", rate + "/W", 1, "higher", func(_ *hardware.Chip, m catalog.Metrics) CompareCell { return cellOf(m.TFLOPSPerWatt) }, true},
		{"tflops_per_kusd", up + " " + rate + " per $1k", rate + "/k$", 1, "higher", func(_ *hardware.Chip, m catalog.Metrics) CompareCell { return cellOf(m.TFLOPSPerKUSD) }, true},
		{"tflops_per_mm2", up + " " + rate + " per mm² of compute die", rate + "/mm²", 1, "higher", func(_ *hardware.Chip, m catalog.Metrics) CompareCell { return cellOf(m.TFLOPSPerMM2) }, true},
	}
	// The command line's table prints the efficiency rows at any
	// precision from these rows, labelled as its own ("HBM TB/s").
	text := map[string]string{"ridge": "ridge " + up + " " + perByte, "tflops_per_watt": up + " " + rate + " per W",
		"tflops_per_kusd": up + " " + rate + " per k$", "tflops_per_mm2": up + " " + rate + " per mm²"}
	rows := make([]CompareRow, 0, len(specs))
	for _, sp := range specs {
		rw := CompareRow{Key: sp.key, Label: sp.label, Unit: sp.unit, Scale: sp.scale, Better: sp.better, extra: sp.fromPeak, text: text[sp.key]}
		for _, ch := range c.chips {
			m, ok := catalog.ChipMetricsAt(ch, p) // the efficiency rows follow the chosen precision
			if sp.fromPeak && !ok {
				rw.Cells = append(rw.Cells, CompareCell{})
				continue
			}
			rw.Cells = append(rw.Cells, sp.get(ch, m))
		}
		rows = append(rows, rw)
	}
	return rows
}

// modelRows are two first-principles bounds for model m at precision p
// (weights stored at p's width, llm.WeightBytes):
//
//   - chips to hold the weights: weight bytes / HBM capacity, before KV
//     cache, activations and runtime reserve, so a floor on the chips a
//     deployment needs;
//   - batch-1 decode ceiling per chip: HBM bandwidth / active weight bytes
//     per token, the rate at which one chip can stream the weights one
//     token touches (roofline memory bound; ignores KV reads, overlap
//     losses and communication), so an upper bound on tokens/s per chip.
func (c Comparison) modelRows(m llm.Model, p hardware.Precision) []CompareRow {
	weights := m.WeightBytes(p.Bytes())
	active := units.Bytes(float64(m.Params().Active) * p.Bytes())
	up := strings.ToUpper(string(p))
	fit := CompareRow{extra: true, Key: "chips_for_weights", Label: "Chips to hold " + m.Name + " weights (" + string(p) + ")", Unit: "chips", Scale: 1, Better: "lower",
		Note: "weight bytes / HBM capacity; a floor before KV cache and activations", text: "chips to hold weights (" + m.Name + ", " + up + ")"}
	dec := CompareRow{extra: true, Key: "decode_ceiling", Label: "Batch-1 decode ceiling per chip, " + m.Name, Unit: "tokens/s", Scale: 1, Better: "higher",
		Note: "HBM bandwidth / active weight bytes per token; a memory-roofline upper bound", text: "decode ceiling tokens/s per chip (" + m.Name + ", batch 1)"}
	for _, ch := range c.chips {
		fit.Cells = append(fit.Cells, rangeQuotient(float64(weights), ch.HBM.Capacity, false))
		dec.Cells = append(dec.Cells, rangeQuotient(float64(active), ch.HBM.Bandwidth, true))
	}
	return []CompareRow{fit, dec}
}

// rangeQuotient is num/den (or den/num when invert) over den's sourced range.
func rangeQuotient[T ~float64](num float64, den hardware.Value[T], invert bool) CompareCell {
	lo, typ, hi := den.Min, den.Typ, den.Max
	if typ <= 0 || num <= 0 {
		return CompareCell{}
	}
	f := func(d T) float64 {
		if invert {
			return float64(d) / num
		}
		return num / float64(d)
	}
	c := CompareCell{Typ: f(typ), Min: f(lo), Max: f(hi), Known: true, Derived: true, Sources: den.Sources}
	if c.Min > c.Max {
		c.Min, c.Max = c.Max, c.Min
	}
	return c
}

// setRatios fills each known cell's ratio to the first chip's value.
func (rw *CompareRow) setRatios() {
	if len(rw.Cells) == 0 || !rw.Cells[0].Known || rw.Cells[0].Typ == 0 {
		return
	}
	base := rw.Cells[0].Typ
	for i := range rw.Cells {
		if rw.Cells[i].Known {
			rw.Cells[i].Ratio = rw.Cells[i].Typ / base
		}
	}
}
