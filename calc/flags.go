package calc

import (
	"encoding"
	"flag"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"chipgap/input"
	"chipgap/units"
)

// Flags binds the fields of a request struct to command-line flags, so
// that a use case's request is the single definition of its inputs: the
// JSON name of each field is its API name, its YAML name and, with _
// written as -, its flag name.
//
// Struct tags steer the binding:
//
//	json:"global_batch"           the field's name in JSON and YAML (its path in errors)
//	flag:"mb"                     a flag name other than the JSON name with - for _
//	flag:"-"                      no flag (an API-only field); json:"-" fields are skipped too
//	help:"sequences per step"     the flag's usage line
//	flag:"input-"                 on a nested struct: a prefix of its fields' flag names
//	unit:"required"               the command line's rule alone (BindFlags, cliValue):
//	                              the quantity's flag refuses a bare number other
//	                              than 0 (a bare --tpot 50 would be 50 s); request
//	                              files (fileRequest) and JSON never apply it, their
//	                              bare numbers being in the type's unit (a JSON
//	                              string of a duration needs its unit, whatever
//	                              the tag: units.Seconds.UnmarshalJSON)
//
// An embedded struct's fields are the outer struct's, as in JSON. A
// nested struct field (not a TextUnmarshaler) is walked: its fields
// become flags of their own name (after its flag prefix, if any), with
// JSON paths "parent.child". Kinds bound: string, bool, int, uint64,
// float64 (finite only), []int (comma-separated, non-negative), []float64
// (comma-separated, finite), pointers to these (set = non-nil, so absent
// and zero differ) and encoding.TextUnmarshaler values (the unit types).
type Flags struct {
	fs     *flag.FlagSet
	byPath map[string]string // JSON path → flag name
	byFlag map[string]string // flag name → JSON path
	// value is the flag.Value of a field that fieldValue sets (nil: the
	// fieldValue itself, as a request file binds it).
	value func(reflect.StructField, *fieldValue) flag.Value
	req   any // the bound request (StatedZero)
}

// BindFlags registers a command-line flag on fs for every bindable
// field of *req, with the command line's own rules (cliValue). The
// fields' current values are the flags' defaults.
func BindFlags(fs *flag.FlagSet, req any) *Flags { return bindFields(fs, req, cliValue) }

// bindFields registers a flag on fs for every bindable field of *req, a
// fieldValue's made by value (nil: as it is). BindFlags (the command
// line) and fileRequest (request files) share it.
func bindFields(fs *flag.FlagSet, req any, value func(reflect.StructField, *fieldValue) flag.Value) *Flags {
	b := &Flags{fs: fs, byPath: map[string]string{}, byFlag: map[string]string{}, value: value, req: req}
	v := reflect.ValueOf(req)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("calc.BindFlags: want a pointer to a struct, got %T", req))
	}
	b.bind(v.Elem(), "", "")
	return b
}

// cliValue is a command-line flag's value for field sf: one tagged
// unit:"required" refuses a bare number (unitRequired).
func cliValue(sf reflect.StructField, f *fieldValue) flag.Value {
	if sf.Tag.Get("unit") == "required" {
		return unitRequired{f}
	}
	return f
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (b *Flags) bind(v reflect.Value, prefix, flagPrefix string) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Tag.Get("json") == "" && sf.Type.Kind() == reflect.Struct {
			b.bind(v.Field(i), prefix, flagPrefix) // promoted, as encoding/json promotes them
			continue
		}
		jname, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		fname := sf.Tag.Get("flag")
		if jname == "-" && fname == "" || fname == "-" {
			continue
		}
		if jname == "" {
			jname = strings.ToLower(sf.Name)
		}
		path := prefix + jname
		fv := v.Field(i)
		if sf.Type.Kind() == reflect.Struct && !reflect.PointerTo(sf.Type).Implements(textUnmarshaler) {
			b.bind(fv, path+".", flagPrefix+fname)
			continue
		}
		if fname == "" {
			fname = flagPrefix + strings.ReplaceAll(jname, "_", "-")
		}
		help := sf.Tag.Get("help")
		// Plain kinds get the flag package's own values, so that --help
		// names their type (int, float, string) as for any flag.
		switch p := fv.Addr().Interface().(type) {
		case *string:
			b.fs.StringVar(p, fname, *p, help)
		case *int:
			b.fs.IntVar(p, fname, *p, help)
		case *uint64:
			b.fs.Uint64Var(p, fname, *p, help)
		case *units.Count:
			b.fs.Var((*countValue)(p), fname, help)
		case *float64:
			b.fs.Float64Var(p, fname, *p, help) // the caller checks finiteness (calc, cmd's parseFlags)
		case *bool:
			b.fs.BoolVar(p, fname, *p, help)
		default:
			if fv.Kind() == reflect.Float64 && !fv.Addr().Type().Implements(textUnmarshaler) {
				// A unit type over float64 (units.GigabitsPerSec): a float flag
				// as above, its number in the type's unit.
				p := (*float64)(fv.Addr().UnsafePointer())
				b.fs.Float64Var(p, fname, *p, help)
				break
			}
			f := &fieldValue{v: fv, path: path}
			var val flag.Value = f
			if b.value != nil {
				val = b.value(sf, f)
			}
			b.fs.Var(val, fname, help)
		}
		b.byPath[path], b.byFlag[fname] = fname, path
	}
}

