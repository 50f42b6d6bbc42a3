package report

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"chipgap/catalog"
	"chipgap/scenario"
)

// smallRun is the default scenario's H100 and CM384 over 200 samples,
// run once for the tests below.
var smallRun = sync.OnceValues(func() (*scenario.Results, error) {
	s := scenario.Default()
	s.Seed, s.Samples = 1, 200
	var keep []scenario.System
	for _, sy := range s.Systems {
		if sy.Label == "H100" || sy.Label == "CM384" {
			keep = append(keep, sy)
		}
	}
	s.Systems = keep
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s.Run(context.Background(), nil)
})

func smallText(t *testing.T) (*scenario.Results, string) {
	t.Helper()
	r, err := smallRun()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Text(&b, Build(r)); err != nil {
		t.Fatal(err)
	}
	return r, b.String()
}

// TestTypicalOutsideMarked: where a figure's estimate at typical values
// lies outside its P10–P90 and prints apart from that end, the text marks it "(typical below: T)" or
// "(typical above: T)" and says what that means; where it lies inside,
// the figure stands unmarked. Which is which comes from the results'
// JSON (typ, p10, p90), decided here afresh: each system's total days
// (the training table, and the headline's "days (typical …)"), MFU and
// cost per run.
func TestTypicalOutsideMarked(t *testing.T) {
	r, text := smallText(t)
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Systems []struct {
			System struct{ Label string }
			Stats  map[string]struct{ Typ, P10, P50, P90 float64 }
		}
	}
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	outside := 0
	for _, sy := range doc.Systems {
		for _, c := range []struct {
			key   string
			scale float64
			f     fmtFn
		}{{scenario.OutTotalDays, 1, fixed(0)}, {scenario.OutMFU, 1, pct}, {scenario.OutRunCost, 1, money}} {
			s, ok := sy.Stats[c.key]
			if !ok {
				t.Fatalf("%s: no %s in the JSON", sy.System.Label, c.key)
			}
			figure := c.f(s.P50*c.scale) + " [" + c.f(s.P10*c.scale) + "–" + c.f(s.P90*c.scale) + "]"
			side := ""
			switch {
			case s.Typ < s.P10:
				side = "below"
			case s.Typ > s.P90:
				side = "above"
			}
			// Unmarked where the typical value prints as the end it lies
			// beyond (49% above a P90 of 49%).
			if (side == "below" && c.f(s.Typ*c.scale) == c.f(s.P10*c.scale)) || (side == "above" && c.f(s.Typ*c.scale) == c.f(s.P90*c.scale)) {
				side = ""
			}
			if side == "" {
				if !strings.Contains(text, figure) || strings.Contains(text, figure+" (typical") {
					t.Errorf("%s %s: typical %g inside [%g, %g], want %q unmarked", sy.System.Label, c.key, s.Typ, s.P10, s.P90, figure)
				}
				continue
			}
			outside++
			mark := " (typical " + side + ": " + c.f(s.Typ*c.scale) + ")"
			if !strings.Contains(text, figure+mark) {
				t.Errorf("%s %s: typical %g %s [%g, %g], want %q in the text", sy.System.Label, c.key, s.Typ, side, s.P10, s.P90, figure+mark)
			}
			if days := figure + " days" + mark; c.key == scenario.OutTotalDays && !strings.Contains(text, days) {
				t.Errorf("%s: the headline lacks %q", sy.System.Label, days)
			}
		}
	}
	if outside == 0 {
		t.Fatal("no figure's typical value lies outside its P10–P90: the test checks nothing marked")
	}
	if !strings.Contains(text, typLegend) {
		t.Errorf("marked figures, but no legend %q", typLegend)
	}
}

// TestChipsCatalogValues: the Chips table prints each chip figure at the
// catalog's typical value with its [min–max], as compare-chips does:
// the H100's HBM bandwidth is the datasheet's, not the samples' median.
func TestChipsCatalogValues(t *testing.T) {
	r, _ := smallText(t)
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	h100, err := cat.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	bw := h100.HBM.Bandwidth
	want := fixed(2)(float64(bw.Typ) / 1e12)
	if bw.Min != bw.Max {
		want += " [" + fixed(2)(float64(bw.Min)/1e12) + "–" + fixed(2)(float64(bw.Max)/1e12) + "]"
	}
	rep := Build(r)
	for _, s := range rep.Sections {
		if s.ID != "chips" {
			continue
		}
		t0 := s.Tables[0]
		col := -1
		for i, h := range t0.Header {
			if h == "HBM TB/s" {
				col = i
			}
		}
		for _, row := range t0.Rows {
			if row[0] == "H100" && col >= 0 {
				if row[col] != want {
					t.Errorf("Chips table: H100 HBM %q, want the catalog's %q", row[col], want)
				}
				return
			}
		}
	}
	t.Error("no H100 row with an HBM TB/s column in the Chips table")
}
