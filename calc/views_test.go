package calc

import (
	"errors"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/input"
)

// fieldOf is the field an *input.Error in err names ("" if none).
func fieldOf(err error) string {
	var ie *input.Error
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}

// TestCompareDefaultsAndRatios: no chips is the default five, no
// precision is bf16, "none" is no model; ratios are typ over the first
// chip's typ.
func TestCompareDefaultsAndRatios(t *testing.T) {
	cat := testCatalog(t)
	c, err := Compare(cat, CompareRequest{Model: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Chips) != 5 || c.Chips[0].ID != "h100-sxm" || c.Precision != "bf16" || c.Model != nil {
		t.Fatalf("default comparison: %d chips from %s, precision %s, model %v", len(c.Chips), c.Chips[0].ID, c.Precision, c.Model)
	}
	h100, _ := cat.Chip("h100-sxm")
	b200, _ := cat.Chip("b200")
	c, err = Compare(cat, CompareRequest{Chips: []string{"h100-sxm", " b200"}, Precision: "fp8"})
	if err != nil {
		t.Fatal(err)
	}
	want := float64(b200.Peak["fp8"].Typ / h100.Peak["fp8"].Typ)
	if got := c.Rows[0].Cells[1].Ratio; c.Rows[0].Key != "peak" || got != want {
		t.Errorf("fp8 peak ratio b200/h100 = %g (row %s), want %g", got, c.Rows[0].Key, want)
	}
	if cols := c.columns(); len(cols) != 2 || cols[0].ID != "h100-sxm" || cols[1].ID != "b200" {
		t.Errorf("columns %+v, want h100-sxm and b200", cols)
	}
}

// TestCompareTextFollowsPrecision: the command line's table carries one
// set of efficiency rows, the request's precision's (no BF16 ridge beside
// an INT8 one), and an integer precision's rows count operations: H100's
// INT8 ridge is 1,979 TOPS / 3.35 TB/s = 590.7 op/B, per watt 1,979 / 700
// = 2.827 TOPS/W.
func TestCompareTextFollowsPrecision(t *testing.T) {
	cat := testCatalog(t)
	text := func(p string) string {
		c, err := Compare(cat, CompareRequest{Chips: []string{"h100-sxm"}, Model: "none", Precision: p})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := c.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	i8 := text("int8")
	for label, value := range map[string]string{"ridge INT8 op/B": "590.7", "INT8 TOPS per W": "2.827"} {
		found := false
		for _, line := range strings.Split(i8, "\n") {
			if rest, ok := strings.CutPrefix(line, label); ok && strings.HasPrefix(strings.TrimSpace(rest), value) {
				found = true
			}
		}
		if !found {
			t.Errorf("int8 table lacks %s %s:\n%s", label, value, i8)
		}
	}
	if strings.Contains(i8, "ridge BF16") || strings.Contains(i8, "BF16 TFLOP/s per W") || strings.Contains(i8, "INT8 TFLOP/s") {
		t.Errorf("int8 table keeps the BF16 efficiency rows or calls TOPS FLOPs:\n%s", i8)
	}
	// One style of label at every precision, the table's (quantity then
	// unit), not the JSON's label with its unit in parentheses (QA: "ridge
	// BF16 FLOP/B" beside "Ridge point (FP4 peak / HBM bandwidth) (FLOP/B)").
	for _, p := range []string{"", "fp4", "int8"} {
		tx := text(p)
		if strings.Contains(tx, "Ridge point (") || strings.Contains(tx, "per watt (") {
			t.Errorf("%s table mixes the JSON's labels in:\n%s", p, tx)
		}
	}
	if bf := text(""); !strings.Contains(bf, "ridge BF16 FLOP/B") || !strings.Contains(bf, "BF16 TFLOP/s per mm²") {
		t.Errorf("bf16 table:\n%s", bf)
	}
}

// TestCompareTextModelRowLabels: the model's rows are labelled in the
// table's style too (quantity, unit, then what it is of).
func TestCompareTextModelRowLabels(t *testing.T) {
	c, err := Compare(testCatalog(t), CompareRequest{Chips: []string{"h100-sxm"}, Model: "llama3.1-70b", Precision: "fp8"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nchips to hold weights (Llama 3.1 70B, FP8)  ", "\ndecode ceiling tokens/s per chip (Llama 3.1 70B, batch 1)  "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks the row %q:\n%s", want, b.String())
		}
	}
}

// TestCompareModelRows: at fp8 (1 byte a parameter) the H100 holds
// Llama 3.1 70B's weights in total params / 80 GiB chips, and streams
// the active weights HBM bandwidth / active params times a second.
func TestCompareModelRows(t *testing.T) {
	cat := testCatalog(t)
	c, err := Compare(cat, CompareRequest{Chips: []string{"h100-sxm"}, Model: "llama3.1-70b", Precision: "fp8"})
	if err != nil {
		t.Fatal(err)
	}
	h100, _ := cat.Chip("h100-sxm")
	m, _ := cat.Model("llama3.1-70b")
	p := m.Params()
	rows := map[string]CompareCell{}
	for _, r := range c.Rows {
		rows[r.Key] = r.Cells[0]
	}
	if got, want := rows["chips_for_weights"].Typ, float64(p.Total)/float64(h100.HBM.Capacity.Typ); !near(got, want) {
		t.Errorf("chips for the weights = %g, want %g", got, want)
	}
	if got, want := rows["decode_ceiling"].Typ, float64(h100.HBM.Bandwidth.Typ)/float64(p.Active); !near(got, want) {
		t.Errorf("decode ceiling = %g, want %g", got, want)
	}
	if c.Model == nil || c.Model.TotalParams != p.Total {
		t.Errorf("model view %+v, want total params %d", c.Model, p.Total)
	}
}

func near(a, b float64) bool { return a == b || (a-b)/b < 1e-12 && (b-a)/b < 1e-12 }

// TestViewErrors: unknown ids name their field and keep their class, and
// Unlabelled gives back the catalog's own message; other bad input names
// its field.
func TestViewErrors(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		err      error
		field    string
		notFound bool
	}{
		{second(Compare(cat, CompareRequest{Chips: []string{"h100-sxm", "h100"}})), "chips", true},
		{second(Compare(cat, CompareRequest{Model: "llama9"})), "model", true},
		{second(Compare(cat, CompareRequest{Precision: "fp3"})), "precision", false},
		{second(Chips(cat, ChipsRequest{ID: "h101"})), "id", true},
		{second(Models(cat, ModelsRequest{ID: "llama9", Seq: 1})), "id", true},
		{second(Models(cat, ModelsRequest{})), "seq", false},
		{second(Models(cat, ModelsRequest{Seq: 10_000_001})), "seq", false},
	} {
		if fieldOf(c.err) != c.field || errors.Is(c.err, catalog.ErrNotFound) != c.notFound {
			t.Errorf("%v: want an error naming %s (not found: %v)", c.err, c.field, c.notFound)
		}
		if msg := Unlabelled(c.err).Error(); strings.HasPrefix(msg, c.field+":") {
			t.Errorf("Unlabelled(%v) = %q, still labelled", c.err, msg)
		}
	}
	plain := bad("seq", 0, "want more")
	if Unlabelled(plain) != error(plain) {
		t.Error("Unlabelled changed an error that is not a bare label")
	}
}