// Set reports whether the flag for the field at JSON path was given.
func (b *Flags) Set(path string) bool {
	name, ok := b.byPath[path]
	if !ok {
		return false
	}
	set := false
	b.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// StatedZero refuses a flag given as 0 where its field takes a default
// for 0 (tagged zero:"default", zero.go: --seq 0 would run seq 8192),
// naming the flag.
func (b *Flags) StatedZero() error {
	if p := statedZero(b.req, b.Set); p != "" {
		return b.Rename(ZeroStated(p))
	}
	return nil
}

// Name returns the flag that sets the field at JSON path ("" if none).
func (b *Flags) Name(path string) string { return b.byPath[path] }

// Rename rewrites an *input.Error about a bound field to name its flag
// ("--global-batch = -1: ...") as the command line spelt it, and one
// about an element of a list flag the command line gave
// ("workload.rates[2] = 0" is "--rates = 0": the flag takes the list, not
// its elements; a list a request file gave keeps its path); any other
// error is returned as it is.
func (b *Flags) Rename(err error) error {
	e, ok := err.(*input.Error)
	if !ok {
		return err
	}
	name, ok := b.byPath[e.Field]
	if base, _, cut := strings.Cut(e.Field, "["); !ok && cut && strings.HasSuffix(e.Field, "]") && b.Set(base) {
		name, ok = b.byPath[base]
	}
	if !ok {
		return err
	}
	c := *e
	c.Field, c.Prefix, c.Labelled = name, "--", false
	return &c
}

// countValue is a units.Count flag: a bare number as a float flag takes
// it (cmd's checkFiniteFlags refuses NaN and ±Inf, as for every float
// flag), else an SI scale ("15T", "300B").
type countValue units.Count

func (c *countValue) String() string {
	if c == nil || *c == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(*c), 'g', -1, 64)
}

func (c *countValue) Set(s string) error {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		*c = countValue(v)
		return nil
	}
	return (*units.Count)(c).UnmarshalText([]byte(s))
}

// Get makes the value a flag.Getter, as the flag package's own are.
func (c *countValue) Get() any { return float64(*c) }

// fieldValue is a flag.Value that sets one struct field.
type fieldValue struct {
	v    reflect.Value
	path string
}

// unitRequired is the command line's flag for a quantity tagged
// unit:"required": a bare number other than 0 is refused (a bare
// --tpot 50 would be read as 50 s), a duration with its unit or 0 (no
// bound) is set as fieldValue sets it.
type unitRequired struct{ *fieldValue }

func (u unitRequired) Set(s string) error {
	if units.UnitlessDuration(s) {
		return fmt.Errorf("want a duration with its unit, e.g. 50ms or 2s (a bare %s would be read as seconds)", strings.TrimSpace(s))
	}
	return u.fieldValue.Set(s)
}

func (f *fieldValue) String() string {
	if f == nil || !f.v.IsValid() {
		return ""
	}
	v := f.v
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, _ := m.MarshalText()
		return string(b)
	}
	if v.Kind() == reflect.Slice {
		var parts []string
		for i := range v.Len() {
			parts = append(parts, fmt.Sprint(v.Index(i).Interface()))
		}
		return strings.Join(parts, ",")
	}
	if v.IsZero() {
		return ""
	}
	return fmt.Sprint(v.Interface())
}

// IsBoolFlag lets a bool field be given as a bare --flag.
func (f *fieldValue) IsBoolFlag() bool {
	t := f.v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Bool
}

// Get returns the field's value (for flag.Getter).
func (f *fieldValue) Get() any { return f.v.Interface() }

func (f *fieldValue) Set(s string) error {
	v := f.v
	if v.Kind() == reflect.Pointer {
		n := reflect.New(v.Type().Elem())
		if err := set(n.Elem(), s); err != nil {
			return err
		}
		v.Set(n)
		return nil
	}
	return set(v, s)
}

func set(v reflect.Value, s string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(s)); err != nil {
			return err
		}
		if x, ok := floatValue(v); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
			return fmt.Errorf("want a finite number")
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		x, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		v.SetBool(x)
	case reflect.Int:
		x, err := strconv.ParseInt(s, 0, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		v.SetInt(x)
	case reflect.Uint64:
		x, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer")
		}
		v.SetUint(x)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("want a finite number")
		}
		v.SetFloat(x)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Float64 {
			var out []float64
			for _, p := range strings.Split(s, ",") {
				x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("%q: want comma-separated finite numbers", s)
				}
				out = append(out, x)
			}
			v.Set(reflect.ValueOf(out))
			return nil
		}
		if v.Type().Elem().Kind() != reflect.Int {
			panic("calc: unsupported flag slice " + v.Type().String())
		}
		var out []int
		for _, p := range strings.Split(s, ",") {
			p = strings.TrimSpace(p)
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 {
				return fmt.Errorf("%q: want comma-separated non-negative integers", s)
			}
			out = append(out, n)
		}
		v.Set(reflect.ValueOf(out))
	default:
		panic("calc: unsupported flag kind " + v.Type().String())
	}
	return nil
}

// floatValue reads a float-kinded value (a unit type such as Seconds).
func floatValue(v reflect.Value) (float64, bool) {
	if v.Kind() == reflect.Float64 || v.Kind() == reflect.Float32 {
		return v.Float(), true
	}
	return 0, false
}
