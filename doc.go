// Package chipgap tells, with numbers a reader can check, what an AI
// accelerator and the clusters built from it can really do.
//
// # The chain
//
// chipgap models one chain, each link a layer of packages:
//
//	fab        dies per wafer, yield, cost per good chip, supply per year   (fab)
//	chip       peak per precision, HBM, links, power, price                 (hardware, catalog)
//	cluster    scale-up and scale-out tiers, collectives                    (hardware)
//	workload   LLM architectures; training with a parallel plan;            (llm, parallel,
//	           inference serving under latency targets                       training, inference)
//	software   how much of the peak a stack reaches: efficiency profiles    (catalog stacks-*.yaml)
//	run        failures, checkpoints, restarts, porting effort; serving     (sim, goodput, serve)
//	           fleets under real traffic
//	money      capex, power, $ per run, $ per million tokens, energy        (econ)
//	strategy   iterations per year, the gap report with P10/P50/P90         (uncertain, scenario, report)
//	sweeps     every chip × size × model × precision × target, to Parquet   (sweep)
//
// Delivery is the CLI (cmd/chipgap) and the HTTP server with its page (web).
//
// # Layers
//
// Packages form a DAG, lowest first; arch_test.go fails when a package
// imports upward or a sibling of its own layer:
//
//	0  units, input (the one error type for bad input), examples (the example
//	   files the binary serves)
//	1  hardware, llm, strictyaml, fab, uncertain, sim, plot
//	2  parallel, econ
//	3  training, inference
//	4  serve, goodput
//	5  catalog, runs, scenario, report, sweep, fileio (every file the CLI
//	   reads or writes: bounded reads, output checks, atomic writes)
//	6  calc (the use cases the CLI and the web API share), workq (the
//	   server's concurrency policy: slots, admission, jobs)
//	7  web, cmd/chipgap, validation/fit (the calibration fits, reproduced),
//	   validation/goals (issue 11's accuracy goals, measured)
//
// Layers 0–4 are pure: values in, values out; no files, flags, printing,
// globals, wall-clock time or unseeded randomness. Only layers 5–7 read
// files, and only fileio writes them; only cmd/chipgap and the validation commands
// call os.Exit; only web imports net/http.
//
// # Reading guide
//
// Start with units (the quantities), hardware (chips, tiers, collectives)
// and llm (architectures); then training/doc.go and inference/doc.go for
// the estimators; catalog/doc.go for where every number comes from; and
// docs/methodology.md for the equations and their sources.
package chipgap
