package catalog

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"chipgap/hardware"
	"chipgap/llm"
)

//go:embed data
var embedded embed.FS

// dataFS is the embedded data directory (files at its root: "chips.yaml",
// "sources.yaml" and any "sources-*.yaml" (all merged into one source table),
// "stacks-training.yaml", ...). loadFrom decodes every file of it once.
var dataFS fs.FS = mustSub(embedded, "data")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // unreachable: dir is a literal embedded above
	}
	return sub
}

// DataDigest is the SHA-256 (hex) of the embedded data directory, every
// file's name and bytes in name order: what a stored result computed
// from the catalog (a sweep's shards) checks it was computed with the
// same catalog as the others it is merged with.
func DataDigest() string { return dataDigest() }

var dataDigest = sync.OnceValue(func() string {
	h := sha256.New()
	err := fs.WalkDir(dataFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dataFS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err) // unreachable: the directory is embedded
	}
	return hex.EncodeToString(h.Sum(nil))
})

// ErrNotFound is wrapped by every lookup of an unknown id.
var ErrNotFound = errors.New("not found")

// Stacks returns the software-stack ids a chip may name as its default.
func Stacks() []string { return []string{"cuda", "cann", "rocm", "xla", "synapse"} }

// Catalog holds every chip, network, system, source and model preset, and
// the decoded econ, fab, reliability and stack data. It is immutable once
// Load returns it.
type Catalog struct {
	chips    map[string]*hardware.Chip
	networks map[string]*hardware.Network
	systems  map[string]*hardware.System
	sources  map[string]*hardware.Source
	models   []llm.Model

	econ        *EconData
	fab         *FabData
	reliability *Reliability
	engineering map[string]StackEngineering
	training    []TrainingStack
	inference   *InferenceStacks
	explained   map[string]Explained
	scores      []Score
}

var loadOnce = sync.OnceValues(func() (*Catalog, error) { return loadFrom(dataFS) })

// Load decodes every embedded data file once per process, checks it and
// returns the shared catalog. Callers must not modify what it or its
// methods return.
func Load() (*Catalog, error) { return loadOnce() }

// loadFrom decodes and checks a data directory (tests pass fstest.MapFS):
// the chips, networks, systems, sources and models, then the files that
// are checked against them.
func loadFrom(fsys fs.FS) (*Catalog, error) {
	c, err := loadCore(fsys)
	if err != nil {
		return nil, err
	}
	if err := c.loadData(fsys); err != nil {
		return nil, err
	}
	return c, nil
}

// loadData decodes the files checked against the core tables.
func (c *Catalog) loadData(fsys fs.FS) (err error) {
	if c.econ, err = c.econFrom(fsys); err != nil {
		return err
	}
	if c.fab, err = c.fabFrom(fsys); err != nil {
		return err
	}
	if c.reliability, err = c.reliabilityFrom(fsys); err != nil {
		return err
	}
	if c.engineering, err = c.engineeringFrom(fsys); err != nil {
		return err
	}
	if c.training, err = c.trainingStacksFrom(fsys); err != nil {
		return err
	}
	if c.explained, err = c.explainedFrom(fsys); err != nil {
		return err
	}
	if c.scores, err = scorecardFrom(fsys); err != nil {
		return err
	}
	if c.inference, err = loadInferenceStacks(c, fsys, "stacks-inference.yaml"); err != nil {
		return err
	}
	return checkScoreEngines(c.scores, c.inference)
}

// loadCore decodes and checks the chips, networks, systems, sources and
// models.
func loadCore(fsys fs.FS) (*Catalog, error) {
	var (
		src struct{ Sources []hardware.Source }
		chp struct{ Chips []hardware.Chip }
		net struct{ Networks []hardware.Network }
		sys struct{ Systems []hardware.System }
		mod struct{ Models []llm.Model }
	)
	for _, f := range []struct {
		name string
		v    any
	}{{"chips.yaml", &chp}, {"networks.yaml", &net}, {"systems.yaml", &sys}, {"models.yaml", &mod}} {
		if err := decodeFile(fsys, f.name, f.v); err != nil {
			return nil, err
		}
	}
	// Sources: sources.yaml plus any sources-*.yaml another owner adds
	// (e.g. sources-models.yaml for the model presets' papers).
	srcFiles, _ := fs.Glob(fsys, "sources*.yaml") // the pattern is valid
	for _, name := range srcFiles {
		var part struct{ Sources []hardware.Source }
		if err := decodeFile(fsys, name, &part); err != nil {
			return nil, err
		}
		src.Sources = append(src.Sources, part.Sources...)
	}
	c := &Catalog{
		chips:    map[string]*hardware.Chip{},
		networks: map[string]*hardware.Network{},
		systems:  map[string]*hardware.System{},
		sources:  map[string]*hardware.Source{},
	}
	if err := c.index(src.Sources, chp.Chips, net.Networks, sys.Systems); err != nil {
		return nil, err
	}
	if err := c.addModels(mod.Models); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Catalog) index(src []hardware.Source, chips []hardware.Chip, nets []hardware.Network, syss []hardware.System) error {
	for i := range src {
		if err := put(c.sources, "sources.yaml", "source", src[i].Key, &src[i]); err != nil {
			return err
		}
	}
	for i := range chips {
		normChip(&chips[i])
		if err := put(c.chips, "chips.yaml", "chip", chips[i].ID, &chips[i]); err != nil {
			return err
		}
	}
	for i := range nets {
		normNetwork(&nets[i])
		if err := put(c.networks, "networks.yaml", "network", nets[i].ID, &nets[i]); err != nil {
			return err
		}
	}
	for i := range syss {
		norm(&syss[i].Power)
		norm(&syss[i].Price)
		if err := put(c.systems, "systems.yaml", "system", syss[i].ID, &syss[i]); err != nil {
			return err
		}
	}
	return nil
}

