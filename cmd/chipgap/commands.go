package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/runs"
	"chipgap/scenario"
	"chipgap/serve"
	"chipgap/sweep"
)

// Exit codes, documented in "chipgap help" and the README ("Exit codes"):
// exitUsage when the user's input is wrong (userError), exitFailure for
// any other error.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is what a command may touch: its streams and its context.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stdinTaken: an input file "-" has read stdin (by the input
	// stdinBy names, readInput); a second is refused.
	stdinTaken bool
	stdinBy    string
}

// command is one subcommand. run returns a usageError or another error
// userError recognises for bad input (exit 2) and any other error for
// failure (exit 1).
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// commands is the one table of subcommands, in the order help prints them.
// The default (no arguments) runs the first: the gap report.
func commands() []command {
	return []command{
		{"report", "the gap report: NVIDIA vs Ascend training, inference, supply, strategy, with ranges (default)", cmdReport},
		{"compare-chips", "compare chips side by side: peaks, HBM, ridge point, per watt/dollar/mm²", cmdCompareChips},
		{"chips", "list the chip catalog, or every field of one chip with ranges and sources", cmdChips},
		{"models", "model presets: parameters, FLOPs per token, KV cache (models ID for one)", cmdModels},
		{"train", "one training step: memory, step-time breakdown, MFU; --search ranks every parallel plan", cmdTrain},
		{"validate", "predict every run of a published-runs file and report the error of each", cmdValidate},
		{"fab", "dies per wafer, yield, cost per good chip and yearly supply with its binding constraint", cmdFab},
		{"serve-estimate", "serving throughput per chip: latency curve, best point under TPOT/TTFT, KV cache, cost per token", cmdServeEstimate},
		{"run", "a whole training run: failures, checkpoints, restarts, goodput and porting effort, simulated", cmdRun},
		{"simulate", "serving under traffic, request by request: TTFT/TPOT percentiles, goodput, capacity at an SLO", cmdSimulate},
		{"sweep", "a design-space sweep: every chip × size × model × precision × target of a grid, to Parquet; shards and merge", cmdSweep},
		{"web", "serve the web page and its JSON API (docs/api.md)", cmdWeb},
	}
}

// defaultCommand runs when chipgap is called with no arguments.
const defaultCommand = "report"

// usageError marks a bad invocation: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// userError reports whether err blames the user's input, the one rule
// behind exit code 2: a bad invocation (usageError, or an output path
// chipgap must not write: *fileio.OutputError), a value a model
// rejects (*input.Error), an id the catalog does not have, or a scenario
// or published-runs file that does not decode or check. A well-posed
// question whose answer is no (a plan or a batch that does not fit, a
// target no batch meets) is a failure, as are unreadable files and
// broken built-in data.
func userError(err error) bool {
	var (
		ue *usageError
		ie *input.Error
		se *scenario.Error
		re *runs.Error
		ge *sweep.Error
		oe *fileio.OutputError
	)
	switch {
	case errors.Is(err, inference.ErrDoesNotFit), errors.Is(err, inference.ErrNoOperatingPoint):
		return false
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &se), errors.As(err, &re), errors.As(err, &ge), errors.As(err, &oe):
		return true
	case serve.Malformed(err): // a trace line that does not parse or check
		return true
	}
	return errors.Is(err, catalog.ErrNotFound)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	name := defaultCommand
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" && len(args) == 1 && slices.Contains(commandNames(), args[0]) {
		name, args = args[0], []string{"--help"} // help CMD = CMD --help
	}
	if name == "help" && len(args) == 1 && slices.Contains([]string{"help", "-h", "-help", "--help"}, args[0]) {
		args = nil // help help and help --help, as every command takes --help
	}
	if name == "help" && len(args) == 1 && args[0] == "version" {
		return runVersion([]string{"--help"}, stdout, stderr) // help version = version --help
	}
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		return runHelp(args, stdout, stderr)
	}
	if strings.HasPrefix(name, "-") && name != "--version" || scenarioArg(name) {
		// flags of the default command, or its scenario file (chipgap
		// [report] [SCENARIO.yaml] [flags])
		name, args = defaultCommand, append([]string{name}, args...)
	}
	if name == "version" || name == "--version" {
		return runVersion(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(e, args)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case userError(err):
			fmt.Fprintf(stderr, "chipgap %s: %v\n", subcommand(name, args), err)
			return exitUsage
		default:
			fmt.Fprintf(stderr, "chipgap %s: %v\n", subcommand(name, args), err)
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "chipgap: unknown command %q%s; run 'chipgap help'\n", name, catalog.Suggest(name, commandNames()))
	return exitUsage
}

