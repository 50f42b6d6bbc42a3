// Package calc is chipgap's use-case layer: one pure function per job a
// user asks for (compare chips, estimate a training step, search plans,
// estimate serving, simulate serving, a whole run, fab, the gap report),
// each taking a request struct and returning a typed result.
//
// A request struct is the single definition of its job's inputs. Its
// JSON names are the HTTP API's fields and a request file's YAML keys,
// and (with - for _) the CLI's flags, which input.BindFlags derives from
// the same struct; its defaults, limits and checks live here, in one
// normalize method per request, so that the CLI, the API and a request
// file cannot drift. Bad input is an *input.Error naming the field by its
// JSON path; cmd/chipgap renames it to the flag (input.Flags.Rename) and
// maps it to exit code 2, web to a 400 (a 404 for an id the catalog does
// not have, which wraps catalog.ErrNotFound).
//
// Results are plain values: the API encodes them as JSON, the CLI prints
// them with their WriteText method (the *_text.go files). Nothing here
// reads files, parses flags or touches the network; callers pass the
// catalog they loaded once.
//
// Reading guide: train.go (TrainRequest, Setup, Train, Search) is the
// pattern every other job follows. One file per job (and its *_text.go):
// train, serve (ServeRequest, over serve_deploy.go's ServeDeployment, which
// simulate shares), simulate, run (run_file.go: its --scenario file),
// compare, chips, models, fab, report, sweep, validate. Shared: errors.go
// (the *input.Error helpers), flags.go (BindFlags: a request's fields as
// flags), decode.go (DecodeJSON, DecodeFile: a request from JSON or YAML),
// request_file.go and files.go (scenario and grid files), describe.go and
// forms.go (a request's fields for the page's forms), charts.go (the
// API's charts of each answer; each result's View is the API's shape).
package calc