func put[T any](m map[string]*T, file, kind, id string, v *T) error {
	if id == "" {
		return fmt.Errorf("catalog: %s: a %s has an empty id", file, kind)
	}
	if _, dup := m[id]; dup {
		return fmt.Errorf("catalog: %s: %s %q is defined twice", file, kind, id)
	}
	m[id] = v
	return nil
}

func (c *Catalog) addModels(ms []llm.Model) error {
	seen := map[string]bool{}
	for i, m := range ms {
		m = m.WithDefaults()
		if m.ID == "" {
			return fmt.Errorf("catalog: models.yaml: model #%d (%q) has no id", i+1, m.Name)
		}
		if seen[m.ID] {
			return fmt.Errorf("catalog: models.yaml: model %q is defined twice", m.ID)
		}
		if err := m.Validate(); err != nil {
			return fmt.Errorf("catalog: models.yaml: model %q: %w", m.ID, err)
		}
		seen[m.ID] = true
		c.models = append(c.models, m)
	}
	return nil
}

// Chip returns the chip with this id.
func (c *Catalog) Chip(id string) (*hardware.Chip, error) { return lookup(c.chips, "chip", id) }

// Network returns the network tier with this id.
func (c *Catalog) Network(id string) (*hardware.Network, error) {
	return lookup(c.networks, "network", id)
}

// System returns the system with this id.
func (c *Catalog) System(id string) (*hardware.System, error) { return lookup(c.systems, "system", id) }

// Source returns the source with this key.
func (c *Catalog) Source(key string) (*hardware.Source, error) {
	return lookup(c.sources, "source", key)
}

// Chips returns every chip, sorted by id.
func (c *Catalog) Chips() []*hardware.Chip { return sorted(c.chips) }

// Networks returns every network, sorted by id.
func (c *Catalog) Networks() []*hardware.Network { return sorted(c.networks) }

// Systems returns every system, sorted by id.
func (c *Catalog) Systems() []*hardware.System { return sorted(c.systems) }

// ChipIDs returns every chip id, sorted.
func (c *Catalog) ChipIDs() []string { return keys(c.chips) }

// Models returns the model presets in file order (defaults filled).
func (c *Catalog) Models() []llm.Model { return append([]llm.Model(nil), c.models...) }

// Model returns the model preset with this id.
func (c *Catalog) Model(id string) (llm.Model, error) {
	var ids []string
	for _, m := range c.models {
		if m.ID == id {
			return m, nil
		}
		ids = append(ids, m.ID)
	}
	return llm.Model{}, &notFound{fmt.Sprintf("unknown model %s%s", quoteID(id), suggestOrCount(id, ids, "model"))}
}

func lookup[T any](m map[string]*T, kind, id string) (*T, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	return nil, &notFound{fmt.Sprintf("unknown %s %s%s", kind, quoteID(id), suggestOrCount(id, keys(m), kind))}
}

// maxEchoedID is how much of an unknown id a lookup's message quotes,
// in characters: a request may carry an id of a megabyte.
const maxEchoedID = 100

// quoteID is id quoted as %q does, cut to its first maxEchoedID
// characters with an ellipsis when it is longer.
func quoteID(id string) string {
	n := 0
	for i := range id {
		if n == maxEchoedID {
			return strconv.Quote(id[:i]+"…") + fmt.Sprintf(" (%d bytes)", len(id))
		}
		n++
	}
	return strconv.Quote(id)
}

