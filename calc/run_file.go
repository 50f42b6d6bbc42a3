package calc

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/strictyaml"
)

// RunFile is a `chipgap run --scenario` file decoded into a RunRequest:
// the line of each top-level field, for errors found after decoding.
type RunFile struct {
	path  string
	lines map[string]int // field → line
}

// runFileError is bad input in a request file, one line naming the file; it
// wraps the *input.Error so that callers class it as bad input.
type runFileError struct {
	msg string
	err *input.Error
}

func (e *runFileError) Error() string { return e.msg }
func (e *runFileError) Unwrap() error { return e.err }

// DecodeRunFile decodes the YAML b read from path over *r strictly:
// unknown fields, unit strings that do not parse and values of the wrong
// type are errors naming the file, line and field.
func DecodeRunFile(path string, b []byte, r *RunRequest) (*RunFile, error) {
	f := &RunFile{path: path, lines: keyLines(b)}
	base := filepath.Base(path)
	if err := catalog.Decode(base, b, r); err != nil {
		msg, field := f.decodeError(err, base)
		return nil, &runFileError{fmt.Sprintf("scenario %s: %s", path, msg), &input.Error{Field: field, Want: msg}}
	}
	// A stated 0 where the field's 0 takes a default (zero.go).
	if p := statedZero(r, func(field string) bool { _, ok := f.lines[field]; return ok }); p != "" {
		return nil, &runFileError{fmt.Sprintf("scenario %s: line %d: field %s = 0: %s", path, f.lines[p], p, zeroWant), ZeroStated(p)}
	}
	return f, nil
}

// Explain rewrites an *input.Error about a field the file may have set
// (one the command line did not: given says which it did) to name the
// file, the field and its line; any other error is returned as it is.
func (f *RunFile) Explain(err error, given func(field string) bool) error {
	var fe *input.Error
	if f == nil || !errors.As(err, &fe) || given(fe.Field) || !slices.Contains(runFieldNames(), fe.Field) {
		return err
	}
	where := "field " + fe.Field
	if line, ok := f.lines[fe.Field]; ok {
		where = fmt.Sprintf("line %d: field %s", line, fe.Field)
	}
	if fe.Value != nil {
		where += fmt.Sprintf(" = %v", fe.Value)
	}
	return &runFileError{fmt.Sprintf("scenario %s: %s: %s", f.path, where, fe.Want), fe}
}

var (
	topKey     = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)\s*:`)
	unknownKey = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)
	badType    = regexp.MustCompile(`^line (\d+): (cannot unmarshal .*)$`)
	badField   = regexp.MustCompile(`^line \d+: field (\S+): `)
)

// keyLines finds the line of each top-level field (the file is one flat
// mapping; a key seen twice is yaml's error, not ours).
func keyLines(b []byte) map[string]int {
	lines := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		if m := topKey.FindStringSubmatch(sc.Text()); m != nil {
			if _, seen := lines[m[1]]; !seen {
				lines[m[1]] = n
			}
		}
	}
	return lines
}

// decodeError rewrites catalog.Decode's error on one line: an unknown field
// with the close names, a value of the wrong type with its field. It
// returns the message and the (first) field it names.
func (f *RunFile) decodeError(err error, base string) (string, string) {
	msg := strings.TrimPrefix(err.Error(), "catalog: ")
	msg = strings.TrimPrefix(msg, base+": ")
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	var out []string
	field := ""
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if m := unknownKey.FindStringSubmatch(l); m != nil {
			l = fmt.Sprintf("line %s: unknown field %s%s (the fields are the flags' names with _ for -: %s)",
				m[1], m[2], catalog.Suggest(m[2], runFieldNames()), strings.Join(runFieldNames(), ", "))
			field = cmp.Or(field, m[2])
		} else if m := badType.FindStringSubmatch(l); m != nil {
			k := f.keyAt(m[1])
			l = fmt.Sprintf("line %s: field %s: %s", m[1], k, strictyaml.PlainType(m[2]))
			field = cmp.Or(field, k)
		} else if m := badField.FindStringSubmatch(l); m != nil {
			field = cmp.Or(field, m[1])
		}
		out = append(out, l)
	}
	return strings.Join(out, "; "), field
}

func (f *RunFile) keyAt(line string) string {
	n, _ := strconv.Atoi(line)
	for k, l := range f.lines {
		if l == n {
			return k
		}
	}
	return "?"
}

// runFieldNames are a run file's fields (RunRequest's yaml names), in the
// struct's order.
func runFieldNames() []string {
	t := reflect.TypeFor[RunRequest]()
	var names []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}
