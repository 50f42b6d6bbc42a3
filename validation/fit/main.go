// Command fit reproduces chipgap's calibrated stack parameters: it
// predicts the training throughput runs of published-runs files for a grid
// of values of named profile parameters and prints, per grid point, the
// median absolute error and the root-mean-square log error, best last.
//
//	go run ./validation/fit -stack mindformers -runs validation/calibration-mindformers.yaml \
//	    -match v1.3.0 -grid matmul_max=0.6:0.8:0.02,dp_overlap=0:1:0.25
//
// -match keeps the runs whose id contains the string; -date applies the
// stack's dated version first, and the grid point over it; a framework's
// practice the run names (framework_params) leaves the parameters that
// version sets as it has them, as validate does for a run that names a
// release of that date. A run's own
// release (system.software "nemo 24.03") is not applied by default:
// every run is predicted at the one state, so a dated version's
// parameter is fitted with -date at the version's date. -releases
// predicts as validate does instead: only the runs validate gives this
// stack, each at the release it names (its dated version over the grid
// point's current values, so a parameter a version sets keeps the
// version's value there), the others at the current values; it does
// not combine with -date. A grid
// axis may name a per-family or per-chip scale (family_attention.hopper,
// chip_tensor.gb200). Nothing is written: the values go into
// catalog/data/stacks-training.yaml by hand, with a note naming the runs.
//
// -scan checks the calibration rule instead of fitting: it predicts the
// runs with each calibrated or fractional parameter of the stack at 0.5
// to 1.5 times its value and marks the ones some multiple beats by more
// than 5 % of the rms log error:
//
//	go run ./validation/fit -stack cuda-fsdp -releases -scan -runs (every calibration file)
//
// With -serving it scans a serving stack's non-zero parameters the same
// way, read off each profile the runs resolve to (a chip's own value
// included); each point validates the runs, so a scan of the serving
// calibration files takes minutes.
//
// -serving fits a serving stack of catalog/data/stacks-inference.yaml
// instead, on the inference runs of the files that stack predicts (as
// validate predicts them: the steady-state curve or, for offline
// benchmarks, the request-by-request simulation):
//
//	go run ./validation/fit -serving -stack cuda -runs validation/calibration-trtllm-blackwell.yaml \
//	    -grid fp4_matmul_scale=0.63:0.78:0.03,fp4_matmul_half_rows=128:384:64
package main

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/training"
)

func main() {
	var o opts
	flag.StringVar(&o.stack, "stack", "", "training stack profile id")
	flag.StringVar(&o.files, "runs", "", "comma-separated published-runs files")
	flag.StringVar(&o.match, "match", "", "keep runs whose id contains this")
	flag.StringVar(&o.grid, "grid", "", "name=lo:hi:step,... of profile parameters")
	flag.StringVar(&o.date, "date", "", "the stack as of this date (YYYY-MM-DD)")
	flag.BoolVar(&o.show, "show", false, "print each run's error at the best point")
	flag.BoolVar(&o.serving, "serving", false, "fit a serving stack (stacks-inference.yaml) on inference runs")
	flag.BoolVar(&o.releases, "releases", false, "only the runs validate gives the stack, each at the release it names")
	flag.BoolVar(&o.dense, "dense", false, "only the runs of dense models (no mixture of experts)")
	flag.StringVar(&skip, "skip", "", "comma-separated substrings: leave out runs whose id contains one")
	flag.BoolVar(&o.scan, "scan", false, "instead of -grid, predict at 0.5-1.5 times each calibrated or fractional parameter's value and mark those the runs put more than 5 % lower elsewhere")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "fit:", err)
		os.Exit(1)
	}
}

var skip string

type opts struct {
	stack, files, match, grid, date string
	show, serving, releases, dense  bool
	scan                            bool
}

func skipped(id string) bool {
	for _, s := range strings.Split(skip, ",") {
		if s != "" && strings.Contains(id, s) {
			return true
		}
	}
	return false
}

type axis struct {
	name   string
	values []float64
}

