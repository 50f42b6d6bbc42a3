package calc

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/strictyaml"
	"chipgap/units"
)

// A request file (`--scenario FILE` of serve-estimate and simulate) holds
// requests in YAML. A request's keys are its flags' names with _ for -
// (`spec_tokens: 1`), nested maps joining their keys with - (`input:
// {dist: lognormal}` is --input-dist), or its JSON names (`slo: {ttft:
// 2s}`): each value is set as its flag would be, over the same defaults,
// so a file, the flags and the API cannot mean different things.

// fileRequest decodes the YAML mapping m (at path in doc) into req, a
// pointer to a request holding its defaults. Its fields are bound as
// the flags' are but without the command line's rules (bindFields, not
// BindFlags): a file's bare number is a quantity in its unit, as the
// API's is (`slo: {tpot: 0.05}` is 50 ms), where a flag tagged
// unit:"required" needs the unit.
func fileRequest(doc *strictyaml.Doc, m map[string]any, path string, req any) error {
	fs := flag.NewFlagSet("file", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	b, seen := bindFields(fs, req, nil), map[string]string{}
	if err := b.setTree(doc, m, path, nil, seen); err != nil {
		return err
	}
	// A stated 0 where the field's 0 takes a default (zero.go).
	at := func(jpath string) string { return seen[b.byPath[jpath]] }
	stated := func(jpath string) bool { return at(jpath) != "" }
	if l, ok := req.(interface{ setLines(fileLines) }); ok {
		lines := fileLines{}
		for jpath := range b.byPath {
			if k := at(jpath); k != "" {
				lines[jpath] = doc.At(k, "").Line
			}
		}
		l.setLines(lines)
	}
	if p := statedZero(req, stated); p != "" {
		k := at(p)
		return lineError(doc, k, fmt.Sprintf("field %s: 0: %s", k[strings.LastIndex(k, ".")+1:], zeroWant))
	}
	// A field stated where it does not apply (needs.go), named by the
	// file's key for it.
	if err := unusedStated(req, stated); err != nil {
		var ie *input.Error
		if k := ""; errors.As(err, &ie) && at(ie.Field) != "" {
			k = at(ie.Field)
			return lineError(doc, k, fmt.Sprintf("field %s: %s", k[strings.LastIndex(k, ".")+1:], ie.Want))
		}
		return err
	}
	return nil
}

// setTree sets the fields of the mapping m (at path, under the key path
// keys) as their flags; seen records the path that set each flag, so two
// spellings of one field in one request (input and
// workload.input_tokens, tpot and slo.tpot) are refused rather than one
// winning silently.
func (b *Flags) setTree(doc *strictyaml.Doc, m map[string]any, path string, keys []string, seen map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ks, p := append(slices.Clone(keys), k), k
		if path != "" {
			p = path + "." + k
		}
		if sub, ok := m[k].(map[string]any); ok && len(b.allowed(ks)) > 0 {
			if err := b.setTree(doc, sub, p, ks, seen); err != nil {
				return err
			}
			continue
		}
		name, ok := b.flagFor(ks)
		if !ok {
			names := b.allowed(keys)
			return lineError(doc, p, fmt.Sprintf("unknown field %s%s (allowed here: %s)", k, catalog.Suggest(k, names), strings.Join(names, ", ")))
		}
		if first, ok := seen[name]; ok {
			return lineError(doc, p, fmt.Sprintf("field %s: the same setting as %s in this request: want one of them", k, first))
		}
		seen[name] = p
		fl := b.fs.Lookup(name)
		if _, list := m[k].([]any); list && !takesList(fl) {
			return lineError(doc, p, fmt.Sprintf("field %s: got a list, want %s", k, wantOf(fl)))
		}
		if err := quotedDuration(fl, m[k]); err != nil {
			return lineError(doc, p, fmt.Sprintf("field %s: %v", k, err))
		}
		s, err := scalarText(m[k])
		if err == nil {
			err = b.fs.Set(name, s)
		}
		if err != nil {
			return lineError(doc, p, fmt.Sprintf("field %s: %s", k, flagError(fl, s, err)))
		}
	}
	return nil
}

// flagFor is the flag a key path sets: by JSON path, else by flag name.
func (b *Flags) flagFor(keys []string) (string, bool) {
	if name, ok := b.byPath[strings.Join(keys, ".")]; ok {
		return name, true
	}
	name := strings.ReplaceAll(strings.Join(keys, "-"), "_", "-")
	_, ok := b.byFlag[name]
	return name, ok
}

