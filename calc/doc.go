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
// Reading guide: train.go (TrainRequest, Train, Search) is the pattern
// every other job follows.
package calc