func parseGrid(s string) ([]axis, error) {
	var out []axis
	for _, part := range strings.Split(s, ",") {
		name, rng, ok := strings.Cut(part, "=")
		f := strings.Split(rng, ":")
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("grid %q: want name=lo:hi:step", part)
		}
		var v [3]float64
		for i := range f {
			x, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("grid %q: %v", part, err)
			}
			v[i] = x
		}
		a := axis{name: name}
		for x := v[0]; x <= v[1]+v[2]/2; x += v[2] {
			a.values = append(a.values, x)
		}
		out = append(out, a)
	}
	return out, nil
}

type point struct {
	vals   []float64
	median float64
	rms    float64
	errs   map[string]float64
	abs    []float64 // absolute errors so far (add)
	ss     float64   // sum of squared log errors so far
}

func run(o opts) error {
	if o.serving {
		return runServing(o)
	}
	stack, files, match, grid, date, show := o.stack, o.files, o.match, o.grid, o.date, o.show
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	base, err := cat.TrainingProfileByID(stack)
	if err != nil {
		return err
	}
	if o.releases && date != "" {
		return fmt.Errorf("-releases takes each run's own release; -date %s would set another state under it: give one of them", date)
	}
	dated := versionParams(base, date)
	if base, err = base.At(date); err != nil {
		return err
	}
	if o.scan && grid != "" {
		return fmt.Errorf("-scan sets its own points; -grid %s would set others: give one of them", grid)
	}
	rs, err := readRuns(files, match, func(r runs.Run) bool {
		return r.Kind == runs.KindTraining && r.Measured.Metric == runs.MetricTokensPerChip && !(o.dense && r.Model.MoE != nil)
	})
	if err != nil {
		return err
	}
	if o.scan {
		rows, err := scan(cat, base, rs, state{releases: o.releases, dated: dated})
		if err != nil {
			return err
		}
		printScan(rows)
		return nil
	}
	axes, err := parseGrid(grid)
	if err != nil {
		return err
	}
	var pts []point
	err = walk(axes, func(idx []int) error {
		prof, vals, err := atPoint(base, axes, idx, stack)
		if err != nil {
			return err
		}
		pts = append(pts, evaluate(cat, prof, rs, vals, state{releases: o.releases, dated: dated}))
		return nil
	})
	if err != nil {
		return err
	}
	report(pts, show)
	return nil
}

// readRuns is the runs of the comma-separated files that keep accepts,
// whose id contains match and is not -skip'ped.
func readRuns(files, match string, keep func(runs.Run) bool) ([]runs.Run, error) {
	var rs []runs.Run
	for _, f := range strings.Split(files, ",") {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		pf, err := runs.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, r := range pf.Runs {
			if keep(r) && strings.Contains(r.ID, match) && !skipped(r.ID) {
				rs = append(rs, r)
			}
		}
	}
	return rs, nil
}

// walk calls at with every grid point's indices into the axes' values,
// the first axis fastest.
func walk(axes []axis, at func(idx []int) error) error {
	idx := make([]int, len(axes))
	for {
		if err := at(idx); err != nil {
			return err
		}
		i := 0
		for ; i < len(axes); i++ {
			idx[i]++
			if idx[i] < len(axes[i].values) {
				break
			}
			idx[i] = 0
		}
		if i == len(axes) {
			return nil
		}
	}
}

// add records run id's error e at the point; a run that could not be
// predicted (e infinite) counts as an absolute error of 1 and a log
// error of 2.
func (p *point) add(id string, e float64) {
	p.errs[id] = e
	if math.IsInf(e, 0) {
		p.abs, p.ss = append(p.abs, 1), p.ss+4
		return
	}
	l := math.Log(1 + e)
	p.abs, p.ss = append(p.abs, math.Abs(e)), p.ss+l*l
}

// done sets the median absolute and the rms log error of the runs added.
func (p *point) done() point {
	sort.Float64s(p.abs)
	if n := len(p.abs); n > 0 {
		p.median = (p.abs[(n-1)/2] + p.abs[n/2]) / 2
		p.rms = math.Sqrt(p.ss / float64(n))
	}
	return *p
}

