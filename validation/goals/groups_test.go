package main

import (
	"math"
	"testing"
)

// Group "a" holds errors +10 %, +21 % and −1 % (log errors 0.0953, 0.1906,
// −0.0101; median 0.0953, i.e. +10 %): centred, they read 0, 1.21/1.1 − 1
// = +10 % and 0.99/1.1 − 1 = −10 %. Group "b" is one row at +50 %, centred
// to 0. The four centred |errors| are 0, 0.1, 0.1, 0: median 0.05; none
// over a 25 % bar, and one row alone in its group. Without a grouping
// (nil key) the errors stand: 0.10, 0.21, 0.01, 0.50, median 0.155, one
// over 25 %.
func TestGroupShift(t *testing.T) {
	rs := []row{
		{family: "a", err: 0.10}, {family: "a", err: 0.21}, {family: "a", err: -0.01}, {family: "b", err: 0.50},
	}
	med, over, groups, alone := groupShift(rs, grouping{"family", func(r row) string { return r.family }}, 0.25)
	if math.Abs(med-0.05) > 1e-12 || over != 0 || groups != 2 || alone != 1 {
		t.Errorf("by family: median %.6f, %d over, %d groups, %d alone; want 0.05, 0, 2, 1", med, over, groups, alone)
	}
	med, over, groups, alone = groupShift(rs, grouping{"none", nil}, 0.25)
	if math.Abs(med-0.155) > 1e-12 || over != 1 || groups != 1 || alone != 0 {
		t.Errorf("ungrouped: median %.6f, %d over, %d groups, %d alone; want 0.155, 1, 1, 0", med, over, groups, alone)
	}
	if rs[0].err != 0.10 {
		t.Error("groupShift changed its rows")
	}
}