// allowed are the keys a mapping at key path keys may hold.
func (b *Flags) allowed(keys []string) []string {
	set := map[string]bool{}
	pre := strings.Join(keys, ".")
	for p := range b.byPath {
		if rest, ok := strings.CutPrefix(p, pre+"."); ok || pre == "" {
			if pre == "" {
				rest = p
			}
			first, _, _ := strings.Cut(rest, ".")
			set[first] = true
		}
	}
	fpre := strings.ReplaceAll(strings.Join(keys, "-"), "_", "-")
	for f := range b.byFlag {
		if rest, ok := strings.CutPrefix(f, fpre+"-"); ok || fpre == "" {
			if fpre == "" {
				rest = f
			}
			set[strings.ReplaceAll(rest, "-", "_")] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// quotedDuration refuses a duration written as a quoted number with no
// unit (tpot: "50"), as the API refuses the JSON string "50" and the
// command line --tpot 50: it reads like milliseconds. A bare YAML
// number stays a quantity in seconds, and "0" is no bound either way.
func quotedDuration(fl *flag.Flag, v any) error {
	str, quoted := v.(string)
	f, ok := fl.Value.(*fieldValue)
	if !quoted || !ok || reflect.Indirect(f.v).Type() != reflect.TypeFor[units.Seconds]() {
		return nil
	}
	if units.UnitlessDuration(str) {
		return fmt.Errorf("got %q, a quoted number with no unit: want a unit (%sms) or a bare number of seconds", str, strings.TrimSpace(str))
	}
	return nil
}

// takesList: the flag's field is a list (a comma-separated flag).
func takesList(fl *flag.Flag) bool {
	f, ok := fl.Value.(*fieldValue)
	return ok && f.v.Kind() == reflect.Slice
}

// wantOf says what a flag's value must be, in a file's terms.
func wantOf(fl *flag.Flag) string {
	if g, ok := fl.Value.(flag.Getter); ok && g.Get() != nil {
		return strictyaml.Want(reflect.TypeOf(g.Get()).Kind())
	}
	return "one value"
}

// flagError words the flag package's "parse error" and "value out of
// range" with the value and what the field takes; a field's own
// error (a unit, a choice) is returned as it is.
func flagError(fl *flag.Flag, value string, err error) string {
	if errors.Is(err, strconv.ErrSyntax) || strings.HasSuffix(err.Error(), "parse error") {
		return fmt.Sprintf("got %s, want %s", value, wantOf(fl))
	}
	if errors.Is(err, strconv.ErrRange) || strings.HasSuffix(err.Error(), "value out of range") {
		return fmt.Sprintf("got %s, out of the range of %s", value, wantOf(fl))
	}
	return err.Error()
}

// scalarText is a YAML value as a flag takes it; a list joins with commas.
func scalarText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := scalarText(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a value, got %v", v)
}

// lineError is a file error at the line of path: bad input (exit 2).
func lineError(doc *strictyaml.Doc, path, msg string) error {
	return &input.Error{Field: fmt.Sprintf("line %d", doc.At(path, "").Line), Want: msg}
}

// decodeFile decodes a request file's YAML into a generic tree.
func decodeFile(name string, data []byte) (*strictyaml.Doc, map[string]any, error) {
	var m map[string]any
	doc, err := strictyaml.Decode(name, data, &m, strictyaml.Options{})
	var se *strictyaml.Error
	switch {
	case errors.As(err, &se) && se.Line > 0:
		// One line whatever the file holds (yaml.v3 quotes a bad value,
		// newlines included; found by FuzzScenarioFiles).
		return nil, nil, &input.Error{Field: fmt.Sprintf("line %d", se.Line), Want: strings.ReplaceAll(se.Msg, "\n", `\n`)}
	case err != nil || len(m) == 0:
		return nil, nil, &input.Error{Field: name, Want: "want a YAML mapping of requests (empty or malformed)"}
	}
	return doc, m, nil
}

// ServeScenario reads a serve-estimate scenario file: `deployments:`, a
// list of ServeRequests.
func ServeScenario(name string, data []byte) ([]ServeRequest, error) {
	doc, m, err := decodeFile(name, data)
	if err != nil {
		return nil, err
	}
	if err := onlyKey(doc, m, "deployments"); err != nil {
		return nil, err
	}
	list, _ := m["deployments"].([]any)
	if len(list) == 0 {
		return nil, &input.Error{Field: "deployments", Want: "want at least one deployment"}
	}
	out := make([]ServeRequest, len(list))
	for i, e := range list {
		out[i] = NewServeRequest()
		d, ok := e.(map[string]any)
		if !ok {
			return nil, lineError(doc, fmt.Sprintf("deployments[%d]", i), "want a mapping of a deployment's fields")
		}
		if err := fileRequest(doc, d, fmt.Sprintf("deployments[%d]", i), &out[i]); err != nil {
			return nil, err
		}
		// Deployments are told apart by name in the output: two of one
		// name read as one (a report scenario refuses a repeated label).
		for j := range i {
			if n := out[i].Name; n != "" && n == out[j].Name {
				return nil, lineError(doc, fmt.Sprintf("deployments[%d].name", i), fmt.Sprintf("field name: %q already names deployments[%d]: want a name of its own", n, j))
			}
		}
	}
	return out, nil
}

// onlyKey refuses a top level other than key.
func onlyKey(doc *strictyaml.Doc, m map[string]any, key string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != key {
			return lineError(doc, k, fmt.Sprintf("unknown field %s%s (allowed here: %s)", k, catalog.Suggest(k, []string{key}), key))
		}
	}
	return nil
}

// SimulateScenario reads a simulate scenario file: `simulate:`, one
// SimulateRequest.
func SimulateScenario(name string, data []byte) (SimulateRequest, error) {
	r := NewSimulateRequest()
	doc, m, err := decodeFile(name, data)
	if err != nil {
		return r, err
	}
	if err := onlyKey(doc, m, "simulate"); err != nil {
		return r, err
	}
	sim, ok := m["simulate"].(map[string]any)
	if !ok {
		return r, lineError(doc, "simulate", "want a mapping of the simulation's fields")
	}
	return r, fileRequest(doc, sim, "simulate", &r)
}

// fileLines maps the JSON paths of a request read from a request file to
// the lines that set them, so that an error found after decoding (a
// value Setup refuses) can name its line.
type fileLines map[string]int

func (d *ServeDeployment) setLines(l fileLines) { d.lines = l }

// LineOf is the line of the request file that set the field an
// *input.Error names: 0 where the request did not come from a file, or
// the field is not one the file set.
func (d ServeDeployment) LineOf(err error) int {
	var ie *input.Error
	if errors.As(err, &ie) {
		return d.lines[ie.Field]
	}
	return 0
}
