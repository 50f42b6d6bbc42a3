// Package examples embeds the example files that the binary itself
// serves, so that the file in examples/ is the one copy: the web page's
// "Design space" tab starts from examples/sweep-small.yaml.
package examples

import _ "embed"

//go:embed sweep-small.yaml
var sweepSmall string

// SweepSmall is examples/sweep-small.yaml: a 96-cell grid (both targets,
// a what-if chip, 20 samples) that runs in about 3 s on 2 cores.
func SweepSmall() string { return sweepSmall }
