package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"chipgap/calc"
)

func TestCompareDefault(t *testing.T) {
	for _, args := range [][]string{{"compare-chips"}} { // no arguments runs the gap report (report_test.go)
		code, out, errs := runCmd(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		for _, id := range calc.DefaultCompareChips() {
			if !strings.Contains(out, id) {
				t.Errorf("%v: output lacks %s", args, id)
			}
		}
		// BF16 row: the 910B range 280–376 and the 910C range 752–800.
		var bf string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "BF16 dense") {
				bf = l
			}
		}
		if !strings.Contains(bf, "320 [280–376]") || !strings.Contains(bf, "780 [752–800]") || !strings.Contains(bf, "989.4") {
			t.Errorf("BF16 row = %q", bf)
		}
	}
}

// TestCompareJSON checks the ratios by hand: H100 ridge = 989.4e12 /
// 3.35e12 = 295.34 FLOP/B, low end 989.4/3.35, high end 989.4/3.0 = 329.8;
// 910B per $1k: 320 TF / 16.854 k$ = 18.99, low end 280/38.8 = 7.216.
func TestCompareJSON(t *testing.T) {
	code, out, errs := runCmd(t, "compare-chips", "--json", "h100-sxm", "ascend-910b")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Chips []struct{ ID string }
		Rows  []struct {
			Key   string
			Cells []struct{ Min, Typ, Max float64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Chips) != 2 {
		t.Fatalf("%v, %d chips", err, len(v.Chips))
	}
	rows := map[string][]struct{ Min, Typ, Max float64 }{}
	for _, r := range v.Rows {
		rows[r.Key] = r.Cells
	}
	if len(rows["ridge"]) != 2 || len(rows["tflops_per_kusd"]) != 2 {
		t.Fatalf("rows %v: want ridge and tflops_per_kusd with a cell per chip", rows)
	}
	near := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s = %g, want %g", what, got, want)
		}
	}
	r := rows["ridge"][0]
	near("h100 ridge typ", r.Typ, 989.4/3.35)
	near("h100 ridge max", r.Max, 989.4/3.0)
	d := rows["tflops_per_kusd"][1]
	near("910b per k$ typ", d.Typ, 320/16.854)
	near("910b per k$ min", d.Min, 280/38.8)
	near("910b per k$ max", d.Max, 376/12.5)
}

func TestCompareUnknown(t *testing.T) {
	code, out, errs := runCmd(t, "compare-chips", "h100-sxm", "ascend-910x")
	if code != 2 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "did you mean") || !strings.Contains(errs, "ascend-910") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A chip named twice is refused naming its second place and its first
// (it was compared with itself), as a sweep refuses a repeated axis value.
func TestCompareRepeatedChip(t *testing.T) {
	code, out, errs := runCmd(t, "compare-chips", "h100-sxm", "b200", "h100-sxm")
	if code != 2 || out != "" || !strings.Contains(errs, "chips[2] = h100-sxm: already compared at chips[0]: want each chip once") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
