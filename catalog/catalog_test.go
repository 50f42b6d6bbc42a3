package catalog

import (
	"errors"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"chipgap/hardware"
	"chipgap/units"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// specChips are the chip ids listed in /work/shared/spec/published-runs.md.
var specChips = []string{"a100-sxm4-40gb", "a100-sxm4-80gb", "h100-sxm", "h100-pcie", "h800-sxm",
	"h20", "h200-sxm", "b200", "gb200", "mi300x", "mi325x", "tpu-v4", "tpu-v5e", "tpu-v5p", "tpu-v6e",
	"gaudi2", "gaudi3", "ascend-910", "ascend-910b", "ascend-910b1", "ascend-910b2", "ascend-910b3",
	"ascend-910b4", "ascend-910c", "ascend-950pr", "ascend-950dt"}

func TestSpecChipsExist(t *testing.T) {
	c := load(t)
	for _, id := range specChips {
		ch, err := c.Chip(id)
		if err != nil {
			t.Error(err)
			continue
		}
		if _, ok := ch.PeakFor(hardware.BF16); !ok && id != "ascend-910" && !strings.HasPrefix(id, "ascend-950") {
			t.Errorf("%s: no BF16 peak", id)
		}
		if !ch.HBM.Capacity.Known() || !ch.HBM.Bandwidth.Known() {
			t.Errorf("%s: HBM capacity or bandwidth missing", id)
		}
	}
	if n := len(c.Chips()); n < len(specChips) {
		t.Errorf("%d chips, want at least %d", n, len(specChips))
	}
	if len(c.Networks()) < 15 || len(c.Systems()) < 10 {
		t.Errorf("%d networks, %d systems: want ≥ 15 and ≥ 10", len(c.Networks()), len(c.Systems()))
	}
}

func inRange(t *testing.T, what string, v, lo, hi float64) {
	t.Helper()
	if v < lo || v > hi {
		t.Errorf("%s = %g, want within [%g, %g]", what, v, lo, hi)
	}
}

// TestUnitScale catches unit slips (GB for GB/s, TOPS for PFLOPS, W for kW).
func TestUnitScale(t *testing.T) {
	c := load(t)
	for _, ch := range c.Chips() {
		for p, v := range ch.Peak {
			for _, x := range []units.FLOPRate{v.Min, v.Typ, v.Max} {
				inRange(t, ch.ID+" peak "+string(p), float64(x), 1e12, 100e15)
			}
		}
		check := func(name string, v float64, known bool, lo, hi float64) {
			if known {
				inRange(t, ch.ID+" "+name, v, lo, hi)
			}
		}
		check("hbm.capacity", float64(ch.HBM.Capacity.Min), true, 8e9, 1e12)
		check("hbm.capacity", float64(ch.HBM.Capacity.Max), true, 8e9, 1e12)
		check("hbm.bandwidth", float64(ch.HBM.Bandwidth.Min), true, 300e9, 20e12)
		check("hbm.bandwidth", float64(ch.HBM.Bandwidth.Max), true, 300e9, 20e12)
		check("tdp", float64(ch.TDP.Typ), ch.TDP.Known(), 50, 2000)
		check("sram", float64(ch.SRAM.Typ), ch.SRAM.Known(), 1e6, 1e9)
		check("die_area_mm2", float64(ch.DieArea.Typ), ch.DieArea.Known(), 100, 900)
		check("scale_up.bandwidth", float64(ch.ScaleUp.Bandwidth.Typ), ch.ScaleUp.Bandwidth.Known(), 10e9, 10e12)
		check("scale_out.bandwidth", float64(ch.ScaleOut.Bandwidth.Typ), ch.ScaleOut.Bandwidth.Known(), 1e9, 200e9)
		check("price", float64(ch.Price.Typ), ch.Price.Known(), 1e3, 1e5)
		check("rental", float64(ch.Rental.Typ), ch.Rental.Known(), 0.1, 50)
		inRange(t, ch.ID+" launch_year", float64(ch.LaunchYear), 2018, 2029)
	}
	for _, n := range c.Networks() {
		inRange(t, n.ID+" latency", float64(n.Latency.Typ), 0.1e-6, 100e-6)
		inRange(t, n.ID+" bandwidth", float64(n.Bandwidth.Typ), 1e9, 2e12)
	}
	for _, s := range c.Systems() {
		if s.Power.Known() {
			inRange(t, s.ID+" power per chip", float64(s.Power.Typ)/float64(s.Chips), 300, 3000)
		}
	}
}

// TestPublishedFigures checks values against the sources' own numbers.
func TestPublishedFigures(t *testing.T) {
	c := load(t)
	get := func(id string) *hardware.Chip {
		ch, err := c.Chip(id)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	// H100 SXM datasheet: 989.4 TF BF16 dense (1978.9 sparse), 3.35 TB/s, 80 GB, 700 W.
	// The 80 GB are binary: 80 GiB = 85.9e9 bytes (nvidia-smi: 81,559 MiB usable).
	h := get("h100-sxm")
	if h.Peak[hardware.BF16].Typ != 989.4e12 || h.HBM.Bandwidth.Typ != 3.35e12 || h.HBM.Capacity.Typ != 80<<30 || h.TDP.Typ != 700 {
		t.Errorf("h100-sxm: bf16 %v, bw %v, hbm %v, tdp %v", h.Peak[hardware.BF16].Typ, h.HBM.Bandwidth.Typ, h.HBM.Capacity.Typ, h.TDP.Typ)
	}
	// 910B BF16: 280 (Gitee), 320 (most), 376 (Epoch/TrendForce).
	b := get("ascend-910b").Peak[hardware.BF16]
	if b.Min != 280e12 || b.Typ != 320e12 || b.Max != 376e12 {
		t.Errorf("ascend-910b bf16 = %v [%v, %v], want 320 [280, 376] TF", b.Typ, b.Min, b.Max)
	}
	// 910B1: 24 cores x 4096 MAC x 2 FLOP x 1.8 GHz = 353.9 TF.
	if got := float64(get("ascend-910b1").Peak[hardware.BF16].Typ); math.Abs(got-24*4096*2*1.8e9) > 1e12 {
		t.Errorf("ascend-910b1 bf16 = %g, want ~3.539e14", got)
	}
	if get("ascend-910c").DevicesPerChip != 2 {
		t.Error("ascend-910c devices_per_chip != 2")
	}
	stacks := map[string]string{"h100-sxm": "cuda", "ascend-910c": "cann", "mi300x": "rocm", "tpu-v5p": "xla", "gaudi3": "synapse"}
	for id, s := range stacks {
		if get(id).Stack != s {
			t.Errorf("%s stack = %q, want %q", id, get(id).Stack, s)
		}
	}
}

func TestLookupSuggests(t *testing.T) {
	c := load(t)
	_, err := c.Chip("h100")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{`unknown chip "h100"`, "h100-sxm", "h100-pcie"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := c.Network("nvlink9"); err == nil || !strings.Contains(err.Error(), "nvlink") {
		t.Errorf("Network(nvlink9) error = %v", err)
	}
	if _, err := c.Source("klockwood_h100"); err != nil {
		t.Error(err)
	}
}

// TestClusterH100 works the H100 tiers by hand: NVLink 4 is 18 links x
// 50 GB/s = 900 GB/s bidirectional → 450 GB/s each way; one 400 Gbit/s
// NDR NIC per GPU → 400e9/8 = 50 GB/s each way.
func TestClusterH100(t *testing.T) {
	c := load(t)
	cl, err := c.Cluster("h100-sxm", 32, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := hardware.Cluster{ChipID: "h100-sxm", Chips: 32, ChipsPerNode: 8, SystemNode: 8, Stack: "cuda",
		ScaleUp:  hardware.Tier{Bandwidth: 450e9, Latency: 3e-6, Size: 8},
		ScaleOut: hardware.Tier{Bandwidth: 50e9, Latency: 7e-6, Size: 0}}
	cl.Chip = nil
	if cl != want {
		t.Errorf("cluster = %+v\nwant      %+v", cl, want)
	}
	// A job smaller than a node spans only its own chips, on the system's
	// node: eight GPUs of a GB200 NVL72 rack.
	if g, err := c.Cluster("gb200", 8, ClusterOptions{}); err != nil || g.ChipsPerNode != 8 || g.SystemNode != 72 {
		t.Errorf("8 gb200: chips per node %d, system node %d (err %v); want 8 and 72", g.ChipsPerNode, g.SystemNode, err)
	}
	if cl.Nodes() != 4 {
		t.Errorf("nodes = %d, want 4", cl.Nodes())
	}
	cl, err = c.Cluster("h100-sxm", 16, ClusterOptions{ScaleOut: 200, ChipsPerNode: 4, Stack: "cuda"})
	if err != nil || cl.ScaleOut.Bandwidth != 25e9 || cl.ScaleUp.Size != 4 {
		t.Errorf("override: %+v, %v", cl, err)
	}
	for _, o := range []ClusterOptions{{ChipsPerNode: 512}, {ScaleOut: -1}, {Stack: "opencl"}} {
		if _, err := c.Cluster("h100-sxm", 16, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if cl, err := c.Cluster("tpu-v5p", 256, ClusterOptions{}); err != nil || cl.ChipsPerNode != 256 || cl.ScaleUp.Size != 256 || cl.Nodes() != 1 {
		t.Errorf("tpu-v5p x 256: %+v, %v: want one 256-chip ICI domain", cl, err)
	}
	if _, err := c.Cluster("h100-sxm", 0, ClusterOptions{}); err == nil {
		t.Error("0 chips: no error")
	}
}

// TestRatioRanges: 910C ridge = 780e12/3.2e12 = 243.75 FLOP/B; low end
// 752e12/3.5e12 = 214.86; high end 800e12/1.8e12 = 444.4.
func TestRatioRanges(t *testing.T) {
	c := load(t)
	ch, _ := c.Chip("ascend-910c")
	r := ChipMetrics(ch).RidgeFLOPPerByte
	for _, x := range [][2]float64{{float64(r.Typ), 243.75}, {float64(r.Min), 752.0 / 3.5}, {float64(r.Max), 800.0 / 1.8}} {
		if math.Abs(x[0]-x[1]) > 1e-9*x[1] {
			t.Errorf("ridge = %g, want %g", x[0], x[1])
		}
	}
	// H100: 989.4 TF / 700 W = 1.4134 TF/W.
	h, _ := c.Chip("h100-sxm")
	if got := float64(ChipMetrics(h).TFLOPSPerWatt.Typ); math.Abs(got-989.4/700) > 1e-12 {
		t.Errorf("h100 TF/W = %g", got)
	}
}

// TestUnmarshalText checks that yaml.v3 parses unit strings through the
// units types' UnmarshalText inside hardware.Value.
func TestUnmarshalText(t *testing.T) {
	var v struct {
		P hardware.Value[units.FLOPRate]   `yaml:"p"`
		B hardware.Value[units.ByteRate]   `yaml:"b"`
		U hardware.Value[units.USD]        `yaml:"u"`
		R hardware.Value[units.USDPerHour] `yaml:"r"`
		L hardware.Value[units.Seconds]    `yaml:"l"`
	}
	in := "p: {typ: 989.4TFLOPS}\nb: {min: 3TB/s, typ: 3.35TB/s}\nu: {typ: $30k}\nr: {typ: $2.35/h}\nl: {typ: 3us}\n"
	if err := yaml.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.P.Typ != 989.4e12 || v.B.Min != 3e12 || v.B.Typ != 3.35e12 || v.U.Typ != 30000 || v.R.Typ != 2.35 || math.Abs(float64(v.L.Typ)-3e-6) > 1e-18 {
		t.Errorf("decoded %+v", v)
	}
}

// withFile returns the embedded data with one file replaced.
func withFile(t *testing.T, name, body string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	files, err := fs.Glob(dataFS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(dataFS, f)
		if err != nil {
			t.Fatal(err)
		}
		m[f] = &fstest.MapFile{Data: b}
	}
	m[name] = &fstest.MapFile{Data: []byte(body)}
	return m
}

func TestStrictErrors(t *testing.T) {
	b, _ := fs.ReadFile(dataFS, "chips.yaml")
	chips := string(b)
	cases := []struct{ name, file, body, want string }{
		{"unknown field", "chips.yaml", strings.Replace(chips, "    dies: 1\n", "    dies: 1\n    diez: 2\n", 1), "line"},
		{"bad unit", "chips.yaml", strings.Replace(chips, "typ: 700W", "typ: 700 parsecs", 1), "field chips.tdp.typ"},
		{"no source", "chips.yaml", strings.Replace(chips, "tdp: {typ: 700W, sources: [klockwood_h100, epoch_chipdb]}", "tdp: {typ: 700W}", 1), "h100-sxm: tdp: no sources"},
		{"dangling source", "chips.yaml", strings.Replace(chips, "[klockwood_h100, epoch_chipdb]}", "[nope_h100]}", 1), `unknown source "nope_h100"`},
		{"min above typ", "chips.yaml", strings.Replace(chips, "tdp: {typ: 700W,", "tdp: {min: 800W, typ: 700W,", 1), "min 800"},
		{"bad stack", "chips.yaml", strings.Replace(chips, "stack: cuda", "stack: opencl", 1), `stack "opencl"`},
		{"model", "models.yaml", "models:\n  - {id: x, name: X, layers: 0}\n", `model "x"`},
	}
	for _, tc := range cases {
		if tc.body == chips && tc.file == "chips.yaml" {
			t.Fatalf("%s: replacement did not apply", tc.name)
		}
		_, err := loadFrom(withFile(t, tc.file, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.file) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.file)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	ids := []string{"b200", "h100-pcie", "h100-sxm", "ascend-910b", "ascend-910c", "vllm", "vllm-ascend"}
	for in, want := range map[string]string{
		"h100":        "; did you mean h100-sxm, h100-pcie?",
		"ascend-910x": "; did you mean ascend-910b, ascend-910c?",
		"zzz":         "",
		// A known id with a suffix: the id it names, not one a letter
		// off (QA: b200-sxm got h200-sxm), the longest first.
		"b200-sxm":         "; did you mean b200, h100-sxm?",
		"nvidia-h100-sxm5": "; did you mean h100-sxm?",
		"ascend-910b3":     "; did you mean ascend-910b, ascend-910c?",
		"vllm-ascnd":       "; did you mean vllm-ascend, vllm?",
	} {
		if got := Suggest(in, ids); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSuggestOnlyClose: a name is suggested only where it is close, an
// edit per four letters (at least one), and not at twice the edits of
// the nearest (QA: --software vlm suggested "vllm, xla", xla two edits
// of three letters; h100-sxn named h200-sxm and h800-sxm beside
// h100-sxm); a transposed pair is one edit (sglnag, modle).
func TestSuggestOnlyClose(t *testing.T) {
	ids := []string{"h100-sxm", "h200-sxm", "h800-sxm", "mi300x", "mi325x", "mi350x", "vllm", "xla", "sglang", "mode", "model", "llama3.1-8b", "llama3.1-70b", "llama2-70b",
		"megatron-lm", "megatron-core", "megatron-bridge", "megatron-lm-rocm"}
	for in, want := range map[string]string{
		// two edits from the id it names, one from another: both, the
		// longer shared start first
		"llama3-70b": "; did you mean llama3.1-70b, llama2-70b?",
		"vlm":        "; did you mean vllm?",
		"h100-sxn":   "; did you mean h100-sxm?",
		"mi30x":      "; did you mean mi300x, mi350x?",
		"sglnag":     "; did you mean sglang?",
		"modle":      "; did you mean mode, model?",
		"lama3.1-8b": "; did you mean llama3.1-8b?",
		"xl":         "; did you mean xla?",
		"vlx":        "",
		// near the head of a family of ids, far from each id: the family's
		// nearest (QA: --software megatorn named none)
		"megatorn": "; did you mean megatron-lm, megatron-core?",
		"sglnag-x": "",
	} {
		if got := Suggest(in, ids); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLongUnknownID: an unknown id of a megabyte costs no fuzzy matching
// (before: the edit distance to every id, about a second, and every id
// was "close" to it) and its message quotes its first 100 characters.
func TestLongUnknownID(t *testing.T) {
	c := load(t)
	long := strings.Repeat("a", 1<<20)
	start := time.Now()
	if got := Suggest(long, c.ChipIDs()); got != "" {
		t.Errorf("Suggest(a megabyte of a) = %.100q, want none", got)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("Suggest of a megabyte took %v", d)
	}
	if got := Suggest(strings.Repeat("h100-sxm", 30), c.ChipIDs()); got != "" {
		t.Errorf("Suggest of 240 bytes = %q, want none (over the 200-byte bound)", got)
	}
	want := `unknown source "` + strings.Repeat("a", 100) + `…" (1048576 bytes) (none of the`
	for _, err := range []error{second(c.Source(long)), second(c.Model(long))} {
		if err == nil || len(err.Error()) > 300 || !strings.Contains(strings.Replace(err.Error(), "unknown model", "unknown source", 1), want) {
			t.Errorf("lookup of a megabyte id: %.400v, want %q…", err, want)
		}
	}
	if _, err := c.Chip("h100-sxn"); err == nil || !strings.Contains(err.Error(), `unknown chip "h100-sxn"; did you mean h100-sxm`) {
		t.Errorf("a short id: %v, want it whole with suggestions", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestDecodeOnce: Load decodes each embedded data file once per process;
// no lookup, cluster or data accessor decodes again.
func TestDecodeOnce(t *testing.T) {
	files, err := fs.Glob(dataFS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n0 := decodes.Load()
	if _, err := loadFrom(dataFS); err != nil {
		t.Fatal(err)
	}
	if got := decodes.Load() - n0; got != int64(len(files)) {
		t.Errorf("loadFrom decoded %d files, want each of the %d once", got, len(files))
	}
	c := load(t)
	n := decodes.Load()
	for range 3 {
		if _, err := Load(); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Econ()
		_, _ = c.Fab()
		_, _ = c.Reliability()
		_, _ = c.Engineering()
		_, _ = c.TrainingStacks()
		_, _ = c.InferenceStacksData()
		if _, err := c.FabCase("ascend-910c", "", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.TrainingProfile("cann", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Cluster("h100-sxm", 64, ClusterOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := decodes.Load() - n; got != 0 {
		t.Errorf("%d decodes after Load; want 0 (Load decodes every file once)", got)
	}
}

// BenchmarkLoad measures an uncached decode and check of the embedded data.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := loadFrom(dataFS); err != nil {
			b.Fatal(err)
		}
	}
}
