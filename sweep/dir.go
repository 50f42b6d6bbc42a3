package sweep

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"chipgap/fileio"
)

// ExecOptions say which slice of a grid to run and what to write.
type ExecOptions struct {
	Shard Shard
	CSV   bool // also write sweep.csv (whole grid only; merge writes it for shards)
	Options
}

// Outcome is what Execute did.
type Outcome struct {
	Path    string // the Parquet file
	Cells   int    // cells of this shard
	Skipped bool   // the file was already there, complete, for this grid
}

// Execute runs one shard of g into dir (created if missing): the
// shard's Parquet file (Shard.File), written through a temporary file
// and renamed into place only once complete. A shard whose file is
// already there for the same grid is skipped (resumable); a rerun
// rewrites the same bytes (idempotent).
func Execute(ctx context.Context, g *Grid, dir string, o ExecOptions) (Outcome, error) {
	meta, err := metaFor(g, o.Shard)
	if err != nil {
		return Outcome{}, err
	}
	cells := o.Shard.Of(g.Cells())
	out := Outcome{Path: filepath.Join(dir, o.Shard.File()), Cells: len(cells)}
	if err := mkdir(dir); err != nil {
		return out, err
	}
	if done(out.Path, meta) && (!o.CSV || o.Shard.Sharded() || exists(filepath.Join(dir, CSVFile))) {
		out.Skipped = true
		return out, nil
	}
	rows, err := Run(ctx, g, cells, o.Options)
	if err != nil {
		return out, err
	}
	return out, writeOutputs(dir, o.Shard.File(), rows, meta, o.CSV && !o.Shard.Sharded())
}

// MetaOf is the metadata of the whole grid's output (shard "all"), as
// a sweep file stores it: what NewReport reads its title from.
func MetaOf(g *Grid) (Meta, error) { return metaFor(g, Shard{}) }

func metaFor(g *Grid, s Shard) (Meta, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return Meta{}, err
	}
	return Meta{Hash: g.Hash(), Cells: g.Count(), Shard: s.String(), Grid: string(b)}, nil
}

// done reports whether path is a complete sweep file of this grid and
// shard.
func done(path string, want Meta) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	m, err := ReadMeta(f, st.Size())
	return err == nil && m == want
}

func exists(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode().IsRegular()
}

// writeOutputs writes the sweep file name (and sweep.csv with withCSV)
// into dir as one set, each through a temporary file renamed into place
// only when both are written, the Parquet file last (its presence marks
// the shard done).
func writeOutputs(dir, name string, rows []Row, m Meta, withCSV bool) error {
	var files []fileio.File
	if withCSV {
		var cs bytes.Buffer
		if err := WriteCSV(&cs, rows); err != nil {
			return err
		}
		files = append(files, fileio.File{Path: filepath.Join(dir, CSVFile), Data: cs.Bytes()})
	}
	var pq bytes.Buffer
	if err := WriteParquet(&pq, rows, m); err != nil {
		return err
	}
	return fileio.Replace(append(files, fileio.File{Path: filepath.Join(dir, name), Data: pq.Bytes()})...)
}

// Merge joins the shard files of dir into out/sweep.parquet (and
// out/sweep.csv with withCSV): the same bytes as the grid run whole.
// Shards of different grids (their grid hashes differ), a mix of shard
// counts or a missing shard are one-line errors naming the file.
func Merge(dir, out string, withCSV bool) (Outcome, error) {
	files, err := filepath.Glob(filepath.Join(dir, "shard-*-of-*.parquet"))
	if err != nil {
		return Outcome{}, err
	}
	if len(files) == 0 {
		return Outcome{}, fmt.Errorf("%s: no shard files (shard-*-of-*.parquet): run chipgap sweep --shard i/n --out %s first", dir, dir)
	}
	sort.Strings(files)
	var first Meta
	var rows []Row
	seen := map[string]bool{}
	for i, path := range files {
		rs, m, err := ReadFile(path)
		var fe *Error
		if errors.As(err, &fe) {
			return Outcome{}, err
		} else if err != nil {
			return Outcome{}, fmt.Errorf("%s: %w", path, err)
		}
		if i == 0 {
			first = m
		} else if m.Hash != first.Hash {
			return Outcome{}, &Error{File: path, Msg: fmt.Sprintf("grid hash %.12s differs from %s's %.12s: shards of different grids", m.Hash, files[0], first.Hash)}
		}
		seen[m.Shard] = true
		rows = append(rows, rs...)
	}
	if err := complete(files[0], first, seen, len(rows)); err != nil {
		return Outcome{}, err
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(a.Cell, b.Cell) })
	m := first
	m.Shard = All().String()
	if err := mkdir(out); err != nil {
		return Outcome{}, err
	}
	return Outcome{Path: filepath.Join(out, DataFile), Cells: len(rows)}, writeOutputs(out, DataFile, rows, m, withCSV)
}

// complete checks that every shard of one count is there and that the
// rows cover the grid.
func complete(file0 string, m Meta, seen map[string]bool, rows int) error {
	var sh Shard
	for s := range seen {
		p, err := ParseShard(s)
		if err != nil {
			return &Error{File: file0, Msg: fmt.Sprintf("shard %q in the metadata: %v", s, err)}
		}
		if sh.Count != 0 && p.Count != sh.Count {
			return &Error{File: filepath.Dir(file0), Msg: fmt.Sprintf("shards of %d and of %d: one grid split two ways; keep one set", sh.Count, p.Count)}
		}
		sh = p
	}
	var missing []int
	for i := range sh.Count {
		if !seen[Shard{i, sh.Count}.String()] {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return &Error{File: filepath.Dir(file0), Msg: fmt.Sprintf("shards %v of %d are missing: run them (chipgap sweep --shard i/%d) before merging", missing, sh.Count, sh.Count)}
	}
	if rows != m.Cells {
		return &Error{File: filepath.Dir(file0), Msg: fmt.Sprintf("the shards hold %d rows, the grid has %d cells", rows, m.Cells)}
	}
	return nil
}

// ReadFile reads the rows and metadata of a sweep Parquet file. A file
// that cannot be opened is the os error; one that reads but does not
// decode as a chipgap sweep (another file, a corrupt one) is an *Error
// saying so rather than in the Parquet reader's terms ("negative
// offset").
func ReadFile(path string) ([]Row, Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Meta{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, Meta{}, err
	}
	rows, m, err := ReadParquet(f, st.Size())
	if err != nil {
		return nil, m, &Error{File: path, Msg: "not a chipgap sweep Parquet file (written by chipgap sweep or sweep merge): " + err.Error()}
	}
	return rows, m, nil
}

// mkdir creates dir, or finds it made (another shard may have made it):
// only the last element, as fileio.OutputDir checks, so that a mistyped
// parent is an error rather than a new chain of directories.
func mkdir(dir string) error {
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return err
}
