package plot

import (
	"embed"
	"io/fs"
)

// lib holds the charting library the page and report --html draw charts
// with: uPlot (lib/uplot.min.js, lib/uplot.min.css; v1.6.32 from npm,
// MIT, lib/LICENSE.uplot) and chipgap's renderer over it (lib/charts.js),
// which draws each SVG's data-chart spec. See docs/design/005-page.md.
//
//go:embed lib
var lib embed.FS

// Lib returns the charting library's files, under "lib/".
func Lib() fs.FS { return lib }

// LibFile returns one file of the library ("uplot.min.js"); it panics if the
// file is missing, which the embed directive rules out.
func LibFile(name string) string {
	b, err := lib.ReadFile("lib/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}
