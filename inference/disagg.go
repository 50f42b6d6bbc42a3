package inference

import (
	"fmt"

	"chipgap/econ"
	"chipgap/units"
)

// MaxBatch is the largest batch one instance of d holds in mode for
// requests of shape w: the KV cache over the average context per
// sequence, capped by the engine's MaxBatch and MaxTokens.
func MaxBatch(d Deployment, mode Mode, w Workload) (int, error) {
	_, limit, err := prepare(d, mode, w)
	return limit, err
}

// Disagg is a prefill–decode disaggregated deployment sized for a request
// mix: the best prefill point under the TTFT target, the best decode point
// under the TPOT target, and how many prefill chips each decode chip needs
// so that both pools serve the same request rate (DistServe, Zhong et al.
// 2024, arXiv 2401.09670).
type Disagg struct {
	Prefill Point `json:"prefill"`
	Decode  Point `json:"decode"`
	// PrefillPerDecodeChip is prefill chips per decode chip.
	PrefillPerDecodeChip float64 `json:"prefill_chips_per_decode_chip"`
	// OutputPerChip is output tokens/s per chip over both pools.
	OutputPerChip float64 `json:"output_tokens_per_s_per_chip"`
	// RequestsPerChip is requests/s per chip over both pools.
	RequestsPerChip float64 `json:"requests_per_s_per_chip"`
}

// Disaggregate sizes the two pools: prefill deployment p, decode
// deployment d (they may differ in chips and split).
func Disaggregate(p, d Deployment, w Workload, slo SLO) (Disagg, error) {
	if err := w.check(Decode); err != nil {
		return Disagg{}, err
	}
	pre, err := Best(p, Prefill, w, SLO{TTFT: slo.TTFT})
	if err != nil {
		return Disagg{}, fmt.Errorf("prefill pool: %w", err)
	}
	dec, err := Best(d, Decode, w, SLO{TPOT: slo.TPOT})
	if err != nil {
		return Disagg{}, fmt.Errorf("decode pool: %w", err)
	}
	preReq := pre.InputPerChip / float64(w.Input)   // requests/s per prefill chip
	decReq := dec.OutputPerChip / float64(w.Output) // requests/s per decode chip
	ratio := decReq / preReq
	return Disagg{Prefill: pre, Decode: dec, PrefillPerDecodeChip: ratio,
		OutputPerChip: dec.OutputPerChip / (1 + ratio), RequestsPerChip: decReq / (1 + ratio)}, nil
}

// Cost is what serving tokens costs per chip.
type Cost struct {
	// USDPerMillion is dollars per million tokens at PerHour per chip.
	USDPerMillion units.USD `json:"usd_per_million_tokens"`
	// JoulesPerToken is energy per token at Wall watts per chip.
	JoulesPerToken units.Joules     `json:"joules_per_token"`
	PerHour        units.USDPerHour `json:"usd_per_chip_hour"`
	Wall           units.Watts      `json:"wall_watts_per_chip"`
}

// TokenCost is the cost and energy per token at ratePerChip tokens/s per
// chip, a chip-hour price and a per-chip power (econ.PerMillionTokens).
func TokenCost(ratePerChip float64, perHour units.USDPerHour, wall units.Watts) (Cost, error) {
	u, err := econ.PerMillionTokens(ratePerChip, perHour, wall)
	if err != nil {
		return Cost{}, err
	}
	return Cost{USDPerMillion: u.Cost, JoulesPerToken: u.Energy / 1e6, PerHour: perHour, Wall: wall}, nil
}

// Serving is how a request mix is best served on one deployment: colocated
// continuous batching, or prefill and decode pools of the same deployment
// sized for the mix (Disaggregate), whichever gives more output tokens per
// chip. Colocated steps with attention DP wait for the group that
// prefills (adp.go); splitting the pools removes that wait, which is why
// DeepSeek (Open-Source Week day 6) and CloudMatrix-Infer (Zuo et al.
// 2025) serve DeepSeek-V3 disaggregated.
type Serving struct {
	// Disaggregated says the pools are split; Point is then the decode
	// pool's point, else the colocated one.
	Disaggregated bool    `json:"disaggregated"`
	Point         Point   `json:"point"`
	Disagg        *Disagg `json:"disagg,omitempty"`
	// OutputPerChip is output tokens/s per chip over every chip serving
	// (both pools when disaggregated).
	OutputPerChip float64 `json:"output_tokens_per_s_per_chip"`
}

// TTFT is a request's time to its first token: the prefill pool's when
// the pools are split (the prefill instance emits the first token, and
// Disaggregate holds that pool to the TTFT bound; Point's is the decode
// pool's, the first step after the KV cache arrives), else Point's.
func (s Serving) TTFT() units.Seconds {
	if s.Disaggregated && s.Disagg != nil {
		return s.Disagg.Prefill.TTFT
	}
	return s.Point.TTFT
}

// Mode names the way it is served: "colocated" or "disaggregated".
func (s Serving) Mode() string {
	if s.Disaggregated {
		return "disaggregated"
	}
	return string(Colocated)
}

// BestServing is the better of colocated and disaggregated serving of w
// on deployment d under slo; it fails only when neither has a point.
func BestServing(d Deployment, w Workload, slo SLO) (Serving, error) {
	var s Serving
	p, errC := Best(d, Colocated, w, slo)
	if errC == nil {
		s = Serving{Point: p, OutputPerChip: p.OutputPerChip}
	}
	dis, errD := Disaggregate(d, d, w, slo)
	if errD == nil && (errC != nil || dis.OutputPerChip > s.OutputPerChip*(1+1e-9)) {
		s = Serving{Disaggregated: true, Point: dis.Decode, Disagg: &dis, OutputPerChip: dis.OutputPerChip}
	}
	if errC != nil && errD != nil {
		return Serving{}, errC
	}
	return s, nil
}
