package sweep

// Row is one cell's inputs and outputs: one row of the Parquet and CSV
// files. Columns are SI units unless the name says otherwise (days,
// usd, mtok). An output that does not apply to the cell's target, or
// could not be computed (Error says why), is null; the _p10/_p50/_p90
// columns are null when the grid draws no samples.
type Row struct {
	Cell   int64  `parquet:"cell"`
	Target string `parquet:"target"`
	// Chip is the label on the chip axis; BaseChip the catalog chip it
	// is (or that a what-if chip starts from).
	Chip         string `parquet:"chip"`
	BaseChip     string `parquet:"base_chip"`
	WhatIf       bool   `parquet:"what_if"`
	Vendor       string `parquet:"vendor"`
	Chips        int64  `parquet:"chips"` // cluster (training) or fleet (serving) size
	ChipsPerNode int64  `parquet:"chips_per_node"`
	// InstanceChips is a serving cell's instance size: the fleet of
	// Chips runs Chips/InstanceChips instances of it (null for training).
	InstanceChips *int64  `parquet:"instance_chips,optional"`
	Model         string  `parquet:"model"`
	Precision     string  `parquet:"precision"`
	Stack         string  `parquet:"stack"`      // framework asked for ("" = the chip's default)
	StackUsed     string  `parquet:"stack_used"` // the profile used and why
	StackDate     string  `parquet:"stack_date"`
	Region        string  `parquet:"region"`
	PeakFLOPS     float64 `parquet:"peak_flops"` // dense, at Precision (0: unsupported)
	HBMBytes      float64 `parquet:"hbm_bytes"`
	HBMBandwidth  float64 `parquet:"hbm_bandwidth"` // B/s
	TDPW          float64 `parquet:"tdp_w"`
	PriceUSD      float64 `parquet:"price_usd"`
	Samples       int64   `parquet:"samples"`
	Seed          int64   `parquet:"seed"`

	// Training inputs.
	Tokens      *float64 `parquet:"tokens,optional"`
	Seq         *int64   `parquet:"seq,optional"`
	GlobalBatch *int64   `parquet:"global_batch,optional"`
	WholeRun    *bool    `parquet:"whole_run,optional"`
	// Serving inputs.
	InputTokens  *int64   `parquet:"input_tokens,optional"`
	OutputTokens *int64   `parquet:"output_tokens,optional"`
	SLOTPOT      *float64 `parquet:"slo_tpot_s,optional"`
	SLOTTFT      *float64 `parquet:"slo_ttft_s,optional"` // 0: unbounded

	// Error says why outputs are missing ("" when none are).
	Error string `parquet:"error"`
	// Plan is the chosen plan: the training plan (best within published
	// practice) or the serving layout.
	Plan string `parquet:"plan"`

	// Both targets: the owned cost of a busy chip-hour and its power at
	// the wall.
	USDPerChipHour *float64 `parquet:"usd_per_chip_hour,optional"`
	WallWPerChip   *float64 `parquet:"wall_w_per_chip,optional"`

	// Training outputs at typical values.
	StepTimeS  *float64 `parquet:"step_time_s,optional"`
	MFU        *float64 `parquet:"mfu,optional"`
	TokensPerS *float64 `parquet:"train_tokens_per_s,optional"`
	SteadyDays *float64 `parquet:"steady_days,optional"`
	WallDays   *float64 `parquet:"wall_days,optional"` // whole run only
	TotalDays  *float64 `parquet:"total_days,optional"`
	RunCostUSD *float64 `parquet:"run_cost_usd,optional"`
	RunEnergyJ *float64 `parquet:"run_energy_j,optional"`

	// Serving outputs at typical values.
	TP              *int64   `parquet:"tp,optional"`
	EP              *int64   `parquet:"ep,optional"`
	Batch           *int64   `parquet:"batch,optional"`
	Bound           string   `parquet:"bound"`
	ServeTPSPerChip *float64 `parquet:"serve_tokens_per_s_per_chip,optional"`
	USDPerMtok      *float64 `parquet:"usd_per_mtok,optional"`
	JPerToken       *float64 `parquet:"j_per_token,optional"`
	TPOTS           *float64 `parquet:"tpot_s,optional"`
	TTFTS           *float64 `parquet:"ttft_s,optional"`
	ServeTPSPerKW   *float64 `parquet:"serve_tokens_per_s_per_kw,optional"` // per kW at the wall

	// Monte Carlo: P10/P50/P90 over Samples draws with the plan or
	// layout held fixed.
	TotalDaysP10  *float64 `parquet:"total_days_p10,optional"`
	TotalDaysP50  *float64 `parquet:"total_days_p50,optional"`
	TotalDaysP90  *float64 `parquet:"total_days_p90,optional"`
	RunCostP10    *float64 `parquet:"run_cost_usd_p10,optional"`
	RunCostP50    *float64 `parquet:"run_cost_usd_p50,optional"`
	RunCostP90    *float64 `parquet:"run_cost_usd_p90,optional"`
	MFUP10        *float64 `parquet:"mfu_p10,optional"`
	MFUP50        *float64 `parquet:"mfu_p50,optional"`
	MFUP90        *float64 `parquet:"mfu_p90,optional"`
	ServeTPSP10   *float64 `parquet:"serve_tokens_per_s_per_chip_p10,optional"`
	ServeTPSP50   *float64 `parquet:"serve_tokens_per_s_per_chip_p50,optional"`
	ServeTPSP90   *float64 `parquet:"serve_tokens_per_s_per_chip_p90,optional"`
	USDPerMtokP10 *float64 `parquet:"usd_per_mtok_p10,optional"`
	USDPerMtokP50 *float64 `parquet:"usd_per_mtok_p50,optional"`
	USDPerMtokP90 *float64 `parquet:"usd_per_mtok_p90,optional"`
	// Missing counts the samples that gave no value (no batch met the
	// SLO, a run that never finishes counts as +Inf instead).
	Missing *int64 `parquet:"samples_missing,optional"`
}

func f64(x float64) *float64 { return &x }
func i64(x int) *int64 {
	v := int64(x)
	return &v
}
