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