// suggestOrCount names the close ids, or when none is close says how
// many there are and where they are listed.
func suggestOrCount(id string, ids []string, kind string) string {
	if s := Suggest(id, ids); s != "" {
		return s
	}
	if kind == "chip" || kind == "model" {
		return fmt.Sprintf(" (none of the %d %s ids is close; 'chipgap %ss' lists them)", len(ids), kind, kind)
	}
	return fmt.Sprintf(" (none of the %d %s ids is close)", len(ids), kind)
}

// notFound is a lookup error: one line naming the closest ids; it
// matches ErrNotFound under errors.Is.
type notFound struct{ msg string }

func (e *notFound) Error() string { return e.msg }
func (e *notFound) Unwrap() error { return ErrNotFound }

func keys[T any](m map[string]*T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sorted[T any](m map[string]*T) []*T {
	var out []*T
	for _, k := range keys(m) {
		out = append(out, m[k])
	}
	return out
}

// maxSuggestLen bounds the strings Suggest matches, in bytes: the edit
// distance costs len(s) × len(id) for each id, and no id is near this
// long (the longest catalog ids are under 40 bytes).
const maxSuggestLen = 200

// minWithinLen is the shortest id Suggest offers for being part of s: a
// shorter one (h20 in "h200-sxm5") names too little to be meant.
const minWithinLen = 4

// Suggest returns "; did you mean a, b?" naming up to three ids close to
// s: those that contain s if any do, nearest first; else those that s
// contains (a known id with something added) and those near it, the ones
// that begin most like s first, then the nearest: "b200-sxm" → b200
// before h100-sxm, and "vllm-ascnd" → vllm-ascend before vllm. An id is
// near within an edit per four bytes of s (at least one; a transposed
// pair is one edit, editDistance), and only if under twice the nearest
// one's edits: "vlm" → vllm, not also xla (two edits of three letters),
// "h100-sxn" → h100-sxm, not also h200-sxm and h800-sxm. An id is near
// too where s is near its head (nearHead): "megatorn" → megatron-lm,
// megatron-core, the nearest of the megatron family. "" when none is
// close, or when s is over maxSuggestLen bytes (so that a huge unknown id
// costs no more than a short one).
func Suggest(s string, ids []string) string {
	if len(s) > maxSuggestLen {
		return ""
	}
	var cs, contains, near []suggestion
	ls := strings.ToLower(s)
	for _, id := range ids {
		c := suggestion{id, editDistance(ls, id), commonPrefix(ls, id)}
		switch {
		case ls != "" && strings.Contains(id, ls):
			contains = append(contains, c)
		case len(id) >= minWithinLen && strings.Contains(ls, id):
			cs = append(cs, c)
		case c.d <= max(1, len(s)/4) || nearHead(ls, id, max(1, len(s)/4)):
			near = append(near, c)
		}
	}
	if len(contains) > 0 {
		cs = contains // "h100" → the ids that contain it, not b200
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	} else {
		cs = append(cs, nearest(near)...)
		sort.SliceStable(cs, func(i, j int) bool {
			return cs[i].pre > cs[j].pre || cs[i].pre == cs[j].pre && cs[i].d < cs[j].d
		})
	}
	if len(cs) == 0 {
		return ""
	}
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].id)
	}
	return "; did you mean " + strings.Join(out, ", ") + "?"
}

// nearHead reports whether s is within lim edits of a head of id: the
// part before one of its hyphens, at least minWithinLen bytes ("megatorn"
// is one edit from megatron, the head of megatron-lm and megatron-core,
// though four and six from the ids).
func nearHead(s, id string, lim int) bool {
	for i := minWithinLen; i < len(id); i++ {
		if id[i] == '-' && editDistance(s, id[:i]) <= lim {
			return true
		}
	}
	return false
}

// suggestion is an id Suggest may offer.
type suggestion struct {
	id     string
	d, pre int // edit distance; bytes in common at the start
}

// nearest keeps the candidates under twice the fewest edits of any (one
// letter off outdoes two: h100-sxn is h100-sxm, not h200-sxm), and those
// farther that share a longer start with the name than the nearest do
// (llama3-70b is two edits from llama3.1-70b, one from llama2-70b: both).
func nearest(cs []suggestion) []suggestion {
	if len(cs) == 0 {
		return nil
	}
	best := slices.MinFunc(cs, func(a, b suggestion) int { return a.d - b.d }).d
	pre := 0
	for _, c := range cs {
		if c.d == best {
			pre = max(pre, c.pre)
		}
	}
	return slices.DeleteFunc(cs, func(c suggestion) bool { return c.d >= 2*best && c.pre <= pre })
}

// commonPrefix is the bytes a and b have in common at the start.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// editDistance is the edits from a to b, each the insertion, deletion
// or substitution of a byte or the swap of two adjacent ones (optimal
// string alignment): "sglnag" is one from sglang, as "modle" is from
// model.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