func second[T any](_ T, err error) error { return err }

// TestChipAndModelDetail: a chip's detail resolves every source it
// cites; a model's per-sequence KV cache is its per-token cache times
// the sequence.
func TestChipAndModelDetail(t *testing.T) {
	cat := testCatalog(t)
	v, err := Chips(cat, ChipsRequest{ID: "ascend-910c"})
	if err != nil || v.Detail == nil {
		t.Fatal(err)
	}
	for _, k := range v.Detail.Chip.SourceKeys() {
		if _, err := cat.Source(k); err == nil && v.Detail.Sources[k].Title == "" {
			t.Errorf("source %s is not resolved", k)
		}
	}
	if l := v.Detail.SourceList(); len(l) != len(v.Detail.Sources) || l[0].Key > l[len(l)-1].Key {
		t.Errorf("source list of %d, map of %d, want the same, sorted", len(l), len(v.Detail.Sources))
	}
	req := NewModelsRequest()
	req.ID = "llama3.1-8b"
	mv, err := Models(cat, req)
	if err != nil {
		t.Fatal(err)
	}
	d := mv.Detail
	if d.Seq != 8192 || d.KVSeq["bf16"] != d.KV["bf16"]*8192 || d.KV["fp8"]*2 != d.KV["bf16"] {
		t.Errorf("seq %d, KV/token bf16 %v fp8 %v, per sequence %v", d.Seq, d.KV["bf16"], d.KV["fp8"], d.KVSeq["bf16"])
	}
	all, _ := Models(cat, NewModelsRequest())
	if len(all.Summaries()) != len(cat.Models()) || all.Detail != nil {
		t.Errorf("list: %d summaries of %d presets", len(all.Summaries()), len(cat.Models()))
	}
}