// report prints the 15 best grid points, best last, and with show each
// run's error at the best.
func report(pts []point, show bool) {
	sort.Slice(pts, func(i, j int) bool { return pts[i].rms > pts[j].rms })
	for _, p := range pts[max(0, len(pts)-15):] {
		v := make([]string, len(p.vals))
		for i, x := range p.vals {
			v[i] = strconv.FormatFloat(x, 'g', 6, 64)
		}
		fmt.Printf("[%s]  median |err| %.1f%%  rms log err %.4f  (%d runs)\n", strings.Join(v, " "), 100*p.median, p.rms, len(p.errs))
	}
	if show {
		best := pts[len(pts)-1]
		var ids []string
		for id := range best.errs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Printf("  %-60s %+.1f%%\n", id, 100*best.errs[id])
		}
	}
}

// evaluate predicts the runs at the grid point's profile prof; with
// releases only those validate gives prof's stack, each at its release.
// st.dated names the parameters the -date version sets: a framework's
// practice leaves them as that version has them, as validate does for a
// run that names a release of that date.
func evaluate(cat *catalog.Catalog, prof training.Profile, rs []runs.Run, vals []float64, st state) point {
	releases, dated := st.releases, st.dated
	p := point{vals: vals, errs: map[string]float64{}}
	for _, r := range rs {
		s, err := runs.SetupTraining(cat, r)
		if err != nil || releases && s.Profile.ID != prof.ID {
			continue
		}
		pr := prof
		// the practice of the framework the run names (as validate
		// predicts it), then the features the run states
		if fp := cat.FrameworkParams(s.Cluster.Stack, r.System.Software); fp != nil {
			if len(dated) > 0 {
				fp = maps.Clone(fp)
				maps.DeleteFunc(fp, func(name string, _ training.Param) bool { return dated[name] })
			}
			if pr, err = pr.With(fp); err != nil {
				p.add(r.ID, math.Inf(1))
				continue
			}
		}
		if releases {
			pr = atRelease(pr, r.System.Software)
		}
		pr.SequenceParallel, pr.SelectiveRecompute, pr.AlwaysRecompute, pr.MaxZeRO, pr.Interleaved =
			s.Profile.SequenceParallel, s.Profile.SelectiveRecompute, s.Profile.AlwaysRecompute, s.Profile.MaxZeRO, s.Profile.Interleaved
		sr, err := training.Search(r.Model, s.Cluster, pr, s.Job, training.SearchOptions{Space: s.Space, Top: 1, Workers: 1})
		if err != nil {
			p.add(r.ID, math.Inf(1))
			continue
		}
		p.add(r.ID, sr.Top[0].TokensPerSecPerChip/r.Measured.Value-1)
	}
	return p.done()
}

// state is how evaluate takes each run's software: at its own release
// (releases), or at the -date state whose version sets dated.
type state struct {
	releases bool
	dated    map[string]bool
}

// versionParams names the parameters of the version Profile.At picks for
// date; none for no date or no versions.
func versionParams(p training.Profile, date string) map[string]bool {
	pick, ok := p.VersionAt(date)
	if date == "" || !ok {
		return nil
	}
	out := map[string]bool{}
	for name := range pick.Params {
		out[name] = true
	}
	return out
}

// atRelease is prof as validate takes it for a run whose software names
// a release (catalog.Catalog.TrainingProfile): the version of that tag,
// else the state at a calendar release's or a dated release's date, else
// prof itself.
func atRelease(prof training.Profile, software string) training.Profile {
	_, tag := catalog.SplitRelease(software)
	if tag == "" {
		return prof
	}
	out, _ := prof.AtRelease(tag)
	return out
}

// atPoint is the base profile with the grid point idx set, through
// Profile.With: top-level parameters by name and per-family or per-chip
// scales (family_matmul.hopper, family_attention.hopper, family_fp8.hopper,
// chip_tensor.gb200), each keeping its basis and note (a scale the base
// lacks is new), in copies of their maps, so the base's are not written.
func atPoint(base training.Profile, axes []axis, idx []int, stack string) (training.Profile, []float64, error) {
	have := base.Params()
	set := map[string]training.Param{}
	vals := make([]float64, len(axes))
	for i, a := range axes {
		vals[i] = a.values[idx[i]]
		q, ok := have[a.name]
		if !ok {
			q = training.Param{Basis: training.Assumed, Note: "grid"}
		}
		q.Value = vals[i]
		set[a.name] = q
	}
	prof, err := base.With(set)
	if err != nil {
		return base, nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	return prof, vals, nil
}
