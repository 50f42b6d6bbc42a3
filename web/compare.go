package web

import (
	"cmp"
	"math"
	"net/http"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/plot"
)

// The side-by-side comparison (GET /api/compare): one row per quantity,
// one cell per chip, each cell a sourced range with its ratio to the first
// chip (the baseline). Chip quantities come straight from the catalog;
// the efficiency ratios from catalog.ChipMetrics; the model rows are
// first-principles bounds (see modelRows).

// maxCompareChips bounds one comparison.
const maxCompareChips = 16

// Default selection: the comparison the page shows on first load.
const (
	defaultCompareChips = "h100-sxm,h20,b200,ascend-910b,ascend-910c" // as compare-chips
	defaultModel        = "llama3.1-70b"
)

// cell is one chip's value of one row.
type cell struct {
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

// row is one compared quantity. Values are in base units (FLOP/s, B/s, B,
// W, USD); Scale and Unit say how the page displays them (value/Scale Unit).
type row struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Unit   string  `json:"unit"`
	Scale  float64 `json:"scale"`
	Better string  `json:"better"` // higher | lower
	Note   string  `json:"note,omitempty"`
	Cells  []cell  `json:"cells"`
}

// comparison is the GET /api/compare response.
type comparison struct {
	Precision string        `json:"precision"`
	Model     *modelView    `json:"model,omitempty"`
	Chips     []chipSummary `json:"chips"`
	Rows      []row         `json:"rows"`
	Charts    []chart       `json:"charts"`
}

// chart is a server-drawn SVG (package plot, the same code the CLI's
// reports use).
type chart struct {
	Key string `json:"key"`
	SVG string `json:"svg"`
}

func cellOf[T ~float64](v hardware.Value[T]) cell {
	return cell{Min: float64(v.Min), Typ: float64(v.Typ), Max: float64(v.Max), Known: v.Known() && v.Typ != 0,
		Sources: v.Sources, Note: v.Note, Derived: v.Derived, Assumed: v.Assumed}
}

// compareQuery is the parsed query of GET /api/compare.
type compareQuery struct {
	chips     []*hardware.Chip
	model     *llm.Model
	precision hardware.Precision
}

func parseCompare(cat *catalog.Catalog, r *http.Request) (compareQuery, error) {
	q := r.URL.Query()
	var cq compareQuery
	ids := cmp.Or(q.Get("chips"), defaultCompareChips)
	for _, id := range strings.Split(ids, ",") {
		c, err := cat.Chip(strings.TrimSpace(id))
		if err != nil {
			return cq, lookupError("chips", err)
		}
		cq.chips = append(cq.chips, c)
	}
	if err := capInt("chips", len(cq.chips), maxCompareChips); err != nil {
		return cq, err
	}
	p, err := hardware.ParsePrecision(cmp.Or(q.Get("precision"), "bf16"))
	if err != nil {
		return cq, badField("precision", "%v", err)
	}
	cq.precision = p
	if id := q.Get("model"); id != "" && id != "none" {
		m, err := cat.Model(id)
		if err != nil {
			return cq, lookupError("model", err)
		}
		cq.model = &m
	}
	return cq, nil
}

// handleCompare is GET /api/compare?chips=a,b&model=m&precision=bf16.
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	cq, err := parseCompare(cat, r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, buildComparison(cq))
	return nil
}

func buildComparison(cq compareQuery) comparison {
	out := comparison{Precision: string(cq.precision), Rows: chipRows(cq.chips, cq.precision)}
	for _, c := range cq.chips {
		out.Chips = append(out.Chips, summarize(c))
	}
	if cq.model != nil {
		mv := viewModel(*cq.model)
		out.Model = &mv
		out.Rows = append(out.Rows, modelRows(cq.chips, *cq.model, cq.precision)...)
	}
	for i := range out.Rows {
		setRatios(&out.Rows[i])
	}
	out.Charts = compareCharts(out)
	return out
}