// TestCompareEfficiencyFollowsPrecision: with fp8 chosen, the per-watt,
// per-dollar, per-mm² and ridge rows are FP8's (the FP8 peak over TDP,
// by hand), labelled so; a chip without FP8 has no value there.
func TestCompareEfficiencyFollowsPrecision(t *testing.T) {
	cat := testCatalog(t)
	c, err := Compare(cat, CompareRequest{Chips: []string{"h100-sxm", "ascend-910b"}, Precision: "fp8"})
	if err != nil {
		t.Fatal(err)
	}
	h100, _ := cat.Chip("h100-sxm")
	fp8, _ := h100.PeakFor("fp8")
	for _, rw := range c.Rows {
		if rw.Key != "tflops_per_watt" {
			continue
		}
		if !strings.HasPrefix(rw.Label, "FP8 ") {
			t.Errorf("label %q, want FP8's", rw.Label)
		}
		want := float64(fp8.Typ) / 1e12 / float64(h100.TDP.Typ)
		if got := rw.Cells[0].Typ; got < want*0.999 || got > want*1.001 {
			t.Errorf("H100 FP8 TFLOP/s per watt = %g, want %g", got, want)
		}
		if rw.Cells[1].Known {
			t.Errorf("910B has no FP8 peak, but its cell is %+v", rw.Cells[1])
		}
		return
	}
	t.Error("no tflops_per_watt row")
}

// TestChipDetailSaysTheTopology: a chip on a full-mesh scale-up network
// prints its per-peer link, worked from the vendor's figures (Gaudi 3: 3
// of 21 scale-up ports to each of 7 peers at 200 Gb/s, 75 GB/s each way;
// the Atlas 800T A2's HCCS one 56 GB/s link, 28 each way); a TPU pod is a
// torus (Google's pages: v5e 400 GB/s bidirectional over 4 ICI ports, 50
// GB/s each way a link; v5p 1,200 over 6, 100); a switched NVLink node
// says any group reaches the full rate.
func TestChipDetailSaysTheTopology(t *testing.T) {
	cat := testCatalog(t)
	for id, want := range map[string]string{
		"gaudi3":      "full mesh: a direct link to each of 7 peers, 75 GB/s each way",
		"ascend-910b": "full mesh: a direct link to each of 7 peers, 28 GB/s each way",
		"tpu-v5e":     "torus 16×16, each ring wrapped: 4 links per chip, 50 GB/s each way each",
		"tpu-v5p":     "torus 4×4×4, each ring wrapped: 6 links per chip, 100 GB/s each way each",
		"h100-sxm":    "switched: any group of chips reaches the full rate",
	} {
		v, err := Chips(cat, ChipsRequest{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := v.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "scale-up topology    "+want) {
			t.Errorf("%s: the detail lacks %q:\n%s", id, want, b.String())
		}
	}
}
