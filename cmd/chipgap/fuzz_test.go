package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chipgap/calc"
	"chipgap/catalog"
)

// FuzzScenarioFiles feeds arbitrary YAML to the scenario-file loaders of
// run, serve-estimate and simulate and then to their validation, and to
// train's --request decoder, as the commands do: whatever the file holds, the answer is a value or a
// one-line error, never a panic. Seeds: the examples and testdata.
// go test -run '^$' -fuzz FuzzScenarioFiles -fuzztime 60s ./cmd/chipgap
func FuzzScenarioFiles(f *testing.F) {
	for _, glob := range []string{"../../examples/run-*.yaml", "../../examples/simulate-*.yaml", "testdata/*comparison.yaml"} {
		names, _ := filepath.Glob(glob)
		for i, name := range names {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(uint8(i), b)
			}
		}
	}
	for i, s := range []string{"", "null", "[1]", "simulate:\n  rate: .nan\n", "deployments: []\n", "days: 1e400d\n",
		"simulate:\n  ttft: 1e300s\n  tpot: -1s\n", "deployments:\n  - {chip: h100-sxm, chips: 8, model: mixtral-8x7b, tp: 3}\n", "a: &a [*a, *a]\n", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"plan":{"tp":2}}`, "plan: {tp: eight}\n"} {
		f.Add(uint8(i), []byte(s))
	}
	dir := f.TempDir()
	cat, err := catalog.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		path := filepath.Join(dir, "s.yaml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		switch which % 3 {
		case 0:
			var r calc.RunRequest
			if _, err = calc.DecodeRunFile(path, b, &r); err == nil {
				_, err = r.Setup(cat)
			}
		case 1:
			var reqs []calc.ServeRequest
			if reqs, err = calc.ServeScenario("s.yaml", b); err == nil {
				for _, r := range reqs {
					if _, err = r.Setup(cat); err != nil {
						break
					}
				}
			}
		case 2:
			var r calc.SimulateRequest
			if r, err = calc.SimulateScenario("s.yaml", b); err == nil && r.Workload.Trace == "" {
				_, err = r.Setup(cat, nil)
			}
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("kind %d, file %q: error of several lines: %q", which%3, b, err)
		}
		// Every input is also a --request file (train's: the API body as
		// JSON or YAML), decoded and resolved as the command does.
		var tr calc.TrainRequest
		rerr := calc.DecodeFile("r.yaml", b, &tr)
		if rerr == nil {
			_, rerr = tr.Setup(cat)
		}
		if rerr != nil && strings.Contains(rerr.Error(), "\n") {
			t.Fatalf("request file %q: error of several lines: %q", b, rerr)
		}
	})
}
