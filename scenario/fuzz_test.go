package scenario

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary scenario files (YAML or JSON) to Parse: it
// accepts or returns an error, never panics, and what it accepts
// encodes to JSON that Parse accepts again (the web page's round trip).
// The seeds are the examples and the built-in scenario; testdata/fuzz
// keeps the inputs that found bugs.
// go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./scenario
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && !strings.Contains(name, "run-") && !strings.Contains(name, "simulate-") {
			f.Add(b)
		}
	}
	def, err := json.Marshal(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	for _, s := range []string{"", "null", "[1, 2]", "format: chipgap-scenario/v1\nsamples: .nan\n",
		"format: chipgap-scenario/v1\ntraining:\n  chips: -1\n", "a: &a [*a, *a]\n", "format: chipgap-scenario/v1\ninference:\n  tpot: 1e300s\n",
		"format: chipgap-scenario/v1\neconomics:\n  network_share: {min: .nan, typ: 0.15, max: 0.2}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := Parse("fuzz.yaml", b)
		if err != nil {
			return
		}
		again, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", b, err)
		}
		if _, err := Parse("again.json", again); err != nil {
			t.Fatalf("accepted %q, but not its JSON %s: %v", b, again, err)
		}
	})
}
