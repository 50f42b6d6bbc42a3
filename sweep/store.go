package sweep

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Meta is what every output file says about where its rows come from,
// in the Parquet file's key-value metadata.
type Meta struct {
	Hash  string // Grid.Hash
	Cells int    // cells of the whole grid
	Shard string // "all", or "i/n" for a shard
	Grid  string // the grid after defaults, as JSON
}

// Key-value metadata keys.
const (
	metaFormat = "chipgap.format"
	metaHash   = "chipgap.grid_hash"
	metaCells  = "chipgap.cells"
	metaShard  = "chipgap.shard"
	metaGrid   = "chipgap.grid"
)

// WriteParquet writes rows as one Parquet file (Snappy-compressed, one
// row group) with m in its key-value metadata. The same rows and meta
// give the same bytes.
func WriteParquet(w io.Writer, rows []Row, m Meta) error {
	return parquet.Write(w, rows,
		parquet.CreatedBy("chipgap", "sweep", Format),
		parquet.Compression(&parquet.Snappy),
		parquet.KeyValueMetadata(metaFormat, Format),
		parquet.KeyValueMetadata(metaHash, m.Hash),
		parquet.KeyValueMetadata(metaCells, strconv.Itoa(m.Cells)),
		parquet.KeyValueMetadata(metaShard, m.Shard),
		parquet.KeyValueMetadata(metaGrid, m.Grid),
	)
}

// ReadMeta reads a sweep file's metadata without its rows.
func ReadMeta(r io.ReaderAt, size int64) (Meta, error) {
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return Meta{}, err
	}
	return metaOf(f)
}

func metaOf(f *parquet.File) (Meta, error) {
	if v, _ := f.Lookup(metaFormat); v != Format {
		return Meta{}, fmt.Errorf("not a sweep file (format %q, want %q)", v, Format)
	}
	var m Meta
	m.Hash, _ = f.Lookup(metaHash)
	m.Shard, _ = f.Lookup(metaShard)
	m.Grid, _ = f.Lookup(metaGrid)
	cells, _ := f.Lookup(metaCells)
	n, err := strconv.Atoi(cells)
	if err != nil || m.Hash == "" {
		return Meta{}, fmt.Errorf("sweep metadata incomplete (grid hash %q, cells %q)", m.Hash, cells)
	}
	m.Cells = n
	return m, nil
}

// ReadParquet reads a sweep file's rows and metadata with the Parquet
// library's reader.
func ReadParquet(r io.ReaderAt, size int64) ([]Row, Meta, error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, Meta{}, err
	}
	m, err := metaOf(f)
	if err != nil {
		return nil, m, err
	}
	rows, err := parquet.Read[Row](r, size)
	return rows, m, err
}

// Columns lists the column names, in file order.
func Columns() []string {
	t := reflect.TypeOf(Row{})
	out := make([]string, t.NumField())
	for i := range out {
		out[i], _, _ = strings.Cut(t.Field(i).Tag.Get("parquet"), ",")
	}
	return out
}

// WriteCSV writes rows as CSV with a header of Columns(); a null is an
// empty field, numbers are Go's shortest round-trip form (+Inf for a
// run that never finishes).
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns()); err != nil {
		return err
	}
	rec := make([]string, len(Columns()))
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		for j := range rec {
			rec[j] = cell(v.Field(j))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(v reflect.Value) string {
	switch x := value(v).(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	panic("unreachable: value returns only these types")
}

// Values lists r's columns in Columns() order, as WriteCSV writes them:
// nil for a null, else a string, bool, int64 or float64 (+Inf for a
// run that never finishes).
func Values(r *Row) []any {
	v := reflect.ValueOf(r).Elem()
	out := make([]any, v.NumField())
	for j := range out {
		out[j] = value(v.Field(j))
	}
	return out
}

// JSONValues is Values for JSON: the floats JSON cannot carry (+Inf for
// a run that never finishes, -Inf, NaN) become strings spelt as the CSV
// spells them.
func JSONValues(r *Row) []any {
	vs := Values(r)
	for i, x := range vs {
		if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			vs[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return vs
}

func value(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int64:
		return v.Int()
	case reflect.Float64:
		return v.Float()
	}
	panic("sweep: column of kind " + v.Kind().String()) // unreachable: Row has only these kinds
}
