package units

import (
	"encoding/json"
	"math"
	"reflect"
)

// JSON: quantities are written as plain numbers in the base unit (bytes,
// B/s, FLOP, FLOP/s, s, W, J, USD), so machine readers need no parser; on
// input either a number or a string with a unit is accepted.

func marshalNumber(v float64) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// unmarshalJSON decodes a number, or a string handed to parseText, into
// a quantity of type T. A JSON value of another kind is an
// *json.UnmarshalTypeError naming T, not float64, so a caller can say the
// field also takes a string with a unit.
func unmarshalJSON[T ~float64](data []byte, dst *T, parseText func(string) (float64, error)) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		v, err := parseText(s)
		if err != nil {
			return err
		}
		*dst = T(v)
		return nil
	}
	if string(data) == "null" {
		return nil // as encoding/json leaves a number: the value unchanged
	}
	var v float64
	if err := json.Unmarshal(data, &v); err != nil {
		if ute, ok := err.(*json.UnmarshalTypeError); ok {
			ute.Type = reflect.TypeFor[T]()
		}
		return err
	}
	*dst = T(v)
	return nil
}

func (b Bytes) MarshalJSON() ([]byte, error)      { return marshalNumber(float64(b)) }
func (r ByteRate) MarshalJSON() ([]byte, error)   { return marshalNumber(float64(r)) }
func (f FLOP) MarshalJSON() ([]byte, error)       { return marshalNumber(float64(f)) }
func (r FLOPRate) MarshalJSON() ([]byte, error)   { return marshalNumber(float64(r)) }
func (s Seconds) MarshalJSON() ([]byte, error)    { return marshalNumber(float64(s)) }
func (w Watts) MarshalJSON() ([]byte, error)      { return marshalNumber(float64(w)) }
func (j Joules) MarshalJSON() ([]byte, error)     { return marshalNumber(float64(j)) }
func (u USD) MarshalJSON() ([]byte, error)        { return marshalNumber(float64(u)) }
func (p USDPerHour) MarshalJSON() ([]byte, error) { return marshalNumber(float64(p)) }
func (c Count) MarshalJSON() ([]byte, error)      { return marshalNumber(float64(c)) }

func (b *Bytes) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, b, func(s string) (float64, error) { v, err := ParseBytes(s); return float64(v), err })
}
func (r *ByteRate) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, r, func(s string) (float64, error) { v, err := ParseByteRate(s); return float64(v), err })
}
func (f *FLOP) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, f, func(s string) (float64, error) { v, err := ParseFLOP(s); return float64(v), err })
}
func (r *FLOPRate) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, r, func(s string) (float64, error) { v, err := ParseFLOPRate(s); return float64(v), err })
}

// UnmarshalJSON takes a JSON number of seconds or a string with its
// unit ("50ms"); a string with no unit but 0 is refused, as the command
// line refuses --tpot 50: "50" reads like milliseconds (the audit: the
// API took it as 50 s).
func (s *Seconds) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, s, func(t string) (float64, error) {
		if UnitlessDuration(t) {
			return 0, &ParseError{Kind: "duration", Input: t, Want: spellings(secondSuffixes), Rule: "want a unit (50ms) or a JSON number of seconds"}
		}
		v, err := ParseSeconds(t)
		return float64(v), err
	})
}
func (w *Watts) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, w, func(s string) (float64, error) { v, err := ParseWatts(s); return float64(v), err })
}
func (j *Joules) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, j, func(s string) (float64, error) { v, err := ParseJoules(s); return float64(v), err })
}
func (u *USD) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, u, func(s string) (float64, error) { v, err := ParseUSD(s); return float64(v), err })
}
func (p *USDPerHour) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, p, func(s string) (float64, error) { v, err := ParseUSDPerHour(s); return float64(v), err })
}
func (c *Count) UnmarshalJSON(d []byte) error {
	return unmarshalJSON(d, c, ParseCount)
}
