package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/units"
)

// runDays is a duration whose bare number means days (--days 54, days: 54);
// with a unit it is any duration ("54d", "1296h").
type runDays units.Seconds

func (d *runDays) UnmarshalText(b []byte) error {
	if v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64); err == nil {
		*d = runDays(units.Seconds(v) * units.Day)
		return nil
	}
	s, err := units.ParseSeconds(string(b))
	*d = runDays(s)
	return err // a *units.ParseError, so that catalog.Decode names the line and field
}

func (d runDays) MarshalText() ([]byte, error) { return units.Seconds(d).MarshalText() }

func (d runDays) String() string { return units.Seconds(d).String() }

// flagError is a bad setting of one field of the run: --name on the
// command line; in a scenario file the field name with _ for -, at its
// line (runSource.explain). value "" leaves the value out.
func flagError(name, value, msg string) *input.Error {
	e := &input.Error{Prefix: "--", Field: name, Want: msg}
	if value != "" {
		e.Value = value
	}
	return e
}

// runSource is where a scenario's settings came from: the file, the line
// of each top-level field, and the flags that overrode it.
type runSource struct {
	path  string
	lines map[string]int  // field → line
	flags map[string]bool // flag names given on the command line
}

// canonicalFlag maps an alias to the flag it stands for.
func canonicalFlag(name string) string {
	if name == "batch" {
		return "global-batch"
	}
	return name
}

// explain turns a field error into a usage error that names the flag, or,
// when the file set the field, the file, line and field.
func (s *runSource) explain(err error) error {
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Prefix != "--" {
		return err
	}
	if s == nil || s.flags[fe.Field] {
		return usagef("%v", fe)
	}
	key := strings.ReplaceAll(fe.Field, "-", "_")
	where := "field " + key
	if line, ok := s.lines[key]; ok {
		where = fmt.Sprintf("line %d: field %s", line, key)
	}
	if fe.Value != nil {
		where += fmt.Sprintf(" = %v", fe.Value)
	}
	return usagef("scenario %s: %s: %s", s.path, where, fe.Want)
}

// loadRunScenario decodes the file at path over f (which holds the
// defaults) strictly: unknown fields, unit strings that do not parse and
// values of the wrong type are errors naming the file, line and field.
func loadRunScenario(path string, f *runFlags) (*runSource, error) {
	b, err := readInput(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("--scenario: %w", err) // unreadable: a failure (exit 1), as report and train exit
	}
	src := &runSource{path: path, lines: keyLines(b), flags: map[string]bool{}}
	if err := catalog.Decode(filepath.Base(path), b, f); err != nil {
		return nil, usagef("scenario %s: %s", path, src.decodeError(err, filepath.Base(path)))
	}
	return src, nil
}

var (
	topKey     = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)\s*:`)
	unknownKey = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)
	badType    = regexp.MustCompile(`^line (\d+): (cannot unmarshal .*)$`)
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
// with the close names, a value of the wrong type with its field.
func (s *runSource) decodeError(err error, base string) string {
	msg := strings.TrimPrefix(err.Error(), "catalog: ")
	msg = strings.TrimPrefix(msg, base+": ")
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if m := unknownKey.FindStringSubmatch(l); m != nil {
			l = fmt.Sprintf("line %s: unknown field %s%s (the fields are the flags' names with _ for -: %s)",
				m[1], m[2], catalog.Suggest(m[2], runFieldNames()), strings.Join(runFieldNames(), ", "))
		} else if m := badType.FindStringSubmatch(l); m != nil {
			l = fmt.Sprintf("line %s: field %s: %s", m[1], s.keyAt(m[1]), m[2])
		}
		out = append(out, l)
	}
	return strings.Join(out, "; ")
}

func (s *runSource) keyAt(line string) string {
	n, _ := strconv.Atoi(line)
	for k, l := range s.lines {
		if l == n {
			return k
		}
	}
	return "?"
}

// runFieldNames are the scenario file's fields, in the struct's order.
func runFieldNames() []string {
	t := reflect.TypeFor[runFlags]()
	var names []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}