// subcommand names the command an error comes from: "sweep merge" and
// "sweep report" for sweep's subcommands (QA: merge's errors said
// "chipgap sweep:"), else the command.
func subcommand(name string, args []string) string {
	if name == "sweep" && len(args) > 0 && (args[0] == "merge" || args[0] == "report") {
		return name + " " + args[0]
	}
	return name
}

// scenarioArg says a first argument that is not a command names the
// default command's scenario file: it ends in .yaml or .yml, or a file of
// that name exists. Any other word stays an unknown command.
func scenarioArg(arg string) bool {
	if slices.Contains(commandNames(), arg) || slices.Contains([]string{"help", "version"}, arg) {
		return false
	}
	if ext := strings.ToLower(filepath.Ext(arg)); ext == ".yaml" || ext == ".yml" {
		return true
	}
	fi, err := os.Stat(arg)
	return err == nil && fi.Mode().IsRegular()
}

// runHelp prints the command list; an argument that is not a command
// (help CMD of a real one never gets here) is a usage error.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) > 1:
		fmt.Fprintf(stderr, "chipgap help: want at most one command, got %d arguments\n", len(args))
		return exitUsage
	case len(args) == 1:
		fmt.Fprintf(stderr, "chipgap help: unknown command %q%s; run 'chipgap help' for the list\n", args[0], catalog.Suggest(args[0], append(commandNames(), "help", "version")))
		return exitUsage
	}
	printHelp(stdout)
	return exitOK
}

// runVersion prints the version; it takes no arguments but --help.
func runVersion(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && slices.Contains([]string{"-h", "-help", "--help"}, args[0]):
		fmt.Fprintln(stdout, "Usage: chipgap version\n\nPrints the module version, or the commit chipgap was built from (with +dirty\nfor uncommitted changes), from the binary's build information.")
		return exitOK
	case len(args) > 0:
		fmt.Fprintf(stderr, "chipgap version: unexpected argument %q: version takes none\n", args[0])
		return exitUsage
	}
	fmt.Fprintln(stdout, "chipgap", version())
	return exitOK
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `chipgap: what AI accelerators and their clusters can really do, with sources and ranges.

Usage: chipgap [command] [flags] [args]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `  %-15s %s
  %-15s %s

With no command, chipgap runs %q on its built-in defaults; a scenario file
as the first argument (chipgap SCENARIO.yaml) runs it on that file.
Every command takes --help; most take --json for machine-readable output.