// chipRows are the catalog quantities and ratio metrics, per chip.
func chipRows(chips []*hardware.Chip, p hardware.Precision) []row {
	type spec struct {
		key, label, unit string
		scale            float64
		better           string
		get              func(c *hardware.Chip) cell
	}
	specs := []spec{
		{"peak", "Dense peak " + string(p), "TFLOP/s", 1e12, "higher", func(c *hardware.Chip) cell { v, _ := c.PeakFor(p); return cellOf(v) }},
		{"hbm_capacity", "HBM capacity", "GB", 1e9, "higher", func(c *hardware.Chip) cell { return cellOf(c.HBM.Capacity) }},
		{"hbm_bandwidth", "HBM bandwidth", "TB/s", 1e12, "higher", func(c *hardware.Chip) cell { return cellOf(c.HBM.Bandwidth) }},
		{"scale_up", "Scale-up bandwidth (aggregate, both ways)", "GB/s", 1e9, "higher", func(c *hardware.Chip) cell { return cellOf(c.ScaleUp.Bandwidth) }},
		{"scale_up_domain", "Scale-up domain", "chips", 1, "higher", func(c *hardware.Chip) cell { return cellOf(c.ScaleUp.DomainSize) }},
		{"scale_out", "Scale-out bandwidth per chip", "GB/s", 1e9, "higher", func(c *hardware.Chip) cell { return cellOf(c.ScaleOut.Bandwidth) }},
		{"tdp", "TDP", "W", 1, "lower", func(c *hardware.Chip) cell { return cellOf(c.TDP) }},
		{"price", "Price", "k$", 1e3, "lower", func(c *hardware.Chip) cell { return cellOf(c.Price) }},
		{"rental", "Rental", "$/h", 1, "lower", func(c *hardware.Chip) cell { return cellOf(c.Rental) }},
		{"ridge", "Ridge point (BF16 peak / HBM bandwidth)", "FLOP/B", 1, "lower", func(c *hardware.Chip) cell { return cellOf(catalog.ChipMetrics(c).RidgeFLOPPerByte) }},
		{"tflops_per_watt", "BF16 TFLOP/s per watt", "TFLOP/s/W", 1, "higher", func(c *hardware.Chip) cell { return cellOf(catalog.ChipMetrics(c).TFLOPSPerWatt) }},
		{"tflops_per_kusd", "BF16 TFLOP/s per $1k", "TFLOP/s/k$", 1, "higher", func(c *hardware.Chip) cell { return cellOf(catalog.ChipMetrics(c).TFLOPSPerKUSD) }},
		{"tflops_per_mm2", "BF16 TFLOP/s per mm² of compute die", "TFLOP/s/mm²", 1, "higher", func(c *hardware.Chip) cell { return cellOf(catalog.ChipMetrics(c).TFLOPSPerMM2) }},
	}
	rows := make([]row, 0, len(specs))
	for _, sp := range specs {
		rw := row{Key: sp.key, Label: sp.label, Unit: sp.unit, Scale: sp.scale, Better: sp.better}
		for _, c := range chips {
			rw.Cells = append(rw.Cells, sp.get(c))
		}
		rows = append(rows, rw)
	}
	return rows
}

// modelRows are two first-principles bounds for the chosen model at
// precision p (weights stored at p's width, llm.WeightBytes):
//
//   - chips to hold the weights: weight bytes / HBM capacity, before KV
//     cache, activations and runtime reserve, so a floor on the chips a
//     deployment needs;
//   - batch-1 decode ceiling per chip: HBM bandwidth / active weight bytes
//     per token, the rate at which one chip can stream the weights one
//     token touches (roofline memory bound; ignores KV reads, overlap
//     losses and communication), so an upper bound on tokens/s per chip.
func modelRows(chips []*hardware.Chip, m llm.Model, p hardware.Precision) []row {
	params := m.Params()
	weights := float64(m.WeightBytes(p.Bytes()))
	active := float64(params.Active) * p.Bytes()
	fit := row{Key: "chips_for_weights", Label: "Chips to hold " + m.Name + " weights (" + string(p) + ")", Unit: "chips", Scale: 1, Better: "lower",
		Note: "weight bytes / HBM capacity; a floor before KV cache and activations"}
	dec := row{Key: "decode_ceiling", Label: "Batch-1 decode ceiling per chip, " + m.Name, Unit: "tokens/s", Scale: 1, Better: "higher",
		Note: "HBM bandwidth / active weight bytes per token; a memory-roofline upper bound"}
	for _, c := range chips {
		fit.Cells = append(fit.Cells, quotient(weights, c.HBM.Capacity, false))
		dec.Cells = append(dec.Cells, quotient(active, c.HBM.Bandwidth, true))
	}
	return []row{fit, dec}
}

// quotient is num/den (or den/num when invert) over den's sourced range.
func quotient[T ~float64](num float64, den hardware.Value[T], invert bool) cell {
	lo, typ, hi := den.Min, den.Typ, den.Max
	if typ <= 0 || num <= 0 {
		return cell{}
	}
	f := func(d T) float64 {
		if invert {
			return float64(d) / num
		}
		return num / float64(d)
	}
	c := cell{Typ: f(typ), Min: f(lo), Max: f(hi), Known: true, Derived: true, Sources: den.Sources}
	if c.Min > c.Max {
		c.Min, c.Max = c.Max, c.Min
	}
	return c
}

// setRatios fills each known cell's ratio to the first chip's value.
func setRatios(rw *row) {
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

// compareCharts draws the headline rows as bars with range whiskers.
func compareCharts(c comparison) []chart {
	var out []chart
	for _, rw := range c.Rows {
		switch rw.Key {
		case "peak", "hbm_bandwidth", "hbm_capacity", "tflops_per_watt", "decode_ceiling":
		default:
			continue
		}
		var bars []plot.Bar
		for i, cl := range rw.Cells {
			if !cl.Known {
				continue
			}
			bars = append(bars, plot.Bar{Label: c.Chips[i].Name, Value: cl.Typ / rw.Scale,
				Lo: cl.Min / rw.Scale, Hi: cl.Max / rw.Scale, Group: vendorGroup(c.Chips[i].Vendor)})
		}
		if len(bars) > 0 && !math.IsNaN(bars[0].Value) {
			out = append(out, chart{Key: rw.Key, SVG: string(plot.Bars(rw.Label, rw.Unit, bars))})
		}
	}
	return out
}

// vendorGroup colours bars by vendor, in a fixed order.
func vendorGroup(vendor string) int {
	for i, v := range []string{"nvidia", "amd", "google", "intel", "huawei"} {
		if strings.Contains(strings.ToLower(vendor), v) {
			return i
		}
	}
	return 5
}
