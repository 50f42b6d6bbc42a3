// Package units gives every physical quantity chipgap handles its own type,
// stored in SI base units as a float64, in the style of time.Duration:
// Bytes, ByteRate (B/s), FLOP, FLOPRate (FLOP/s), Seconds, Watts, Joules,
// USD and USDPerHour.
//
// Each type parses its usual spellings ("80GiB", "3.35TB/s", "989TFLOPS",
// "700W", "$2.5/h"; a bare number is the base unit) through UnmarshalText,
// so YAML, JSON and flag.TextVar share one parser, and String scales for
// display ("80 GB", "989.4 TFLOP/s"). JSON output is a plain number in the
// base unit, so machine readers need no unit parser.
//
// Bytes print in decimal units (GB), matching vendor datasheets; binary
// units (GiB) are accepted on input.
//
// The package is the leaf of chipgap's layering: it imports nothing of ours.
package units