Exit codes: 0 success, 1 failure (no feasible answer, a file that cannot be read,
bad built-in data), 2 bad input (a flag, argument, id, value or input file that
the command rejects).
`, "help", "this text", "version", "print the version", defaultCommand)
}

// gotArgs says which positional arguments a command got, for a usage
// error: "none", or their count and the arguments themselves.
func gotArgs(pos []string) string {
	if len(pos) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d: %s", len(pos), strings.Join(pos, " "))
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	// --help is asked for: its text goes to standard output (chipgap
	// help CMD | less); a bad flag is one line on standard error
	// (parseFlags).
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		fmt.Fprintln(e.stdout, strings.TrimSpace(usage))
		fmt.Fprintln(e.stdout, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
// Flags may come before or after positional arguments.
//
// A bad flag is one line (the usage text is for --help): the flag
// package's own message and usage dump are held back. An unknown flag is
// named as typed, with the command's flags nearest it (unknownFlag); a
// flag given twice is refused (repeatedFlag).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := cmp.Or(repeatedFlag(fs, args), stdinTwice(fs, args)); err != nil {
		return nil, err
	}
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos, reparse []string
	if fs.Lookup("request") != nil {
		reparse = args
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			return nil, &usageError{fmt.Sprintf("%v (chipgap %s --help lists the flags)", unknownFlag(fs, args, badValue(kindWanted(fs, err))), fs.Name())}
		}
		args = fs.Args()
		if len(args) == 0 {
			if again := reparse; again != nil {
				reparse = nil
				if rv, ok := fs.Lookup("request").Value.(*requestValue); ok {
					if rv.decodeErr != nil {
						return nil, rv.decodeErr
					}
					rv.again = true
				}
				pos, args = nil, again // flags beside --request override the file
				continue
			}
			return pos, checkFiniteFlags(fs)
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// unknownFlag words the flag package's "flag provided but not defined:
// -modle" as "unknown flag --modle; did you mean --model?": the flag as
// args spell it (one dash or two), and the command's flags nearest it
// (catalog.Suggest, as for an unknown command). Any other error is
// returned as it is.
func unknownFlag(fs *flag.FlagSet, args []string, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return err
	}
	typed := "-" + name
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			typed = "--" + name
			break
		}
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	return fmt.Errorf("unknown flag %s%s", clipArg(typed), catalog.Suggest("--"+name, names))
}

// maxArgRunes bounds an argument a flag error quotes, as input.Error
// bounds a value.
const maxArgRunes = 100

// clipArg is s, or its start and its length where s is long.
func clipArg(s string) string {
	if r := []rune(s); len(r) > maxArgRunes {
		return fmt.Sprintf("%s… (%d bytes)", string(r[:maxArgRunes]), len(s))
	}
	return s
}

// repeatable marks a flag.Value that may be given more than once, each
// time adding to a list (web's --allow-host); repeatedFlag lets it be.
type repeatable interface{ repeatable() }

// listFunc is a flag whose every occurrence calls the function, as
// flag.Func's does, and that may be repeated (repeatable).
type listFunc func(string) error

func (f listFunc) Set(s string) error { return f(s) }
func (f listFunc) String() string     { return "" }
func (f listFunc) repeatable()        {}

// repeatedFlag refuses a flag given more than once ("--chips given twice
// (64, 128): give it once"): the flag package keeps the last, silently,
// where the API refuses a repeated key. It walks args as fs.Parse does
// (walkFlags); an unknown flag or --help anywhere is left to Parse
// (help is printed, an unknown flag named). A repeatable flag may be
// repeated.
func repeatedFlag(fs *flag.FlagSet, args []string) error {
	given := map[string][]string{}
	var order []string
	known := walkFlags(fs, args, func(f *flag.Flag, value string) {
		if _, ok := f.Value.(repeatable); ok {
			return
		}
		if given[f.Name] = append(given[f.Name], value); len(given[f.Name]) == 2 {
			order = append(order, f.Name)
		}
	})
	if !known || len(order) == 0 {
		return nil
	}
	return usagef("--%s given %s%s: give it once", order[0], timesText(len(given[order[0]])), valuesText(given[order[0]]))
}

// walkFlags walks args as fs.Parse does, in one pass over them all
// (parseFlags parses them again after a --request file), calling fn with
// each flag given and its value ("" for a bare boolean). It stops, false,
// at --help or an unknown flag, which Parse answers.
func walkFlags(fs *flag.FlagSet, args []string, fn func(f *flag.Flag, value string)) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++ // the next is an argument, and parseFlags goes on after it
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			return false // --help, or an unknown flag: Parse answers it
		}
		if !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			value, hasValue = args[i], true
		}
		if !hasValue {
			value = "" // a bare boolean flag
		}
		fn(f, value)
	}
	return true
}

// stdinTwice refuses, before any input is read, --request - beside
// another input flag of the command given - (requestValue.others, such
// as train's --file): --request reads its file while the flags are
// parsed, so takeStdin would see the second only after the first was
// read and decoded (QA: train --file - --request - decoded the runs file
// as a request and named one of its fields).
func stdinTwice(fs *flag.FlagSet, args []string) error {
	f := fs.Lookup("request")
	if f == nil {
		return nil
	}
	rv, _ := f.Value.(*requestValue)
	var by []string
	walkFlags(fs, args, func(f *flag.Flag, value string) {
		if value == fileio.Stdin && (f.Name == "request" || rv != nil && slices.Contains(rv.others, f.Name)) {
			by = append(by, "--"+f.Name)
		}
	})
	if len(by) < 2 {
		return nil
	}
	return stdinTwiceError(by[0], by[1])
}

// isBoolFlag reports whether f takes no value (--json), as the flag
// package decides.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// timesText is "twice" or "3 times".
func timesText(n int) string {
	if n == 2 {
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// valuesText lists a repeated flag's values, " (64, 128)"; "" where it
// was given bare (a boolean) each time.
func valuesText(vs []string) string {
	var out []string
	bare := true
	for _, v := range vs {
		bare = bare && v == ""
		if v == "" || strings.ContainsAny(v, ", ") {
			v = strconv.Quote(v)
		}
		out = append(out, clipArg(v))
	}
	if bare {
		return ""
	}
	return " (" + strings.Join(out, ", ") + ")"
}

// bindRequest makes req's fields the command's flags (calc.BindFlags):
// the one definition of a job's inputs, shared with the API.
func bindRequest(fs *flag.FlagSet, req any) *calc.Flags { return calc.BindFlags(fs, req) }

// requestFlag adds --request FILE: the whole request as the API's JSON
// body (or the same keys in YAML), read first; flags given beside it
// override its fields (parseFlags parses them again after the file). A
// file that does not decode is bad input (exit 2); one that cannot be
// read is returned by its readError, to call once the flags are parsed,
// and classed as --file's is (a missing file: exit 1), not as a bad flag
// value.
func requestFlag(e *env, fs *flag.FlagSet, req any, others ...string) *requestValue {
	v := &requestValue{e: e, req: req, others: others}
	fs.Var(v, "request", "read the request from `FILE`: the API's JSON body, or the same keys in YAML (at most 4 MiB; - reads standard input); flags override it")
	return v
}

// requestValue is --request's flag.Value. parseFlags parses the
// arguments twice when a command has it (the file first, then the flags
// over it) and marks the second pass (again), where the file is not read
// again; a second --request, even naming the same file, is refused
// before either pass (repeatedFlag). keys are the JSON paths the file
// sets ("plan.tp"), so that an error about one names the file, not a
// flag nobody gave.
type requestValue struct {
	e       *env     // reads the file (readInput: - is standard input)
	others  []string // the command's other flags that read - (stdinTwice)
	req     any
	path    string
	again   bool
	readErr error // a file that cannot be read: returned after parsing
	// decodeErr is a file that does not decode (bad input): parseFlags
	// returns it once the arguments are parsed.
	decodeErr error
	keys      map[string]bool
}

func (v *requestValue) String() string {
	if v == nil {
		return ""
	}
	return v.path
}

// readError is the error reading the file (nil when it was read or none
// was given).
func (v *requestValue) readError() error { return v.readErr }

// sets reports whether the request file sets the field at JSON path.
func (v *requestValue) sets(path string) bool { return v != nil && v.keys[path] }

func (v *requestValue) Set(path string) error {
	if v.again {
		return nil
	}
	v.path = path
	b, err := v.e.readInput("--request", path, fileio.MaxConfigBytes)
	if err != nil {
		v.readErr = err
		return nil
	}
	if err := calc.DecodeFile(path, b, v.req); err != nil {
		// Returned by parseFlags as it is: through the flag package it
		// read "--request = r.json: r.json: sq: unknown field ... (chipgap
		// train --help lists the flags)", the file named twice.
		v.decodeErr = err
		return nil
	}
	v.keys = calc.FileKeys(path, b)
	return nil
}

// blame names the input an *input.Error's field came from (QA: a value
// of a --request file or of a published run was blamed on a flag nobody
// gave): the flag when the command line gave it, else the request file
// and its field, else what file says (a command's own input file; nil
// to pass), else the flag (calc.Flags.Rename). Any other error is
// returned as it is.
func blame(b *calc.Flags, rv *requestValue, err error, file func(*input.Error) error) error {
	fe, ok := err.(*input.Error)
	switch {
	case !ok || b.Set(fe.Field):
		return b.Rename(err)
	case rv.sets(fe.Field):
		c := *fe
		c.Prefix = rv.path + ": "
		return &c
	case file != nil:
		if ferr := file(fe); ferr != nil {
			return ferr
		}
	}
	return b.Rename(err)
}

// badValue words the flag package's `invalid value "x" for flag -chips:
// want an integer` (and its boolean form) as the other bad inputs are
// worded, the flag as the help spells it: `--chips = x: want an
// integer`. Any other error is returned as it is.
func badValue(err error) error {
	msg := err.Error()
	for _, p := range []struct{ head, sep string }{{"invalid value ", " for flag -"}, {"invalid boolean value ", " for -"}} {
		rest, ok := strings.CutPrefix(msg, p.head)
		if !ok {
			continue
		}
		quoted, tail, ok := strings.Cut(rest, p.sep)
		name, why, ok2 := strings.Cut(tail, ": ")
		v, uerr := strconv.Unquote(quoted)
		if !ok || !ok2 || uerr != nil {
			return err
		}
		if v == "" || strings.ContainsAny(v, " \t\n") {
			v = quoted
		}
		return fmt.Errorf("--%s = %s: %s", name, v, why)
	}
	return err
}

// kindWanted replaces the flag package's bare "parse error" for a
// number flag with the kind of value the flag takes ("want an integer").
func kindWanted(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	rest, ok := strings.CutSuffix(msg, ": parse error")
	if !ok {
		return err
	}
	if strings.HasPrefix(rest, "invalid boolean value") {
		return errors.New(rest + ": want true or false")
	}
	_, name, found := strings.Cut(rest, " for flag -")
	f := fs.Lookup(name)
	if !found || f == nil {
		return err
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err
	}
	want := ""
	switch g.Get().(type) {
	case int, int64:
		want = "an integer"
	case uint, uint64:
		want = "a non-negative integer"
	case float64:
		want = "a number"
	case bool:
		want = "true or false"
	case time.Duration:
		want = "a duration such as 90s, 30m or 2h"
	default:
		return err
	}
	return errors.New(rest + ": want " + want)
}

// parseNoArgs parses flags and refuses positional arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	return err
}
