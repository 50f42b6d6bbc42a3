package sweep

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// reportRows is a small hand-made sweep: three training cells of one
// model (one never finishes), three serving cells and one with an error.
func reportRows() []Row {
	tr := func(cell int, chip string, n int, days, usd, j float64) Row {
		return Row{Cell: int64(cell), Target: TargetTraining, Chip: chip, Chips: int64(n), Model: "m<1>", Precision: "bf16",
			Plan: "tp=8", TotalDays: f64(days), RunCostUSD: f64(usd), RunEnergyJ: f64(j), RunCostP10: f64(usd * 0.9), RunCostP90: f64(usd * 1.2)}
	}
	sv := func(cell int, chip string, tpot, mtok, kw float64) Row {
		return Row{Cell: int64(cell), Target: TargetServing, Chip: chip, Chips: 8, Model: "ds", Precision: "fp8", Plan: "tp=8 ep=8",
			InputTokens: i64(4096), OutputTokens: i64(1024), SLOTPOT: f64(0.05), TPOTS: f64(tpot), USDPerMtok: f64(mtok), ServeTPSPerKW: f64(kw)}
	}
	return []Row{
		tr(0, "A & B", 1024, 100, 50e6, 3.6e12), // 1000 MWh
		tr(1, "C", 4096, 30, 80e6, 7.2e12),
		tr(2, "C", 512, 200, 60e6, 1.8e12), // dominated on cost by cell 0, best on energy
		tr(3, "D", 512, math.Inf(1), math.Inf(1), math.Inf(1)),
		sv(4, "A & B", 0.040, 2.0, 900),
		sv(5, "C", 0.030, 3.0, 1000),
		sv(6, "C", 0.045, 2.5, 800), // dominated on cost by 4; on per kW, 5 beats 4 and 6
		{Cell: 7, Target: TargetServing, Chip: "D", Model: "ds", Error: "no layout meets the SLO"},
	}
}

func TestReportFrontiers(t *testing.T) {
	rep := NewReport(reportRows(), Meta{Hash: "abcdef0123456789", Grid: `{"title":"t <1>"}`})
	var ids []string
	for _, fs := range rep.Sets {
		ids = append(ids, fs.ID)
	}
	want := "cost-time-m<1> energy-time-m<1> mtok-tpot-ds-4096-1024 kw-tpot-ds-4096-1024"
	if got := strings.Join(ids, " "); got != want {
		t.Fatalf("sets = %s, want %s", got, want)
	}
	// Cost vs time: cell 1 (30 d, $80M) and cell 0 (100 d, $50M); cell 2
	// is slower and dearer than 0; cell 3 never finishes.
	cells := func(fs FrontierSet) []int64 {
		var out []int64
		for _, k := range fs.Front {
			out = append(out, rep.Rows[fs.Rows[k]].Cell)
		}
		return out
	}
	for i, want := range [][]int64{{1, 0}, {1, 0, 2}, {5, 4}, {5}} {
		if got := cells(rep.Sets[i]); !equal(got, want) {
			t.Errorf("%s frontier cells = %v, want %v", rep.Sets[i].ID, got, want)
		}
	}
	if rep.Sets[0].Left != 1 || rep.Sets[1].Points[0].Y != 1000 {
		t.Errorf("cost set left out %d (want 1), energy of cell 0 = %v MWh (want 1000)", rep.Sets[0].Left, rep.Sets[1].Points[0].Y)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The page is well-formed (the SVG inside it parses as XML, labels are
// escaped) and the same rows give the same bytes.
func TestReportHTML(t *testing.T) {
	page := func() []byte {
		var b bytes.Buffer
		if err := NewReport(reportRows(), Meta{Hash: "abcdef0123456789", Grid: `{"title":"t <1>"}`}).WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a := page()
	if !bytes.Equal(a, page()) {
		t.Error("WriteHTML is not deterministic")
	}
	s := string(a)
	for _, want := range []string{"<title>t &lt;1&gt;</title>", "A &amp; B", "<svg", "45.0–60.0", "1 more cells have no finite value"} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(s, "<script") || strings.Contains(s, "m<1>") {
		t.Error("page has a script or an unescaped label")
	}
	d := xml.NewDecoder(strings.NewReader(s[strings.Index(s, "<html"):]))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		if _, err := d.Token(); err != nil {
			if err != io.EOF {
				t.Fatalf("page does not parse: %v", err)
			}
			break
		}
	}
	var txt bytes.Buffer
	if err := NewReport(reportRows(), Meta{Hash: "abc"}).WriteText(&txt); err != nil || !strings.Contains(txt.String(), "m<1>: run cost vs time: 2 of 3 cells on the frontier") {
		t.Errorf("WriteText: %v\n%s", err, txt.String())
	}
}
