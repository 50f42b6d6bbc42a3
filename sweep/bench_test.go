package sweep

import (
	"context"
	"os"
	"testing"
	"time"
)

// BenchmarkServing10K runs examples/sweep-serving-10k.yaml (10,000
// serving cells, no Monte Carlo) on every core and reports cells/s and
// the time against the goal of 60 s.
func BenchmarkServing10K(b *testing.B) {
	src, err := os.ReadFile("../examples/sweep-serving-10k.yaml")
	if err != nil {
		b.Fatal(err)
	}
	g, err := Parse("sweep-serving-10k.yaml", src)
	if err != nil {
		b.Fatal(err)
	}
	cells := g.Cells()
	if len(cells) != 10_000 {
		b.Fatalf("%d cells, want 10000", len(cells))
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := Run(context.Background(), g, cells, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(float64(len(cells))/per, "cells/s")
	b.ReportMetric(60/per, "x-60s-goal")
}
