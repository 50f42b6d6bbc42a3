package report

import (
	"bytes"
	"strings"
	"testing"

	"chipgap/scenario"
	"chipgap/uncertain"
)

// TestSupplyClusterNote: with clusters of their own sizes (equal-peak),
// the note names each system's cluster instead of the scenario's 16,384
// chips, and the CSV carries the second cluster's figure too. Figures by
// hand from the fixture's 910C good packages (typ 297,500, P10 230,700,
// P50 318,600, P90 432,300):
//
//	/ 20,784 (910C):  14.3139, 11.0999, 15.3291, 20.7997 → "15.3 [11.1–20.8]"
//	/ 20,736 (CM384): 14.3470, 11.1256, 15.3646, 20.8478 → "15.4 [11.1–20.8]"
func TestSupplyClusterNote(t *testing.T) {
	r := fixture()
	su := &r.Supply[0]
	g := su.Stats[scenario.SupGood]
	su.Clusters = []scenario.SupplyCluster{{System: "910C", Chips: 20784, PerYear: g.Scale(1.0 / 20784)},
		{System: "CM384", Chips: 20736, PerYear: g.Scale(1.0 / 20736)}}
	su.Stats[scenario.SupClusters] = su.Clusters[0].PerYear
	rep := Build(r)
	var txt, csv bytes.Buffer
	if err := Text(&txt, rep); err != nil {
		t.Fatal(err)
	}
	if err := CSV(&csv, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Huawei Ascend 910C: 20,784 chips (910C's cluster); 20,736 chips (CM384's cluster): 15.4 [11.1–20.8]", "15.3 [11.1–20.8]"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(txt.String(), "16,384 chips (the training run's cluster)") {
		t.Error("the note still divides by the scenario's 16,384 chips")
	}
	if !strings.Contains(csv.String(), "supply,Huawei Ascend 910C,training clusters per year (CM384's cluster),,14.347,11.1256,15.3646,20.8478,") {
		t.Errorf("CSV lacks CM384's cluster row:\n%s", csv.String())
	}
}

// TestSupplyTornadoLabels: the supply tornado names its inputs as the
// report does elsewhere, yields in %: assembly yield 0.795 → 0.905 reads
// "package yield (assembly)", "80% → 90%" (was assembly_yield, 0.795 →
// 0.905); HBM stacks 2.17M → 4.12M as counts.
func TestSupplyTornadoLabels(t *testing.T) {
	r := fixture()
	r.Supply[0].Tornado = append(r.Supply[0].Tornado, uncertain.Swing{Input: "assembly_yield", LowIn: 0.795, HighIn: 0.905, LowOut: 278000, HighOut: 317000, Swing: 39000})
	var rows [][]string
	for _, s := range Build(r).Sections {
		for _, t := range s.Tables {
			if strings.Contains(t.Caption, "what moves good packages") {
				rows = t.Rows
			}
		}
	}
	if len(rows) != 2 {
		t.Fatalf("supply tornado rows = %q", rows)
	}
	if rows[0][0] != "HBM stacks per year" || rows[0][1] != "2.17M → 4.12M" {
		t.Errorf("HBM row = %q", rows[0])
	}
	if rows[1][0] != "package yield (assembly)" || rows[1][1] != "80% → 90%" {
		t.Errorf("assembly-yield row = %q", rows[1])
	}
}
