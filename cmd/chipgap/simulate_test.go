package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func runSimulate(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"simulate"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// The issue's command (fewer requests to keep the test short).
var issueArgs = []string{"--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8",
	"--rate", "20", "--requests", "3000", "--input-tokens", "1000", "--output-tokens", "200", "--seed", "1", "--json"}

func TestSimulateIssueCommandJSON(t *testing.T) {
	code, out, errs := runSimulate(t, issueArgs...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Requests          int `json:"requests"`
		RequestsCompleted int `json:"requests_completed"`
		Unfinished        int `json:"requests_unfinished"`
		TTFT              struct {
			P50, P99 float64
		} `json:"ttft_ms"`
		KV struct {
			Allocated int64 `json:"blocks_allocated"`
			Freed     int64 `json:"blocks_freed"`
		} `json:"kv"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out[:min(len(out), 500)])
	}
	if got.Requests != 3000 || got.RequestsCompleted+got.Unfinished != 3000 || got.RequestsCompleted == 0 {
		t.Fatalf("requests %d, completed %d, unfinished %d", got.Requests, got.RequestsCompleted, got.Unfinished)
	}
	if !(got.TTFT.P50 > 0 && got.TTFT.P99 >= got.TTFT.P50) {
		t.Fatalf("ttft_ms p50 %v p99 %v: want 0 < p50 ≤ p99", got.TTFT.P50, got.TTFT.P99)
	}
}

func TestSimulateSameSeedSameBytes(t *testing.T) {
	args := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "2", "--tp", "1", "--rate", "8",
		"--requests", "2000", "--input-dist", "lognormal", "--input-tokens", "1500", "--output-dist", "uniform",
		"--output-min", "50", "--output-max", "400", "--arrival", "gamma", "--cv", "3", "--router", "kv-aware", "--seed", "4", "--json"}
	_, a, _ := runSimulate(t, args...)
	_, b, _ := runSimulate(t, args...)
	if a != b || len(a) < 100 {
		t.Fatalf("two runs with seed 4 differ (or are empty: %d bytes)", len(a))
	}
	args[len(args)-2] = "5"
	if _, c, _ := runSimulate(t, args...); c == a {
		t.Fatal("seeds 4 and 5 gave the same output")
	}
}

func TestSimulateMalformedTraceNamesLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.csv")
	data := "arrival_s,prompt_tokens,output_tokens\n0.0,100,20\n# a comment\n0.5,abc,20\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1", "--trace", path)
	if code != exitUsage || !strings.Contains(errs, "line 4") || !strings.Contains(errs, "prompt_tokens") {
		t.Fatalf("exit %d, stderr %q: want exit 2 (a malformed line is bad input) naming line 4 and prompt_tokens", code, errs)
	}
}

func TestSimulateOverloadReported(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8",
		"--rate", "500", "--requests", "1000000", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Overload *struct {
			Reason string  `json:"reason"`
			Served float64 `json:"served_rate_per_s"`
		} `json:"overload"`
		Completed int `json:"requests_completed"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Overload == nil || got.Overload.Served >= 500 || got.Completed >= 1000000 {
		t.Fatalf("overload %+v, completed %d: want an overload stop well before the end", got.Overload, got.Completed)
	}
}

func TestSimulateBadInput(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1"}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--mode", "sideways"}, exitUsage, "--mode"},
		// Errors name the flag (calc.Flags.Rename), not package serve's field.
		{[]string{"--router", "random"}, exitUsage, "--router = random"},
		{[]string{"--rate", "-3"}, exitUsage, "--rate = -3"},
		{[]string{"--input-dist", "zipf"}, exitUsage, "--input-dist = zipf"},
		{[]string{"--capacity"}, exitUsage, "TTFT and/or TPOT"},
		{[]string{"--admission", "maybe"}, exitUsage, "--admission"},
		// QA: an explicit 0 printed "within P0 TPOT ≤ 13ms" while the
		// JSON said 0.99 and judged at P99.
		{[]string{"--slo-percentile", "0", "--tpot", "13ms"}, exitUsage, "--slo-percentile = 0: want a fraction in (0, 1]"},
		{[]string{"--slo-percentile", "-1"}, exitUsage, "--slo-percentile = -1: want a fraction in (0, 1]"},
		// QA: simulate silently became "1 × 6 h100-sxm".
		{[]string{"--chips", "8", "--tp", "0", "--attention-dp", "3"}, exitUsage, "--attention-dp = 3: an instance of 6 devices (tp 2, ep 1, attention_dp 3, pp 1) leaves 2 of the 8 devices idle"},
	} {
		code, _, errs := runSimulate(t, overriding(base, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestSimulateSweepAndScenario(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--requests", "1500", "--rates", "2,200", "--ttft", "1s", "--tpot", "50ms")
	if code != exitOK || !strings.Contains(out, "rate/s") || !strings.Contains(out, "OVERLOAD") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant a sweep table with an overloaded row", code, errs, out)
	}
	for _, f := range []string{"simulate-disagg.yaml", "simulate-trace.yaml"} {
		code, out, errs := runSimulate(t, "--scenario", filepath.Join("..", "..", "examples", f))
		if code != exitOK || !strings.Contains(out, "TTFT") {
			t.Errorf("%s: exit %d, stderr %q", f, code, errs)
		}
	}
	if code, _, errs := runSimulate(t, "--scenario", filepath.Join("..", "..", "examples", "simulate-trace.yaml"), "--chip", "b200"); code != exitUsage {
		t.Errorf("--scenario with --chip: exit %d (%s), want 2", code, errs)
	}
}

func TestSimulateCapacity(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--precision", "fp8", "--capacity", "--ttft", "500ms", "--tpot", "40ms", "--requests", "2000", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Capacity float64 `json:"capacity_per_s"`
		Result   struct {
			Goodput struct {
				Meets bool `json:"meets_slo"`
			} `json:"goodput"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !(got.Capacity > 1) || !got.Result.Goodput.Meets {
		t.Fatalf("capacity %v requests/s, meets %v: want > 1 and meeting the SLO", got.Capacity, got.Result.Goodput.Meets)
	}
}

func TestSimulateChart(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "run")
	code, _, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--requests", "500", "--rate", "5", "--chart", prefix)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{prefix + "-queue.svg", prefix + "-kv.svg"} {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Fatalf("%s: %v (%d bytes)", f, err, len(b))
		}
	}
	// A rate sweep runs several simulations: --chart is refused up front,
	// not silently skipped.
	other := filepath.Join(t.TempDir(), "sweep")
	code, _, errs = runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--requests", "200", "--rates", "1,2", "--chart", other)
	if code != exitUsage || !strings.Contains(errs, "--chart draws one simulation") {
		t.Errorf("--chart with --rates: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(other + "-queue.svg"); err == nil {
		t.Error("--chart with --rates wrote a chart")
	}
}

// TestSimulatePlan: every plan row that meets the SLO serves the target;
// priced rows come cheapest first; mixed-vendor units are among them.
func TestSimulatePlan(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--precision", "fp8", "--plan", "h100-sxm,mi300x",
		"--plan-tp", "1", "--plan-mixed", "--target-rate", "20", "--ttft", "1s", "--tpot", "40ms", "--requests", "1500", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Plans []struct {
			Name     string  `json:"name"`
			Units    int     `json:"units"`
			Capacity float64 `json:"unit_capacity_per_s"`
			USD      float64 `json:"usd_per_hour"`
			Meets    bool    `json:"meets_slo"`
			Unpriced bool    `json:"unpriced"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	mixed, prev := false, 0.0
	for _, p := range got.Plans {
		mixed = mixed || strings.HasPrefix(p.Name, "prefill ")
		if !p.Meets || p.Unpriced {
			continue
		}
		if p.USD < prev {
			t.Errorf("%s at $%g/h listed after a $%g/h plan", p.Name, p.USD, prev)
		}
		prev = p.USD
	}
	if len(got.Plans) < 8 || !mixed || !got.Plans[0].Meets {
		t.Fatalf("%d plans, mixed %v, first meets %v", len(got.Plans), mixed, got.Plans[0].Meets)
	}
}

// TestSimulateNoOutputNoCost: a run that produces no output token (every
// request too long for the KV cache, so all are rejected) has no cost per
// million output tokens; it used to print "$0 per million output tokens"
// and "0 kWh", a figure that reads as free. (It was once tested at 10^9
// requests/s, where the overload stop came before any request finished;
// an overloaded run now drains its admitted requests, so it has output.)
func TestSimulateNoOutputNoCost(t *testing.T) {
	args := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--requests", "50", "--input-tokens", "3000000", "--output-tokens", "10"}
	code, out, errs := runSimulate(t, append(args, "--rate", "10")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "$0 per million") || !strings.Contains(out, "n/a") {
		t.Errorf("want the cost per million output tokens as n/a with no output, got:\n%s", out)
	}
	code, out, errs = runSimulate(t, append(args, "--rates", "10,20")...)
	if code != exitOK {
		t.Fatalf("--rates: exit %d: %s", code, errs)
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "10" || f[0] == "20") {
			rows++
			if !strings.Contains(line, "n/a") {
				t.Errorf("sweep row with no output prints a cost: %q", line)
			}
		}
	}
	if rows != 2 {
		t.Errorf("%d sweep rows, want 2:\n%s", rows, out)
	}
}

// TestSimulateSaturatedDrains: an overloaded run stops the arrivals and
// serves the admitted requests to the end (issue 14): the reported
// throughput is what the completed requests show over the whole run, the
// deployment's ceiling, never the arrival window's near-zero.
func TestSimulateSaturatedDrains(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8",
		"--rate", "1000", "--requests", "2000", "--input-tokens", "1000", "--output-tokens", "1000", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Overload *struct {
			Drained    bool    `json:"drained"`
			NotArrived int     `json:"not_arrived"`
			Served     float64 `json:"served_rate_per_s"`
		} `json:"overload"`
		Requests  int     `json:"requests"`
		Completed int     `json:"requests_completed"`
		Secs      float64 `json:"simulated_s"`
		T         struct {
			RPS float64 `json:"requests_per_s"`
		} `json:"throughput"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Overload == nil || !r.Overload.Drained {
		t.Fatalf("overload %+v: want a drained overload", r.Overload)
	}
	if r.Completed != r.Requests-r.Overload.NotArrived {
		t.Errorf("completed %d, want every admitted request (%d − %d never arrived)", r.Completed, r.Requests, r.Overload.NotArrived)
	}
	if r.Secs <= 0 || math.Abs(r.T.RPS-float64(r.Completed)/r.Secs) > 1e-9*r.T.RPS || r.Overload.Served != r.T.RPS {
		t.Errorf("throughput %g req/s, served %g, completed %d over %g s: want completed / simulated time", r.T.RPS, r.Overload.Served, r.Completed, r.Secs)
	}
}

// TestSimulateCapacityRateRounded: the workload line of --capacity printed
// the bisected rate with every float digit ("100.86277408690474/s").
func TestSimulateCapacityRateRounded(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1",
		"--precision", "fp8", "--capacity", "--ttft", "500ms", "--tpot", "40ms", "--requests", "1000")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Workload:") {
			rate := strings.Fields(strings.SplitN(line, " at ", 2)[1])[0]
			if len(rate) > 12 {
				t.Errorf("workload rate %q printed with %d characters, want it rounded", rate, len(rate))
			}
		}
	}
}

// TestScenarioTypoOneLine: a typo in a simulate or serve-estimate scenario
// file used to surface yaml.v3's two-line message with the Go type
// ("field modle not found in type main.simSpec") and exit 1; like run's
// scenario it is now one line naming the file, line and field, the close
// names and the allowed ones, exit 2.
func TestScenarioTypoOneLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sim := write("sim.yaml", "simulate:\n  modle: llama3.1-8b\n")
	simLen := write("simlen.yaml", "simulate:\n  model: llama3.1-8b\n  input: {dist: fixed, tokns: 5}\n")
	srv := write("srv.yaml", "deployments:\n  - {name: x, chip: h100-sxm, modle: llama3.1-8b}\n")
	for _, c := range []struct {
		cmd, file, want string
	}{
		{"simulate", sim, "line 2: unknown field modle; did you mean mode, model"},
		{"simulate", simLen, "line 3: unknown field tokns"},
		{"serve-estimate", srv, "line 2: unknown field modle; did you mean mode, model"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{c.cmd, "--scenario", c.file}, strings.NewReader(""), &out, &errb)
		msg := strings.TrimSpace(errb.String())
		if code != exitUsage || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "main.") {
			t.Errorf("%s --scenario %s: exit %d, stderr %q; want exit 2, one line with %q", c.cmd, filepath.Base(c.file), code, msg, c.want)
		}
	}
}

// TestScenarioRateSwept: --rates beside a scenario that states a rate
// sweeps the listed rates (the file's rate is replaced, not refused as a
// rate beside a sweep; review: the disaggregated example was refused).
func TestScenarioRateSwept(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	body := "simulate:\n  model: llama3.1-8b\n  chip: h100-sxm\n  chips: 1\n  requests: 60\n  rate: 4\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runSimulate(t, "--scenario", p, "--rates", "2,3"); code != exitOK || !strings.Contains(out, "rate/s") {
		t.Errorf("--scenario (rate 4) --rates 2,3: exit %d, stderr %q; want a sweep of 2 and 3", code, errs)
	}
	// A capacity search finds the rate itself: the file's rate is
	// refused, as --rate beside --capacity is (review: it was ignored).
	if err := os.WriteFile(p, []byte(body+"  ttft: 2s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runSimulate(t, "--scenario", p, "--capacity"); code != exitUsage || !strings.Contains(errs, "workload.rate = 4: a capacity search finds the rate itself") {
		t.Errorf("--scenario (rate 4) --capacity: exit %d, stderr %q; want exit 2 naming workload.rate", code, errs)
	}
}

// TestScenarioUnusedFields: a scenario field the simulation would ignore
// is refused as its flag is (before: --cv 3 was refused, cv: 3 in a
// file under Poisson arrivals silently dropped), naming the file's line
// and key and what it needs; stating the default is stating it (cv: 2
// under Poisson arrivals had passed, read as absent), and a field left
// out passes.
func TestScenarioUnusedFields(t *testing.T) {
	dir := t.TempDir()
	head := "simulate:\n  model: llama3.1-8b\n  chip: h100-sxm\n  chips: 1\n  requests: 50\n"
	for _, c := range []struct {
		body, want string
	}{
		{"  cv: 3\n", "line 6: field cv: it sets the burstiness of gamma arrivals: it needs workload.arrival gamma"},
		{"  output: {dist: fixed, sigma: 0.5}\n", "line 6: field sigma: workload.output.dist fixed takes no sigma"},
		{"  arrival: offline\n  rate: 4\n", "line 7: field rate: workload.arrival offline queues every request at time 0"},
		{"  link_bandwidth: 50GB/s\n", "line 6: link_bandwidth: the prefill→decode KV link needs mode disaggregated"},
		{"  cv: 2\n", "line 6: field cv: it sets the burstiness of gamma arrivals"}, // the default, stated
		{"  arrival: gamma\n  cv: 2\n", ""},
	} {
		p := filepath.Join(dir, "s.yaml")
		if err := os.WriteFile(p, []byte(head+c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := runSimulate(t, "--scenario", p)
		switch {
		case c.want == "" && code != 0:
			t.Errorf("%q: exit %d (%s), want 0", c.body, code, errs)
		case c.want != "" && (code != exitUsage || !strings.Contains(errs, "scenario "+p+": "+c.want)):
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", c.body, code, errs, c.want)
		}
	}
}

// TestSimulateBadCounts: values the command used to accept silently (exit
// 0, the value ignored or replaced by a default).
func TestSimulateBadCounts(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--requests", "100"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// --pp 0 is one stage, as for serve-estimate and the API
		// (calc.ServeParallel): no longer refused here alone.
		{[]string{"--tp", "-1"}, "--tp = -1"},
		{[]string{"--prefill-ep", "-1"}, "--prefill-ep = -1"},
		{[]string{"--devices-per-chip", "-1"}, "--devices-per-chip = -1"},
		{[]string{"--progress", "maybe"}, `--progress "maybe": want auto, on or off`},
		{[]string{"--target-rate", "5"}, "--target-rate needs --plan"},
		// One mode at a time: the other was dropped silently (QA, session 79).
		{[]string{"--rates", "1,2", "--capacity", "--ttft", "1s"}, "--capacity searches the highest rate"},
		{[]string{"--capacity", "--plan", "h100-sxm", "--target-rate", "2", "--ttft", "1s"}, "--plan sizes the cheapest deployment"},
	} {
		code, _, errs := runSimulate(t, append(append([]string{}, base...), tc.args...)...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, errs, tc.want)
		}
	}
}

// TestSimulatePlanHugeTarget: --plan for 10^6 requests/s needs ~45,000
// single-H100 units; sizing simulated all of them (over ten minutes, no
// answer). Sizing beyond the unit bound is refused per deployment, saying
// how many units it would take.
func TestSimulatePlanHugeTarget(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--plan", "h100-sxm", "--plan-tp", "1",
		"--target-rate", "1e6", "--ttft", "2s", "--tpot", "50ms", "--requests", "300")
	// No deployment can be sized: no feasible answer, exit 1 (it was 0).
	if code != exitFailure || !strings.Contains(errs, "no deployment meets") {
		t.Errorf("exit %d, stderr %q: want exit 1 saying no deployment meets the target", code, errs)
	}
	if !strings.Contains(out+errs, "more than the 512") {
		t.Errorf("exit %d, stdout %q, stderr %q: want the deployment refused as needing more than 512 units", code, out, errs)
	}
}

// simulate and serve-estimate price energy on one basis, the wall
// (econ.Power: TDP × load × server multiplier × PUE): an offline run that
// keeps its one H100 stepping to the end draws serve-estimate's joules
// per output token, within the drain's idle tail. (simulate once charged
// the bare TDP: 0.141 J a token against serve-estimate's 0.209.)
func TestSimulateEnergyOnServeEstimatesBasis(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--arrival", "offline",
		"--requests", "3000", "--input-tokens", "1024", "--output-tokens", "256", "--json")
	if code != exitOK {
		t.Fatalf("simulate: exit %d: %s", code, errs)
	}
	var sim struct {
		Cost struct {
			KWh float64 `json:"kwh_per_m_output_tokens"`
		} `json:"cost"`
	}
	if err := json.Unmarshal([]byte(out), &sim); err != nil || sim.Cost.KWh <= 0 {
		t.Fatalf("simulate --json: %v (%g kWh per million output tokens)", err, sim.Cost.KWh)
	}
	var o, e bytes.Buffer
	if code := run(context.Background(), []string{"serve-estimate", "--chip", "h100-sxm", "--chips", "1", "--model", "llama3.1-8b",
		"--input", "1024", "--output", "256", "--json"}, strings.NewReader(""), &o, &e); code != exitOK {
		t.Fatalf("serve-estimate: exit %d: %s", code, e.String())
	}
	m := regexp.MustCompile(`"joules_per_token": *([0-9.e+-]+)`).FindStringSubmatch(o.String())
	if m == nil {
		t.Fatalf("serve-estimate --json has no joules_per_token:\n%.500s", o.String())
	}
	est, _ := strconv.ParseFloat(m[1], 64)
	simJ := sim.Cost.KWh * 3.6e6 / 1e6 // kWh per million tokens → J per token
	if math.Abs(simJ/est-1) > 0.03 {
		t.Errorf("energy per output token: simulate %.4g J, serve-estimate %.4g J: want one basis (within 3 %%)", simJ, est)
	}
}

// TestSimulatePlanChecksItsInput (QA): an unknown id in --plan was exit 1
// ("no candidate deployment fits"), or a "skipped" line beside exit 0; an
// empty entry was skipped, a repeated chip gave duplicate rows; --chip,
// --chips and --tp beside --plan were ignored while --dp leaked into
// every candidate (exit 1); --target-rate -5 read as missing.
func TestSimulatePlanChecksItsInput(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--target-rate", "5", "--ttft", "2s", "--plan-tp", "1", "--requests", "100"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--plan", "nope"}, `--plan = nope: unknown chip "nope"`},
		{[]string{"--plan", "h100-sxm,nope"}, `--plan = nope: unknown chip "nope"`},
		{[]string{"--plan", "h100-sxm,"}, "--plan = h100-sxm,: entry 2 is empty"},
		{[]string{"--plan", "h100-sxm,h100-sxm"}, "h100-sxm is listed twice"},
		{[]string{"--plan", "h100-sxm", "--plan-tp", "1,1"}, "--plan-tp = 1: listed twice"},
		{[]string{"--plan", "h100-sxm", "--chip", "h100-sxm"}, "--chip beside --plan"},
		{[]string{"--plan", "h100-sxm", "--chips", "8"}, "--chips beside --plan"},
		{[]string{"--plan", "h100-sxm", "--tp", "2"}, "--tp beside --plan"},
		{[]string{"--plan", "h100-sxm", "--dp", "8"}, "--dp beside --plan"},
		{[]string{"--plan", "h100-sxm", "--prefill-chips", "2"}, "--prefill-chips beside --plan"},
		{[]string{"--plan", "h100-sxm", "--rate", "5"}, "--rate beside --plan"},
		{[]string{"--plan", "h100-sxm", "--target-rate", "-5"}, "--target-rate = -5: want the requests per second to serve"},
	} {
		code, out, errs := runSimulate(t, overriding(base, tc.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %.80q, stderr %q; want exit 2 saying %q", tc.args, code, out, errs, tc.want)
		}
	}
}

// TestSimulateRefusesIgnoredFlags (QA): each of these was ignored with
// exit 0; each now says what it needs.
func TestSimulateRefusesIgnoredFlags(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--requests", "100"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cv", "5"}, "--cv: it sets the burstiness of gamma arrivals: it needs --arrival gamma"},
		{[]string{"--input-min", "5"}, "--input-min: --input-dist fixed takes no min"},
		{[]string{"--input-max", "5000"}, "--input-max: --input-dist fixed takes no max"},
		{[]string{"--output-sigma", "2"}, "--output-sigma: --output-dist fixed takes no sigma"},
		{[]string{"--input-dist", "uniform", "--input-min", "500", "--input-max", "1500", "--input-sigma", "2"}, "--input-sigma: --input-dist uniform takes no sigma"},
		{[]string{"--link-bandwidth", "50GB/s"}, "--link-bandwidth: the prefill→decode KV link needs --mode disaggregated"},
		{[]string{"--link-latency", "1ms"}, "--link-latency: the prefill→decode KV link needs --mode disaggregated"},
		{[]string{"--plan-tp", "2"}, "--plan-tp and --plan-mixed shape the candidates of --plan"},
		{[]string{"--plan-mixed"}, "--plan-tp and --plan-mixed shape the candidates of --plan"},
		{[]string{"--rate", "5", "--rates", "1,2"}, "--rate: --rates sweeps the rates it lists"},
		{[]string{"--arrival", "offline", "--rate", "5"}, "--rate: --arrival offline queues every request at time 0"},
		{[]string{"--capacity", "--tpot", "50ms", "--rate", "5"}, "--rate: --capacity searches the rate itself"},
		// QA: a uniform length ignored the tokens beside it.
		{[]string{"--output-dist", "uniform", "--output-min", "50", "--output-max", "400", "--output-tokens", "200"}, "--output-tokens: --output-dist uniform takes no tokens"},
		{[]string{"--trace", filepath.Join("..", "..", "examples", "simulate-trace.csv"), "--input-tokens", "500"}, "--input-tokens: --trace replays its requests' own lengths"},
		// QA: "min = 0: want 1 ≤ min ≤ max (max = 0)", a min never given.
		{[]string{"--input-dist", "uniform"}, "--input-min: missing: uniform lengths need min and max stated"},
		{[]string{"--input-dist", "uniform", "--input-min", "50"}, "--input-max: missing: uniform lengths need min and max stated"},
	} {
		code, out, errs := runSimulate(t, append(append([]string{}, base...), tc.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", tc.args, code, errs, tc.want)
		}
	}
	// What they need, given, runs.
	for _, args := range [][]string{{"--arrival", "gamma", "--cv", "5"}, {"--output-dist", "lognormal", "--output-sigma", "0.5", "--output-max", "400"},
		{"--mode", "disaggregated", "--chips", "2", "--prefill-chips", "1", "--link-latency", "1ms"}} {
		if code, _, errs := runSimulate(t, overriding(base, args...)...); code != exitOK {
			t.Errorf("%v: exit %d, stderr %q; want it to run", args, code, errs)
		}
	}
}

// TestSimulateEmptyTraceIsBadInput: an empty or header-only trace exited
// 1 ("trace: no requests") while empty scenario, runs and request files
// exit 2 (QA): it is bad input, exit 2; an absent trace stays 1.
func TestSimulateEmptyTraceIsBadInput(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1"}
	for name, content := range map[string]string{"empty.csv": "", "header.csv": "arrival_s,prompt_tokens,output_tokens\n"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runSimulate(t, append(base, "--trace", p)...)
		if code != exitUsage || out != "" || !strings.Contains(errs, p+": no requests") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 saying it has no requests", name, code, errs)
		}
	}
	if code, _, errs := runSimulate(t, append(base, "--trace", filepath.Join(dir, "absent.csv"))...); code != exitFailure {
		t.Errorf("absent trace: exit %d, stderr %q; want 1", code, errs)
	}
}

// TestSimulateChartPrefix: --chart DIR/ wrote "-queue.svg" and "-kv.svg"
// in DIR, and a refused chart file offered "(- for standard output)",
// which --chart refuses (QA).
func TestSimulateChartPrefix(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--requests", "50"}
	code, out, errs := runSimulate(t, append(base, "--chart", dir+"/")...)
	if code != exitUsage || out != "" || !strings.Contains(errs, "want a path prefix with a file name part") {
		t.Errorf("--chart DIR/: exit %d, stderr %q; want exit 2", code, errs)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.svg")); len(m) > 0 {
		t.Errorf("--chart DIR/ wrote %v", m)
	}
	if err := os.Mkdir(filepath.Join(dir, "x-queue.svg"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runSimulate(t, append(base, "--chart", filepath.Join(dir, "x"))...)
	if code != exitUsage || !strings.Contains(errs, "is a directory") || strings.Contains(errs, "standard output") {
		t.Errorf("--chart onto a directory: exit %d, stderr %q; want exit 2 without offering standard output", code, errs)
	}
}

// TestSimulateLinkBacklog: QA's commands. Two prefill replicas of
// Llama 3.1 8B, each with a 1 GB/s KV link, send at most 2 × 1e9 /
// (1000 tokens × 131072 bytes: 32 layers × 8 KV heads × 128 × K and V ×
// 2 bytes) = 15.3 caches a second, so --capacity may not pass that rate
// (it said 70.55/s; then 15.66/s, 2.6 % over, within the overload
// trend's 5 %: TTFT ended at the prefill, before the link, as TPOT
// still does), and must serve under it; under a TPOT target alone the
// router, counting each link's queue, spreads the caches over both
// links, so the capacity reaches 90 % of it (blind to the queues it
// stopped at 10.15/s, two thirds). Under a 1 s TTFT every request's TTFT
// holds its cache's 131.072 ms on the link (1000 × 131072 bytes at
// 1 GB/s), so the median is above it (it was 30.6 ms, the prefill's,
// at the same 15.16/s); over a 1 MB/s link 4 requests/s are an overload
// (it ran to the end at 0.0085/s with none); a 10 s link latency delays
// each cache but does not hold the link, so 2/s is served at 2/s (it was
// 0.107/s).
func TestSimulateLinkBacklog(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "2", "--tp", "1", "--mode", "disaggregated", "--json"}
	type capacityOut struct {
		Capacity float64 `json:"capacity_per_s"`
		Result   struct {
			T struct {
				RPS float64 `json:"requests_per_s"`
			} `json:"throughput"`
			TTFT struct {
				P50 float64 `json:"p50"`
			} `json:"ttft_ms"`
		} `json:"result"`
	}
	ceiling := 2 * 1e9 / (1000 * 131072.0)
	for _, target := range [][2]string{{"--tpot", "100ms"}, {"--ttft", "1s"}} {
		slo, c := target[0], capacityOut{}
		code, out, errs := runSimulate(t, append(base, "--link-bandwidth", "1GB/s", "--capacity", slo, target[1])...)
		if code != exitOK || json.Unmarshal([]byte(out), &c) != nil {
			t.Fatalf("capacity %s: exit %d: %s", slo, code, errs)
		}
		if !(c.Capacity <= ceiling && c.Result.T.RPS < ceiling) || slo == "--tpot" && !(c.Capacity > 0.9*ceiling) {
			t.Errorf("%s: capacity %.4g requests/s (served %.4g) over two 1 GB/s KV links; want at most their %.4g (under a TPOT target, over 90 %% of it), served under it",
				slo, c.Capacity, c.Result.T.RPS, ceiling)
		}
		if slo == "--ttft" && !(c.Result.TTFT.P50 > 131.072) {
			t.Errorf("capacity under 1 s TTFT: median TTFT %v ms; want above the cache's 131.072 ms on the link", c.Result.TTFT.P50)
		}
	}
	var r struct {
		Overload *struct {
			Reason string `json:"reason"`
		} `json:"overload"`
		T struct {
			RPS float64 `json:"requests_per_s"`
		} `json:"throughput"`
	}
	code, out, errs := runSimulate(t, append(base, "--requests", "2000", "--rate", "4", "--link-bandwidth", "1MB/s")...)
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("1 MB/s: exit %d: %s", code, errs)
	}
	if r.Overload == nil || !strings.Contains(r.Overload.Reason, "KV link") {
		t.Errorf("4/s over a 1 MB/s KV link (0.0076 caches/s a link): overload %+v; want one naming the KV link", r.Overload)
	}
	r.Overload = nil
	code, out, errs = runSimulate(t, append(base, "--requests", "2000", "--rate", "2", "--link-latency", "10s")...)
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("10 s latency: exit %d: %s", code, errs)
	}
	if r.Overload != nil || !(r.T.RPS > 1.9) {
		t.Errorf("2/s with a 10 s link latency: overload %+v, %.4g requests/s; want none, about 2", r.Overload, r.T.RPS)
	}
}

// TestSimulateOverloadCountsAgree: simulate --help's first example is a
// drained overload whose requests that never arrived were one more than
// those left unfinished (41167 and 41166): the arrival already scheduled
// when the overload was declared still came in.
func TestSimulateOverloadCountsAgree(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "8", "--tp", "8",
		"--rate", "20", "--requests", "100000", "--input-tokens", "1000", "--output-tokens", "200", "--seed", "1", "--json")
	var r struct {
		Overload *struct {
			NotArrived int `json:"not_arrived"`
		} `json:"overload"`
		Requests   int `json:"requests"`
		Completed  int `json:"requests_completed"`
		Rejected   int `json:"requests_rejected"`
		Unfinished int `json:"requests_unfinished"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil || r.Overload == nil {
		t.Fatalf("exit %d, %s: want a JSON overload", code, errs)
	}
	if r.Overload.NotArrived != r.Unfinished || r.Completed+r.Rejected+r.Unfinished != r.Requests {
		t.Errorf("%d never arrived, %d unfinished, %d completed, %d rejected of %d: want never arrived = unfinished",
			r.Overload.NotArrived, r.Unfinished, r.Completed, r.Rejected, r.Requests)
	}
}

// TestSimulateOfflineNoRate: --arrival offline uses no rate; --json said
// rate_per_s 10 (the default rate) beside its throughput (QA).
func TestSimulateOfflineNoRate(t *testing.T) {
	args := []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--arrival", "offline", "--requests", "300"}
	code, out, errs := runSimulate(t, append(args, "--json")...)
	var r struct {
		Rate     *float64       `json:"rate_per_s"`
		Scenario map[string]any `json:"scenario"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if r.Rate != nil && *r.Rate != 0 || r.Scenario["rate"] != nil && r.Scenario["rate"] != 0.0 {
		t.Errorf("rate_per_s %v, scenario rate %v: want absent or 0 (offline uses no rate)", *r.Rate, r.Scenario["rate"])
	}
	code, out, errs = runSimulate(t, args...)
	if code != exitOK || !strings.Contains(out, "Workload: offline, 300 requests queued at once") || strings.Contains(out, "arrivals at") {
		t.Errorf("exit %d (%s); text:\n%s\nwant the offline workload line, no rate", code, errs, out)
	}
}

// TestLatencyBoundNeedsUnit: a bare --tpot 50 was a TPOT bound of 50 s
// (serve-estimate and simulate --tpot/--ttft; their help says "e.g.
// 50ms"): a bare number other than 0 is refused, exit 2, asking for the
// unit; with one, or 0 (no bound), it runs.
func TestLatencyBoundNeedsUnit(t *testing.T) {
	sim := []string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--requests", "50"}
	est := []string{"serve-estimate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1"}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{append(sim, "--tpot", "50"), exitUsage},
		{append(sim, "--ttft", "2"), exitUsage},
		{append(est, "--tpot", "50"), exitUsage},
		{append(est, "--ttft", "1.5"), exitUsage},
		{append(sim, "--mode", "disaggregated", "--link-latency", "1"), exitUsage},
		{append(sim, "--tpot", "50ms", "--ttft", "0"), exitOK},
		{append(sim, "--mode", "disaggregated", "--link-latency", "20us"), exitOK},
		{append(est, "--tpot", "50ms"), exitOK},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &out, &errb)
		flag := tc.args[len(tc.args)-2]
		if code != tc.code || tc.code == exitUsage && !strings.Contains(errb.String(), flag+" = "+tc.args[len(tc.args)-1]+": want a duration with its unit, e.g. 50ms or 2s") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d", tc.args, code, errb.String(), tc.code)
		}
	}
}

// TestSimulateShortProbeRaised: 50 requests of Llama 3.1 8B on an H100
// met a 2 s TTFT even all at once, so --capacity and --plan said
// unbounded (JSON null); a probe is now at least 2,000 requests, so
// --requests 50 finds the capacity --requests 2000 does, says it raised
// the count, and the plan's unit capacity is a number.
func TestSimulateShortProbeRaised(t *testing.T) {
	base := []string{"--model", "llama3.1-8b", "--ttft", "2s", "--progress", "off"}
	cp := append([]string{"--chip", "h100-sxm", "--chips", "1", "--tp", "1", "--capacity"}, base...)
	capacity := func(n string) string {
		code, out, errs := runSimulate(t, append(slices.Clone(cp), "--requests", n)...)
		if code != exitOK {
			t.Fatalf("--requests %s: exit %d: %s", n, code, errs)
		}
		i := strings.Index(out, "Capacity: ")
		if i < 0 {
			t.Fatalf("--requests %s: no capacity line in %.600s", n, out)
		}
		return out[i:]
	}
	short, long := capacity("50"), capacity("2000")
	line := func(s string) string { return s[:strings.Index(s, "\n")] }
	if line(short) != line(long) || strings.Contains(short, "unbounded") || !strings.Contains(short, "--requests 50 raised to 2000 a probe") {
		t.Errorf("--requests 50: %q; want %q and the raise named", short[:min(len(short), 400)], line(long))
	}
	plan := append([]string{"--plan", "h100-sxm", "--plan-tp", "1", "--target-rate", "20", "--requests", "50", "--json"}, base...)
	code, out, errs := runSimulate(t, plan...)
	if code != exitOK || strings.Contains(out, `"unit_capacity_per_s": null`) || !strings.Contains(out, `"unit_capacity_per_s": `) {
		t.Errorf("--plan --requests 50: exit %d (%s), output %.600s; want a bounded unit capacity", code, errs, out)
	}
}

// TestSimulateChartNotInput: --chart PREFIX whose files are the
// command's own inputs (the --trace file, the --scenario file, the
// scenario's trace: file) replaced them with SVG charts, exit 0 (QA); they
// are refused naming --chart before any simulation, as report --csv is.
func TestSimulateChartNotInput(t *testing.T) {
	dir := t.TempDir()
	trace := "arrival_s,input_tokens,output_tokens\n0,100,10\n0.1,100,10\n"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sc := "simulate:\n  model: llama3.1-8b\n  chip: h100-sxm\n  chips: 2\n  tp: 1\n  trace: s-queue.svg\n"
	cases := []struct {
		name, file, text string
		args             []string
	}{
		{"--trace", "tr-queue.svg", trace, []string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "2", "--tp", "1",
			"--trace", filepath.Join(dir, "tr-queue.svg"), "--chart", filepath.Join(dir, "tr")}},
		{"--scenario", "y-kv.svg", sc, []string{"--scenario", filepath.Join(dir, "y-kv.svg"), "--chart", filepath.Join(dir, "y")}},
		{"scenario trace", "s-queue.svg", trace, []string{"--scenario", filepath.Join(dir, "y-kv.svg"), "--chart", filepath.Join(dir, "s")}},
	}
	for _, c := range cases {
		for _, c := range cases { // each case with every input intact
			write(c.file, c.text)
		}
		p := filepath.Join(dir, c.file)
		code, out, errs := runSimulate(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errs, "--chart "+p+" is the input") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 naming --chart", c.name, code, out, errs)
		}
		if b, _ := os.ReadFile(p); string(b) != c.text {
			t.Errorf("%s: the input %s was replaced: %.60q", c.name, p, b)
		}
	}
}

// TestSimulateRatesNamesTheFlag (QA): --rates 1,2,0 said
// "workload.rates[2] = 0", the API's path, where --rate 0 names --rate;
// an element of a list flag is named by the flag.
func TestSimulateRatesNamesTheFlag(t *testing.T) {
	code, out, errs := runSimulate(t, "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "2", "--tp", "1", "--rates", "1,2,0")
	if want := "chipgap simulate: --rates = 0: want a positive request rate per second\n"; code != exitUsage || out != "" || errs != want {
		t.Errorf("--rates 1,2,0: exit %d, stdout %.80q, stderr %q; want exit 2 and %q", code, out, errs, want)
	}
}
