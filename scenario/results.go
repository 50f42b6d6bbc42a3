package scenario

import (
	"encoding/json"
	"math"
	"strconv"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/uncertain"
)

// Stat is one figure: its value at every input's typical value (Typ) and
// its P10/P50/P90 over the Monte Carlo samples.
type Stat struct {
	Typ float64 `json:"typ"`
	P10 float64 `json:"p10"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
}

func statOf(typ float64, xs []float64) Stat {
	s := uncertain.Summarize(xs)
	return Stat{Typ: typ, P10: s.P10, P50: s.P50, P90: s.P90}
}

// MarshalJSON writes a non-finite value (a run that never finishes) as
// null, and, where the estimate at typical values lies outside the
// samples' P10–P90, "typ_outside": "below" or "above"
// (uncertain.Outside: some typical values sit near an end of their
// ranges; both figures stand as computed).
func (s Stat) MarshalJSON() ([]byte, error) {
	var b []byte
	b = append(b, '{')
	for i, f := range []struct {
		k string
		v float64
	}{{"typ", s.Typ}, {"p10", s.P10}, {"p50", s.P50}, {"p90", s.P90}} {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.k...)
		b = append(b, '"', ':')
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, f.v, 'g', -1, 64)
		}
	}
	if side := s.Apart().Side; side != "" {
		b = append(b, `,"typ_outside":"`+side+`"`...)
	}
	return append(b, '}'), nil
}

// Apart is where the estimate at typical values lies beside the
// samples' P10–P90 (uncertain.Beside.Apart, why uncertain.NearEnd): the
// one decision that MarshalJSON's "typ_outside" and the report's text
// both word.
func (s Stat) Apart() uncertain.Apart {
	return uncertain.Beside{Typ: s.Typ, Lo: s.P10, Hi: s.P90}.Apart(uncertain.NearEnd)
}

// Scale multiplies every field by f (for display units).
func (s Stat) Scale(f float64) Stat {
	return Stat{Typ: s.Typ * f, P10: s.P10 * f, P50: s.P50 * f, P90: s.P90 * f}
}

// Names of the per-system figures (keys of SystemResult.Stats).
const (
	OutPeak          = "peak_flops"           // FLOP/s, training precision
	OutHBM           = "hbm_bandwidth"        // B/s
	OutTDP           = "tdp_w"                // W
	OutWPerPFLOPS    = "w_per_pflops"         // TDP per PFLOP/s of peak
	OutWPerAchieved  = "w_per_achieved_pflop" // TDP per PFLOP/s achieved in training (MFU × peak)
	OutMFU           = "mfu"                  // fraction
	OutTokensPerSec  = "train_tokens_per_s"   // whole cluster
	OutSteadyDays    = "steady_days"          // token budget at steady-state throughput
	OutDowntimeDays  = "downtime_days"        // lost work + restarts + checkpoints
	OutEngDays       = "engineering_days"     // port + maturation slowdown
	OutWallDays      = "wall_days"            // the run itself (port excluded)
	OutTotalDays     = "total_days"           // port + run
	OutEffective     = "effective"            // productive / wall
	OutHourCost      = "usd_per_chip_hour"    // owned, busy hour
	OutRunCost       = "run_cost_usd"         // chips × wall × hour cost
	OutRunEnergy     = "run_energy_j"         // chips × wall × wall power
	OutWallPower     = "wall_w_per_chip"      // at the meter
	OutServeTPS      = "serve_tokens_per_s_per_chip"
	OutServeTPSPerKW = "serve_tokens_per_s_per_kw" // per kW at the wall
	OutUSDPerMtok    = "usd_per_mtok"
	OutJPerToken     = "j_per_token"
	OutTPOT          = "tpot_s"
)

// Names of the gap figures (Gap.Stats): challenger vs baseline.
const (
	GapRatio       = "total_ratio"    // total days ratio
	GapSteadyRatio = "steady_ratio"   // steady-state throughput alone
	GapDelta       = "delta_days"     // total days difference
	GapSteady      = "delta_steady"   // from throughput
	GapDowntime    = "delta_downtime" // from failures and checkpoints
	GapEngineering = "delta_engineering"
	GapCostRatio   = "cost_ratio"
	GapPowerRatio  = "w_per_pflops_ratio"
	GapAchRatio    = "w_per_achieved_ratio"
)

// Results is everything the gap report shows.
type Results struct {
	Title     string         `json:"title"`
	Seed      uint64         `json:"seed"`
	Samples   int            `json:"samples"`
	Scenario  *Scenario      `json:"scenario"`
	Training  TrainingSetup  `json:"training"`
	Inference InferenceSetup `json:"inference"`
	Systems   []SystemResult `json:"systems"`
	Gaps      []Gap          `json:"gaps"`
	Supply    []SupplyResult `json:"supply"`
	// Strategy and Tornado compare the baseline with the challenger:
	// zero, and absent from the JSON, where either has no training plan
	// (not a strategy of empty labels and a tornado of base 0).
	Strategy StrategyResult `json:"strategy,omitzero"`
	Tornado  TornadoResult  `json:"tornado,omitzero"`
	// Believe maps the essay's claim over the unknowns of the
	// challenger's whole run (nil without a baseline and challenger).
	Believe *BelieveResult `json:"believe,omitempty"`
	Inputs  []Input        `json:"assumptions"`
	// Fixed lists what the Monte Carlo holds at one value (stack
	// profile parameters, checkpoint and spare defaults).
	Fixed   []Input           `json:"fixed"`
	Sources []hardware.Source `json:"sources"`
	Notes   []string          `json:"notes,omitempty"`
}

// TrainingSetup describes the run every system is asked to do.
type TrainingSetup struct {
	Model       string  `json:"model"`
	ModelName   string  `json:"model_name"`
	Params      float64 `json:"params"`
	Active      float64 `json:"active_params"`
	Tokens      float64 `json:"tokens"`
	FLOP        float64 `json:"flop"` // 6·active·tokens
	Seq         int     `json:"seq"`
	GlobalBatch int     `json:"global_batch"`
	Precision   string  `json:"precision"`
	Sizing      string  `json:"sizing"`
}

// InferenceSetup describes the service every system is asked to run.
type InferenceSetup struct {
	Model     string  `json:"model"`
	ModelName string  `json:"model_name"`
	Input     int     `json:"input_tokens"`
	Output    int     `json:"output_tokens"`
	TPOT      float64 `json:"tpot_s"`
	TTFT      float64 `json:"ttft_s"`
}

// SystemResult is one system's figures.
type SystemResult struct {
	System    System `json:"system"`
	ChipName  string `json:"chip_name"`
	Vendor    string `json:"vendor"`
	Chips     int    `json:"chips"`
	NodeChips int    `json:"chips_per_node"`
	// DevicesPerChip is the devices the software sees in one package
	// where it is more than one (the 910C: CANN sees each of its two dies
	// as a device): plans and serving layouts count devices, so their
	// degrees multiply to Chips × DevicesPerChip.
	DevicesPerChip int `json:"devices_per_chip,omitempty"`
	// TrainingStack and ServingStack say which software profiles were
	// assumed and why.
	TrainingStack string `json:"training_stack"`
	ServingStack  string `json:"serving_stack"`
	// TrainingEvidence is the evidence class of the training stack's
	// efficiency (stackEvidence): measured where its GEMM efficiency was
	// fitted on published runs, assumed where nobody fitted it.
	TrainingEvidence string `json:"training_evidence,omitempty"`
	Plan             string `json:"plan,omitempty"`
	// TrainingCrossCheck is the same training run on the hardware stack's
	// calibrated profile, where the system's own profile is assumed and
	// it names no framework (Ascend: mindformers beside cann-mindspeed).
	TrainingCrossCheck *CrossCheck `json:"training_cross_check,omitempty"`
	// TrainError is set when no plan fits (the training figures are
	// then absent).
	TrainError string          `json:"train_error,omitempty"`
	Serve      ServeSetup      `json:"serve"`
	Stats      map[string]Stat `json:"stats"`
	// Sources are the catalog keys behind the chip's figures; Trails
	// the same by figure name (peak, HBM, TDP; price under OutHourCost).
	Sources []string            `json:"sources"`
	Trails  map[string][]string `json:"trails"`
	// TrainingScore and ServingScore are how the estimators behind the
	// system's training and serving figures score on published runs of
	// the chip's vendor and the scenario's kind of model (dense or MoE):
	// the catalog's scorecard regime, nil where it has none.
	TrainingScore *catalog.Score `json:"training_score,omitempty"`
	ServingScore  *catalog.Score `json:"serving_score,omitempty"`
}

// CrossCheck is a system's training run searched again, at typical
// values, on its hardware stack's profile whose GEMM efficiency was
// fitted on published runs (catalog.CalibratedTrainingProfile).
type CrossCheck struct {
	// Profile is the profile's id and HardwareStack the hardware stack
	// it belongs to (mindformers, cann); Stack names the profile and why
	// it was chosen; Evidence is its evidence class (measured: fitted on
	// published runs).
	Profile       string `json:"profile"`
	HardwareStack string `json:"hardware_stack"`
	Stack         string `json:"stack"`
	Evidence      string `json:"evidence"`
	Plan          string `json:"plan,omitempty"`
	// TokensPerSec is the whole cluster's steady-state training
	// throughput on that profile's best plan; MFU its model FLOPs
	// utilisation.
	TokensPerSec float64 `json:"train_tokens_per_s,omitempty"`
	MFU          float64 `json:"mfu,omitempty"`
	// WPerAchieved is the chip's typical TDP per PFLOP/s achieved on that
	// plan (as OutWPerAchieved).
	WPerAchieved float64 `json:"w_per_achieved_pflop,omitempty"`
	// Error says why no plan fits on that profile.
	Error string `json:"error,omitempty"`
}

// ServeSetup is the serving layout searched at typical values.
type ServeSetup struct {
	Precision string `json:"precision,omitempty"`
	Chips     int    `json:"instance_chips,omitempty"`
	TP        int    `json:"tp,omitempty"`
	EP        int    `json:"ep,omitempty"`
	Batch     int    `json:"batch,omitempty"`
	Bound     string `json:"bound,omitempty"`
	// Mode is "colocated" or "disaggregated" (prefill and decode pools
	// of the instance's layout, sized for the mix: inference.BestServing).
	Mode string `json:"mode,omitempty"`
	// PrefillPerDecode is the prefill pool's chips per decode-pool chip
	// when disaggregated (inference.Disagg), at typical values.
	PrefillPerDecode float64 `json:"prefill_chips_per_decode_chip,omitempty"`
	Error            string  `json:"error,omitempty"`
}

// Gap compares one system's training run with the baseline's: the
// total-time ratio and its decomposition into throughput (steady-state
// days), downtime (lost work, restarts, checkpoints) and engineering
// (porting and maturation), which sum to the total difference.
type Gap struct {
	Label  string          `json:"label"`
	Versus string          `json:"versus"`
	Stats  map[string]Stat `json:"stats"`
}

// SupplyResult is a year of good packages of one chip.
type SupplyResult struct {
	Chip     string          `json:"chip"`
	ChipName string          `json:"chip_name"`
	Process  string          `json:"process"`
	Year     int             `json:"year"`
	Stats    map[string]Stat `json:"stats"`
	// Binds is the probability that each constraint binds.
	Binds map[string]float64 `json:"binds"`
	// Binding is the constraint at typical values.
	Binding string `json:"binding"`
	// Tornado ranks the fab inputs by their swing of good packages per
	// year (largest first, at most eight; inputs of constraints that do
	// not bind at typical values swing nothing and are left out).
	Tornado []uncertain.Swing `json:"tornado"`
	// Clusters is good packages per year / the chips of each system's
	// training cluster on this chip (one per system, in the scenario's
	// order; System empty where no system trains on the chip: the
	// cluster the scenario's sizing gives it). Stats[SupClusters] is the
	// first's.
	Clusters []SupplyCluster `json:"clusters,omitempty"`
}

// SupplyCluster is a year of good packages counted in one system's
// training clusters.
type SupplyCluster struct {
	System  string `json:"system,omitempty"`
	Chips   int    `json:"chips"`
	PerYear Stat   `json:"per_year"`
}

// Names of supply figures.
const (
	SupGood      = "good_per_year"
	SupWafers    = "from_wafers"
	SupHBM       = "from_hbm"
	SupPackaging = "from_packaging"
	SupDeployed  = "deployed_flops"
	SupDieYield  = "die_yield"
	SupPkgYield  = "package_yield"
	SupCost      = "cost_per_good_package"
	SupClusters  = "training_clusters_per_year" // good / the first SupplyCluster's chips
)

// StrategyResult is the race between the baseline and the challenger.
type StrategyResult struct {
	Baseline   string          `json:"baseline"`
	Challenger string          `json:"challenger"`
	Stats      map[string]Stat `json:"stats"`
	// LagMonths is the lag's P10/P50/P90 (and Typ) at each month of the
	// horizon.
	Months    []float64 `json:"months"`
	LagMonths []Stat    `json:"lag_months"`
}

// Names of strategy figures.
const (
	StratCycleBase   = "cycle_days_baseline"
	StratCycleChal   = "cycle_days_challenger"
	StratItersBase   = "iterations_per_year_baseline"
	StratItersChal   = "iterations_per_year_challenger"
	StratRelRate     = "relative_rate"
	StratLag6        = "lag_months_at_6"
	StratLag18       = "lag_months_at_18"
	StratLagHorizon  = "lag_months_at_horizon"
	StratGapHorizon  = "iteration_gap_at_horizon"
	StratPremium     = "premium"
	StratExtraCost   = "extra_cost_usd"
	StratExtraMonths = "extra_months"
)

// TornadoResult ranks the inputs by how far they move the headline: the
// challenger's total training time over the baseline's.
type TornadoResult struct {
	Output string            `json:"output"`
	Base   float64           `json:"base"`
	Swings []uncertain.Swing `json:"swings"`
}

// MarshalJSON writes the tornado with its non-finite figures (a run that
// never finishes) as null, as Stat does.
func (t TornadoResult) MarshalJSON() ([]byte, error) {
	type swing struct {
		Input   string   `json:"input"`
		LowIn   *float64 `json:"low_in"`
		HighIn  *float64 `json:"high_in"`
		LowOut  *float64 `json:"low_out"`
		HighOut *float64 `json:"high_out"`
		Swing   *float64 `json:"swing"`
	}
	fin := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	out := struct {
		Output string   `json:"output"`
		Base   *float64 `json:"base"`
		Swings []swing  `json:"swings"`
	}{Output: t.Output, Base: fin(t.Base)}
	for _, w := range t.Swings {
		out.Swings = append(out.Swings, swing{w.Input, fin(w.LowIn), fin(w.HighIn), fin(w.LowOut), fin(w.HighOut), fin(w.Swing)})
	}
	return json.Marshal(out)
}

// Input is one uncertain input (a catalog value or a named assumption):
// its range, unit and where it comes from.
type Input struct {
	Name    string   `json:"name"`
	Unit    string   `json:"unit"`
	Min     float64  `json:"min"`
	Typ     float64  `json:"typ"`
	Max     float64  `json:"max"`
	Sources []string `json:"sources,omitempty"`
	Assumed bool     `json:"assumed,omitempty"`
	Derived bool     `json:"derived,omitempty"`
	// Basis is the evidence class of Typ: measured, reported or assumed
	// (catalog values without a recorded basis: assumed when marked so,
	// else reported).
	Basis string `json:"basis,omitempty"`
	Note  string `json:"note,omitempty"`
}
