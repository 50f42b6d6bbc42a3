package plot

import "io"

// PageCSS is the style of chipgap's self-contained HTML pages (the gap
// report's --html, the sweep report) that embed these charts, so they
// look alike; long words (source URLs) wrap inside their cells.
const PageCSS = `body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.sub,.note,footer{color:#555;font-size:.9em}ul.head li{margin:.3em 0}
nav a{margin-right:1em;font-size:.9em}table{border-collapse:collapse;margin:1em 0;font-size:.85em}
caption{text-align:left;font-weight:bold;padding:.3em 0}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}.charts{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}svg{max-width:100%;height:auto}pre{font-size:.75em;background:#f6f6f6;padding:1em;overflow:auto}`

// ErrWriter keeps the first write error and drops every later write, so a
// page can be written with many Fprintf calls and checked once (Err).
type ErrWriter struct {
	W   io.Writer
	Err error
}

func (e *ErrWriter) Write(p []byte) (int, error) {
	if e.Err != nil {
		return 0, e.Err
	}
	n, err := e.W.Write(p)
	e.Err = err
	return n, err
}
