// Package web serves chipgap's page and its JSON API over the same engine
// as the command line: the catalog, the chip comparison, the training
// estimator and plan search, the inference curve, the whole-run and
// serving simulations, the gap report, and small design-space sweeps
// (docs/api.md lists every endpoint, error and limit).
//
// It computes nothing of its own: every endpoint decodes its body into a
// request struct of package calc (the use-case layer the CLI calls too),
// applies this server's admission limits (chips, plans, samples, cells),
// calls calc, and encodes the result's View. Charts are calc's (SVG from
// package plot carrying its data, redrawn by the page's vendored uPlot).
//
// # Reading guide
//
//   - server.go, static.go: Server (Handler for tests, Listen and Serve
//     for the CLI), the route table's mounting, the embedded static/ page
//     (gzip, ETag) and the chart library under /lib/.
//   - errors.go, limits.go, jobs.go, admission.go: the one error adapter
//     (JSON {"error", "field"}, panics → logged 500, messages bounded),
//     body decoding (calc.DecodeJSON) under a size cap and a read
//     deadline, strict query strings (guard.go's strictQuery), and the
//     HTTP side of the concurrency policy: the
//     compute gate's 503 and 504, asynchronous jobs as JSON with
//     progress, the report queue's 429 with Retry-After. The policy
//     itself (bounded slots and waiting room, timeouts, the admission
//     estimate, the job store) is package workq's.
//   - api.go: the endpoint table; api_*.go, compare.go and forms.go: one
//     file per job, each parse → limits → calc → JSON (forms.go serves
//     calc.Form, the page's forms built from the request structs).
//   - static/: index.html, app.js (plain JavaScript, no framework; state
//     in the URL hash so a link shares a result), style.css.
//
// # Units
//
// JSON carries SI base units as plain numbers (the units package's
// MarshalJSON); requests may give quantities as strings with a unit
// ("50ms"). Display scales (TFLOP/s, GB) travel beside the values.
//
// # Tests
//
// server_test.go covers the handlers with httptest; load_test.go holds
// the load and bad-body benchmarks; browser_test.go drives the page in
// headless Chromium over the DevTools protocol (cdp_test.go, a stdlib
// websocket client) when CHIPGAP_BROWSER=1, as .ci/web sets it.
package web
