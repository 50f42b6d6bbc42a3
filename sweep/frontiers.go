package sweep

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// FrontierSet is one chart of a sweep report: the cells of one model
// (and, for serving, one workload) on two outputs, and those on the
// Pareto frontier.
type FrontierSet struct {
	ID, Title    string
	Target       string
	Model        string
	XName, YName string // what each axis is, with its unit
	LogX, LogY   bool
	Goal         Goal
	Rows         []int   // indices into the report's rows, one per point
	Points       []Point // the cells' values, typical (not sampled)
	// YRange is each point's P10 and P90 of Y where the grid drew
	// samples and the output has them (NaN otherwise).
	YRange   [][2]float64
	HasRange bool
	Front    []int // indices into Points, best X first
	Left     int   // cells of the group with no finite value on an axis
}

// axes is one kind of frontier: which outputs, which way is better.
type axes struct {
	id, what     string
	target       string
	xName, yName string
	logX, logY   bool
	goal         Goal
	x, y         func(*Row) *float64
	p10, p90     func(*Row) *float64 // nil: no Monte Carlo range of y
}

var frontierKinds = []axes{
	{id: "cost-time", what: "run cost vs time", target: TargetTraining, xName: "days to train (porting + wall)", yName: "run cost, $M",
		logX: true, logY: true, x: func(r *Row) *float64 { return r.TotalDays }, y: func(r *Row) *float64 { return scaled(r.RunCostUSD, 1e-6) },
		p10: func(r *Row) *float64 { return scaled(r.RunCostP10, 1e-6) }, p90: func(r *Row) *float64 { return scaled(r.RunCostP90, 1e-6) }},
	{id: "energy-time", what: "energy vs time (per watt)", target: TargetTraining, xName: "days to train (porting + wall)", yName: "run energy, MWh",
		logX: true, logY: true, x: func(r *Row) *float64 { return r.TotalDays }, y: func(r *Row) *float64 { return scaled(r.RunEnergyJ, 1/3.6e9) }},
	{id: "mtok-tpot", what: "$/Mtok vs TPOT", target: TargetServing, xName: "TPOT reached, ms", yName: "$ per million output tokens",
		logY: true, x: func(r *Row) *float64 { return scaled(r.TPOTS, 1e3) }, y: func(r *Row) *float64 { return r.USDPerMtok },
		p10: func(r *Row) *float64 { return r.USDPerMtokP10 }, p90: func(r *Row) *float64 { return r.USDPerMtokP90 }},
	{id: "kw-tpot", what: "tokens/s per kW vs TPOT (per watt)", target: TargetServing, xName: "TPOT reached, ms", yName: "output tokens/s per kW at the wall",
		logY: true, goal: Goal{MaxY: true}, x: func(r *Row) *float64 { return scaled(r.TPOTS, 1e3) }, y: func(r *Row) *float64 { return r.ServeTPSPerKW }},
}

func scaled(p *float64, f float64) *float64 {
	if p == nil {
		return nil
	}
	return f64(*p * f)
}

// Frontiers groups rows by target and model (serving: and workload) and
// returns, for each group, the cost-vs-time and energy-vs-time frontiers
// of training and the $/Mtok-vs-TPOT and tokens/s-per-kW-vs-TPOT
// frontiers of serving, on the typical-value outputs. Rows with an error
// are left out. Sets come in a fixed order: training first, then
// serving, each by model (and workload) as they first appear.
func Frontiers(rows []Row) []FrontierSet {
	groups, order := map[string][]int{}, []string{}
	for i := range rows {
		r := &rows[i]
		if r.Error != "" {
			continue
		}
		k := groupKey(r)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	training := func(k string) bool { return rows[groups[k][0]].Target == TargetTraining }
	slices.SortStableFunc(order, func(a, b string) int { return -cmp.Compare(b2i(training(a)), b2i(training(b))) })
	var out []FrontierSet
	for _, k := range order {
		for _, ax := range frontierKinds {
			if ax.target == rows[groups[k][0]].Target {
				out = append(out, frontierSet(rows, groups[k], ax))
			}
		}
	}
	return out
}

// groupKey is what makes cells comparable on one chart.
func groupKey(r *Row) string {
	if r.Target == TargetServing {
		return fmt.Sprintf("%s\x00%s\x00%d\x00%d", r.Target, r.Model, intOr0(r.InputTokens), intOr0(r.OutputTokens))
	}
	return r.Target + "\x00" + r.Model
}

func intOr0(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func frontierSet(rows []Row, idx []int, ax axes) FrontierSet {
	r0 := &rows[idx[0]]
	fs := FrontierSet{ID: ax.id + "-" + r0.Model, Target: ax.target, Model: r0.Model, XName: ax.xName, YName: ax.yName,
		LogX: ax.logX, LogY: ax.logY, Goal: ax.goal}
	fs.Title = r0.Model + ": " + ax.what
	if ax.target == TargetServing {
		fs.ID += fmt.Sprintf("-%d-%d", intOr0(r0.InputTokens), intOr0(r0.OutputTokens))
		fs.Title += fmt.Sprintf(" (%d in, %d out)", intOr0(r0.InputTokens), intOr0(r0.OutputTokens))
	}
	for _, i := range idx {
		x, y := ax.x(&rows[i]), ax.y(&rows[i])
		if x == nil || y == nil || !finite(*x) || !finite(*y) || (ax.logX && *x <= 0) || (ax.logY && *y <= 0) {
			fs.Left++
			continue
		}
		fs.Rows = append(fs.Rows, i)
		fs.Points = append(fs.Points, Point{*x, *y})
		fs.YRange = append(fs.YRange, [2]float64{math.NaN(), math.NaN()})
		if ax.p10 != nil {
			if lo, hi := ax.p10(&rows[i]), ax.p90(&rows[i]); lo != nil && hi != nil {
				fs.YRange[len(fs.YRange)-1], fs.HasRange = [2]float64{*lo, *hi}, true
			}
		}
	}
	fs.Front = Frontier(fs.Points, ax.goal)
	return fs
}

// PointLabel names a cell on a chart: chip, size, precision, and the
// stack, date or SLO when the grid varies them.
func PointLabel(r *Row) string {
	s := fmt.Sprintf("%s ×%d %s", r.Chip, r.Chips, r.Precision)
	if r.Stack != "" {
		s += " " + r.Stack
	}
	if r.StackDate != "" {
		s += " @" + r.StackDate
	}
	if slo := sloLabel(r); slo != "" {
		s += " " + slo
	}
	return s
}

// sloLabel is a serving cell's latency targets ("TPOT≤50ms", with
// " TTFT≤2s" where it has one); empty for a training cell.
func sloLabel(r *Row) string {
	if r.SLOTPOT == nil {
		return ""
	}
	s := fmt.Sprintf("TPOT≤%gms", math.Round(*r.SLOTPOT*1e4)/10)
	if r.SLOTTFT != nil && *r.SLOTTFT > 0 {
		s += fmt.Sprintf(" TTFT≤%gs", *r.SLOTTFT)
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
