package runs

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// duplicateAnchors appends to dup each anchor the tree under n defines a
// second time (seen holds those met so far). YAML 1.2
// lets a later anchor of the same name shadow an earlier one, but YAML 1.1
// readers (PyYAML, the usual tool for checking these files by hand) refuse
// such a document, so the data files this repository publishes define each
// anchor once.
func duplicateAnchors(n *yaml.Node, seen map[string]bool, dup *[]string) {
	if n == nil {
		return
	}
	if n.Anchor != "" && n.Kind != yaml.AliasNode {
		if seen[n.Anchor] {
			*dup = append(*dup, n.Anchor)
		}
		seen[n.Anchor] = true
	}
	for _, c := range n.Content {
		duplicateAnchors(c, seen, dup)
	}
}

func TestDataFilesDefineEachAnchorOnce(t *testing.T) {
	var files []string
	for _, g := range []string{"../validation/*.yaml", "testdata/*.yaml", "../cmd/chipgap/testdata/*.yaml", "../catalog/data/*.yaml", "../examples/*.yaml"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("found %d data files; the globs no longer reach the repository's files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var dup []string
		duplicateAnchors(&doc, map[string]bool{}, &dup)
		if len(dup) > 0 {
			t.Errorf("%s defines anchors more than once: %v (YAML 1.1 readers refuse the file)", f, dup)
		}
	}
}
