package sweep

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary grid files to Parse: it accepts or returns
// a one-line error, never panics, and what it accepts has a hash and a
// cell count within the limit.
// go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./sweep
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*sweep*.yaml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", okGrid, tinyGrid, "format: chipgap-sweep/v1\nsamples: .nan\n", "a: &a [*a, *a]\n",
		strings.Replace(okGrid, "500W", "-1e400W", 1), strings.Replace(okGrid, "[8]", "[1048576, 1048576]", 1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse("fuzz.yaml", b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if n := g.Count(); n < 1 || n > MaxCells || len(g.Hash()) != 64 {
			t.Errorf("accepted a grid of %d cells, hash %q", n, g.Hash())
		}
	})
}
