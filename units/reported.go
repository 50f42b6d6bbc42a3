package units

// Reporting units: quantities that chipgap's JSON answers, CLI flags and
// data files state in a unit other than the SI base (days of a run, hours
// between interruptions, milliseconds of latency, kilowatt-hours, Gbit/s
// of a network). Each is a float64 in that unit, so a field's unit lives
// in its type (Wall Days `json:"wall_days"`) rather than in its Go name,
// and its JSON stays the plain number its documented name promises.
// Convert to the base type for arithmetic.

// Days is a duration in days.
type Days float64

// Hours is a duration in hours.
type Hours float64

// Millis is a duration in milliseconds.
type Millis float64

// KilowattHours is an energy in kilowatt-hours.
type KilowattHours float64

// GigabitsPerSec is a network rate in gigabits per second (10⁹ bit/s).
type GigabitsPerSec float64

// Seconds converts d.
func (d Days) Seconds() Seconds { return Seconds(d) * Day }

// Seconds converts h.
func (h Hours) Seconds() Seconds { return Seconds(h) * Hour }

// Seconds converts m.
func (m Millis) Seconds() Seconds { return Seconds(m) / 1e3 }

// Joules converts e.
func (e KilowattHours) Joules() Joules { return Joules(e) * KWh }

// ByteRate converts g (8 bits a byte).
func (g GigabitsPerSec) ByteRate() ByteRate { return ByteRate(g) * 1e9 / 8 }

// InDays, InHours and InMillis express s in a reporting unit.
func (s Seconds) InDays() Days     { return Days(s / Day) }
func (s Seconds) InHours() Hours   { return Hours(s / Hour) }
func (s Seconds) InMillis() Millis { return Millis(s * 1e3) }

// InKWh expresses j in kilowatt-hours.
func (j Joules) InKWh() KilowattHours { return KilowattHours(j / KWh) }

// InGbps expresses r in gigabits per second.
func (r ByteRate) InGbps() GigabitsPerSec { return GigabitsPerSec(r * 8 / 1e9) }

func (d Days) MarshalJSON() ([]byte, error)           { return marshalNumber(float64(d)) }
func (h Hours) MarshalJSON() ([]byte, error)          { return marshalNumber(float64(h)) }
func (m Millis) MarshalJSON() ([]byte, error)         { return marshalNumber(float64(m)) }
func (e KilowattHours) MarshalJSON() ([]byte, error)  { return marshalNumber(float64(e)) }
func (g GigabitsPerSec) MarshalJSON() ([]byte, error) { return marshalNumber(float64(g)) }
