package main

import (
	"testing"

	"chipgap/catalog"
)

// BenchmarkServeEstimate is one full estimate as serve-estimate prints it:
// the CloudMatrix384 decode instance (160 × 910C, EP320), its curve, the
// best point under 50 ms TPOT, the best point's range (200 seeded draws)
// and its cost.
func BenchmarkServeEstimate(b *testing.B) {
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	s := serveSpec{Chip: "ascend-910c", Chips: 160, Software: "cloudmatrix-infer", Model: "deepseek-v3", EP: 320,
		Precision: "int8", Mode: "decode", Input: 4096, Output: 256, TPOT: 0.05, SpecTokens: 1, SpecAcceptance: 0.7}
	for b.Loop() {
		if _, err := estimateServe(cat, s); err != nil {
			b.Fatal(err)
		}
	}
}
