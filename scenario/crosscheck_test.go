package scenario

import (
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/training"
)

// TestCrossCheck: a system on an assumed training profile (the CM384 on
// cann-mindspeed) carries the same run searched again on its stack's
// calibrated profile (mindformers), whose throughput is the one an
// independent training.Search with that profile gives; a system on a
// calibrated profile (H100 on cuda-mcore), or one that names its
// framework, carries none.
func TestCrossCheck(t *testing.T) {
	r, _ := runSmall(t, 1, 10, 0, 5)
	h, b := r.Systems[0], r.Systems[1]
	if h.TrainingCrossCheck != nil {
		t.Errorf("%s on a calibrated profile: cross-check %+v, want none", h.System.Label, *h.TrainingCrossCheck)
	}
	cc := b.TrainingCrossCheck
	if cc == nil || cc.Error != "" {
		t.Fatalf("%s on cann-mindspeed: cross-check %+v, want one on mindformers", b.System.Label, cc)
	}
	if cc.Profile != "mindformers" || cc.HardwareStack != "cann" || !strings.HasPrefix(cc.Stack, "stack mindformers ") || !strings.HasPrefix(cc.Evidence, BasisMeasured) {
		t.Errorf("cross-check profile %q of %q (%q), evidence %q: want mindformers of cann, measured", cc.Profile, cc.HardwareStack, cc.Stack, cc.Evidence)
	}
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := Default()
	m, _ := c.Model(s.Training.Model)
	cl, err := c.Cluster(b.System.Chip, b.Chips, catalog.ClusterOptions{ChipsPerNode: b.System.ChipsPerNode})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := c.TrainingProfileByID("mindformers")
	if err != nil {
		t.Fatal(err)
	}
	job := training.Job{Seq: s.Training.Seq, GlobalBatch: s.Training.GlobalBatch, Precision: s.Training.Precision, Tokens: float64(s.Training.Tokens)}
	sr, err := training.Search(m, cl, prof, job, training.SearchOptions{Top: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := sr.Best(); !near(cc.TokensPerSec, want.TokensPerSec, 1e-9) || cc.Plan != want.PlanText {
		t.Errorf("cross-check %s at %.6g tokens/s; an independent search on mindformers gives %s at %.6g", cc.Plan, cc.TokensPerSec, want.PlanText, want.TokensPerSec)
	}
	// Watts per achieved PFLOP/s on that plan: the chip's typical TDP over
	// MFU × peak.
	ch, _ := c.Chip(b.System.Chip)
	pk, _ := ch.PeakFor(s.Training.Precision)
	if want := float64(ch.TDP.Typ) / (cc.MFU * float64(pk.Typ) / 1e15); !near(cc.WPerAchieved, want, 1e-9) {
		t.Errorf("cross-check W per achieved PFLOP/s %.6g, want %.6g", cc.WPerAchieved, want)
	}
	// The calibrated profile is a different one: the figure must differ
	// from the default's.
	if own := b.Stats[OutTokensPerSec].Typ; near(own, cc.TokensPerSec, 1e-3) {
		t.Errorf("cross-check throughput %.6g equals the default profile's %.6g", cc.TokensPerSec, own)
	}

	d := Default()
	d.Samples = 5
	d.Systems = []System{d.Systems[0], d.Systems[5]}
	d.Systems[1].TrainingFramework = "mindspeed"
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	named, err := d.Run(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cc := named.Systems[1].TrainingCrossCheck; cc != nil {
		t.Errorf("a system that names its framework: cross-check %+v, want none", *cc)
	}
}
