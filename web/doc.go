// Package web serves chipgap's page and its JSON API over the same engine
// as the command line: the catalog, the chip comparison, the training
// estimator and plan search, the inference curve, the whole-run and
// serving simulations, the gap report, and small design-space sweeps
// (docs/api.md lists every endpoint, error and limit).
//
// It computes nothing of its own beyond presentation: every number comes
// from the packages below it (catalog, training, inference, goodput,
// serve, scenario, report, sweep), and every chart is SVG from package plot, the
// same code the CLI's reports use. Two pieces of wiring are repeated from
// cmd/chipgap because they live in package main there: the whole run's
// goodput.Job assembly (api_run.go, as `chipgap run`), and the
// comparison's two model rows (compare.go: weights ÷ HBM capacity and
// HBM bandwidth ÷ active weight bytes, first-principles bounds the
// compare-chips command does not print).
//
// # Reading guide
//
//   - server.go: Server (Handler for tests, Listen/Serve and
//     Listen and Serve for the CLI), the route table's mounting, the
//     embedded static/ page.
//   - errors.go, limits.go, jobs.go, admission.go: the one error adapter
//     (JSON {"error", "field"}, panics → logged 500), strict body decoding
//     under a size cap, and the HTTP side of the concurrency policy: the
//     compute gate's 503 and 504, asynchronous jobs as JSON with
//     progress, the report queue's 429 with Retry-After. The policy
//     itself (bounded slots and waiting room, timeouts, the admission
//     estimate, the job store) is package workq's.
//   - api.go: the endpoint table; api_*.go and compare.go: one file per
//     engine, each turning a request into the engine's inputs and its
//     result into JSON (plus charts).
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
