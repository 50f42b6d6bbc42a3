package sweep

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"chipgap/catalog"

	"github.com/parquet-go/parquet-go"
)

// tinyGrid is small enough to run in a test: serving and training, a
// what-if chip, two samples.
const tinyGrid = `format: chipgap-sweep/v1
seed: 7
samples: 3
chips: [h100-sxm]
what_if:
  - {label: h100-big, base: h100-sxm, hbm_capacity: 160GB, tdp: 800W, chips_per_node: 4}
sizes: [8]
models: [llama3.1-8b]
precisions: [bf16, fp8]
training: {tokens: 1e11, seq: 4096, global_batch: 256, whole_run: true}
serving:
  slos: [{tpot: 20ms}, {tpot: 50ms}]
`

func parse(t *testing.T, src string) *Grid {
	t.Helper()
	g, err := Parse("grid.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestParquetRoundTrip(t *testing.T) {
	g := parse(t, tinyGrid)
	rows, err := Run(context.Background(), g, g.Cells(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Error != "" {
			t.Errorf("cell %d (%s %s %s): %s", r.Cell, r.Target, r.Chip, r.Precision, r.Error)
		}
	}
	m, err := metaFor(g, All())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteParquet(&buf, rows, m); err != nil {
		t.Fatal(err)
	}
	got, gm, err := ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if gm != m {
		t.Errorf("metadata round trip = %+v, want %+v", gm, m)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("rows round trip differ:\n got %+v\nwant %+v", got[0], rows[0])
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range f.Schema().Fields() {
		names = append(names, c.Name())
	}
	if !reflect.DeepEqual(names, Columns()) {
		t.Errorf("file columns = %v, want %v", names, Columns())
	}
	// The sampled outputs are there, in order.
	for _, r := range rows {
		if r.Target == TargetServing && (r.USDPerMtokP10 == nil || *r.USDPerMtokP10 > *r.USDPerMtokP90) {
			t.Errorf("cell %d: $/Mtok P10 %v P90 %v", r.Cell, r.USDPerMtokP10, r.USDPerMtokP90)
		}
		if r.Target == TargetTraining && (r.TotalDaysP50 == nil || r.Plan == "") {
			t.Errorf("cell %d: training P50 %v plan %q", r.Cell, r.TotalDaysP50, r.Plan)
		}
	}
}

func TestWhatIfChip(t *testing.T) {
	g := parse(t, tinyGrid)
	rows, err := Run(context.Background(), g, g.Cells()[:4], Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	base, big := rows[0], rows[2] // bf16 training on h100-sxm and on the what-if
	if big.Chip != "h100-big" || !big.WhatIf || big.BaseChip != "h100-sxm" {
		t.Fatalf("cell 2 = %s (what-if %v, base %s), want the what-if h100-big", big.Chip, big.WhatIf, big.BaseChip)
	}
	// The what-if's node of 4 divides the cell's 8 chips: two nodes of 4
	// (one of 16 was refused as chipgap train refuses it: a training job
	// fills whole nodes; TestTrainingWholeNodes).
	if big.HBMBytes != 160e9 || big.TDPW != 800 || big.ChipsPerNode != 4 || big.PeakFLOPS != base.PeakFLOPS {
		t.Errorf("what-if inputs: HBM %g TDP %g node %d peak %g; want 160e9, 800, 4 (the what-if's node), %g",
			big.HBMBytes, big.TDPW, big.ChipsPerNode, big.PeakFLOPS, base.PeakFLOPS)
	}
	if !(*big.WallWPerChip > *base.WallWPerChip) {
		t.Errorf("wall power per chip: what-if %g, base %g; want the 800 W chip to draw more", *big.WallWPerChip, *base.WallWPerChip)
	}
}

// TestShardsMergeByteIdentical runs the grid whole and as 3 shards (in
// this process; cmd/chipgap's test runs separate processes) and merges.
func TestShardsMergeByteIdentical(t *testing.T) {
	g := parse(t, tinyGrid)
	ctx := context.Background()
	whole, shards, merged := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Execute(ctx, g, whole, ExecOptions{CSV: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res, err := Execute(ctx, g, shards, ExecOptions{Shard: Shard{i, 3}})
		if err != nil || res.Skipped {
			t.Fatalf("shard %d: %+v, %v", i, res, err)
		}
	}
	// A finished shard is skipped; its bytes stay.
	before := read(t, filepath.Join(shards, Shard{1, 3}.File()))
	if res, err := Execute(ctx, g, shards, ExecOptions{Shard: Shard{1, 3}}); err != nil || !res.Skipped {
		t.Errorf("rerun of shard 1/3 = %+v, %v; want skipped", res, err)
	}
	if _, err := Merge(shards, merged, true); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{DataFile, CSVFile} {
		if !bytes.Equal(read(t, filepath.Join(whole, f)), read(t, filepath.Join(merged, f))) {
			t.Errorf("merged %s differs from the whole run's", f)
		}
	}
	// Idempotent: a shard run again from scratch writes the same bytes.
	os.Remove(filepath.Join(shards, Shard{1, 3}.File()))
	if _, err := Execute(ctx, g, shards, ExecOptions{Shard: Shard{1, 3}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, read(t, filepath.Join(shards, Shard{1, 3}.File()))) {
		t.Error("shard 1/3 run twice gave different bytes")
	}
}

// TestShardOfOne: a stated --shard 0/1 wrote sweep.parquet, the whole
// grid's name, so merge found "no shard files" (QA); it writes its shard
// file, which merges into the whole grid's bytes. Unsharded (All) still
// writes sweep.parquet.
func TestShardOfOne(t *testing.T) {
	if f := (Shard{0, 1}).File(); f != "shard-00000-of-00001.parquet" {
		t.Errorf("Shard{0, 1}.File() = %q", f)
	}
	if f, s := All().File(), All().String(); f != DataFile || s != "all" || (Shard{0, 1}).String() != "0/1" {
		t.Errorf("All() = %q, %q; 0/1 = %q", f, s, Shard{0, 1})
	}
	g := parse(t, oneServingCell)
	ctx := context.Background()
	whole, shards, merged := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Execute(ctx, g, whole, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := Execute(ctx, g, shards, ExecOptions{Shard: Shard{0, 1}})
	if err != nil || res.Path != filepath.Join(shards, "shard-00000-of-00001.parquet") {
		t.Fatalf("shard 0/1: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(shards, DataFile)); err == nil {
		t.Errorf("shard 0/1 wrote %s", DataFile)
	}
	if _, err := Merge(shards, merged, false); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(whole, DataFile)), read(t, filepath.Join(merged, DataFile))) {
		t.Error("shard 0/1 merged differs from the whole run")
	}
}

// oneServingCell is a grid of one serving cell.
const oneServingCell = `format: chipgap-sweep/v1
seed: 1
chips: [h100-sxm]
sizes: [8]
models: [llama3.1-8b]
precisions: [bf16]
serving:
  slos: [{tpot: 50ms}]
`

func TestMergeErrors(t *testing.T) {
	g := parse(t, tinyGrid)
	other := parse(t, strings.Replace(tinyGrid, "seed: 7", "seed: 8", 1))
	ctx := context.Background()
	dir := t.TempDir()
	for _, run := range []struct {
		g  *Grid
		sh Shard
	}{{g, Shard{0, 2}}, {other, Shard{1, 2}}} {
		if _, err := Execute(ctx, run.g, dir, ExecOptions{Shard: run.sh, Options: Options{}}); err != nil {
			t.Fatal(err)
		}
	}
	// Shards that do not check are bad input (*Error: the CLI's exit 2).
	var fe *Error
	_, err := Merge(dir, t.TempDir(), false)
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "shards of different grids") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Merge of two grids = %v; want one *Error line saying the shards are of different grids", err)
	}
	missing := t.TempDir()
	if _, err := Execute(ctx, g, missing, ExecOptions{Shard: Shard{0, 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(missing, t.TempDir(), false); !errors.As(err, &fe) || !strings.Contains(err.Error(), "shards [1] of 2 are missing") {
		t.Errorf("Merge with a shard missing = %v", err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The grid hash covers what the rows were computed with as well as the
// grid: another row meaning or another catalog gives another hash, so a
// shard an older binary wrote is not skipped as done nor merged with new
// ones (before, a serving size's change from one instance to a fleet left
// the hash as it was).
func TestGridHashCoversModel(t *testing.T) {
	g := parse(t, tinyGrid)
	d := catalog.DataDigest()
	if len(d) != 64 || d != catalog.DataDigest() {
		t.Fatalf("catalog digest %q: want 64 hex digits, the same each call", d)
	}
	h := g.Hash()
	if h != g.hashWith(rowSemantics, d) {
		t.Fatalf("Hash %s is not the hash at this binary's row meaning and catalog", h)
	}
	if g.hashWith(rowSemantics-1, d) == h || g.hashWith(rowSemantics, strings.Repeat("0", 64)) == h {
		t.Error("the hash ignores the row meaning or the catalog")
	}
	// A finished shard whose file carries an older hash is run again.
	dir := t.TempDir()
	if _, err := Execute(context.Background(), g, dir, ExecOptions{Shard: Shard{0, 2}}); err != nil {
		t.Fatal(err)
	}
	m, err := metaFor(g, Shard{0, 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Hash = g.hashWith(rowSemantics-1, d)
	if done(filepath.Join(dir, Shard{0, 2}.File()), m) {
		t.Error("a shard file is taken as done for a grid hash it does not carry")
	}
}
