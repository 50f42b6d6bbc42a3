// Package report lays the gap report's results (scenario.Results) out
// as sections — the essay's claims tested, chips, the frontier training
// run with its gap decomposed into throughput, downtime and engineering,
// the inference service, Ascend supply, strategy, sensitivity,
// assumptions and sources — and renders them as a terminal summary
// (text/tabwriter), a self-contained HTML page (inline CSS and SVG from
// package plot, no scripts), JSON and CSV.
//
// Reading guide: report.go (Build, the headline), sections.go (one
// builder per section), assumptions.go, render.go (the four renderers).
//
// Every figure is printed as P50 [P10–P90] in display units (days,
// PFLOP/s, $M, GWh); CSV keeps the value at typical inputs and the three
// percentiles, in the display unit named in its unit column, with the
// trail (the model or data the figure comes from); a run that never
// finishes is +Inf there, as in the sweep CSV. Verdicts on the
// essay's claims compare the essay's figure with chipgap's P10–P90:
// inside is "consistent". The viability threshold for inference (an
// Ascend system's $/Mtok at most 2× NVIDIA's) is a named assumption of
// this package.
package report
