package econ

import (
	"chipgap/units"
)

// Ownership is one owned chip over its accounting life.
type Ownership struct {
	Capex Capex `json:"capex"`
	// Life is the straight-line depreciation period.
	Life units.Seconds `json:"life"`
	// Power is what the chip draws while busy.
	Power Power `json:"power"`
	// USDPerKWh is the electricity price.
	USDPerKWh float64 `json:"usd_per_kwh"`
	// Utilisation is the fraction of calendar hours the chip does useful
	// work; idle hours still depreciate. (Idle power is neglected.)
	Utilisation float64 `json:"utilisation"`
}

// Validate checks the fields.
func (o Ownership) Validate() error {
	for _, err := range []error{
		check("capex (USD)", float64(o.Capex.Total()), o.Capex.Total() >= 0, ">= 0"),
		check("depreciation life (years)", float64(o.Life/Year), o.Life > 0 && o.Life <= 30*Year, "0 to 30 years"),
		o.Power.Validate(),
		check("electricity price (USD per kWh)", o.USDPerKWh, o.USDPerKWh >= 0 && o.USDPerKWh < 10, "0 to 10"),
		check("utilisation", o.Utilisation, o.Utilisation > 0 && o.Utilisation <= 1, "a fraction in (0, 1]"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// HourCost is the cost of one busy chip-hour, split.
type HourCost struct {
	Capital units.USDPerHour `json:"capital"`
	Energy  units.USDPerHour `json:"energy"`
}

// Total is the sum of the parts.
func (h HourCost) Total() units.USDPerHour { return h.Capital + h.Energy }

// OwnedHour is the cost of one busy chip-hour for an owner:
// capital = capex / (life in hours × utilisation) (straight-line
// depreciation spread over the busy hours, no financing cost);
// energy = wall power (kW) × price per kWh.
func OwnedHour(o Ownership) (HourCost, error) {
	if err := o.Validate(); err != nil {
		return HourCost{}, err
	}
	busy := o.Life.Hours() * o.Utilisation
	return HourCost{
		Capital: units.USDPerHour(float64(o.Capex.Total()) / busy),
		Energy:  units.USDPerHour(float64(o.Power.Wall()) / 1e3 * o.USDPerKWh),
	}, nil
}

// Usage is what a piece of work costs in money and energy.
type Usage struct {
	Cost   units.USD    `json:"cost"`
	Energy units.Joules `json:"energy"`
}

// Work is an amount of chip time and what it is paid at.
type Work struct {
	// ChipTime is the total busy chip time: chips × wall-clock time.
	ChipTime units.Seconds `json:"chip_time"`
	// PerHour is the price of a busy chip-hour: OwnedHour(...).Total()
	// for an owner, or a rental rate.
	PerHour units.USDPerHour `json:"per_hour"`
	// Wall is the average power per chip at the wall (Power.Wall).
	Wall units.Watts `json:"wall"`
}

// Run is the cost and energy of a job: chip time × price per chip-hour,
// and chip time × wall power. For a training run, ChipTime is
// chips × training time.
func Run(w Work) (Usage, error) {
	for _, err := range []error{
		check("chip time (s)", float64(w.ChipTime), w.ChipTime >= 0, ">= 0"),
		check("price per chip-hour (USD/h)", float64(w.PerHour), w.PerHour >= 0, ">= 0"),
		check("wall power (W)", float64(w.Wall), w.Wall >= 0, ">= 0"),
	} {
		if err != nil {
			return Usage{}, err
		}
	}
	return Usage{Cost: w.PerHour.Cost(w.ChipTime), Energy: w.Wall.Energy(w.ChipTime)}, nil
}

// PerMillionTokens is the cost and energy of serving a million tokens at
// tokensPerSecond per chip: 10⁶/tokensPerSecond chip-seconds, priced and
// powered as in Run.
func PerMillionTokens(tokensPerSecond float64, perHour units.USDPerHour, wall units.Watts) (Usage, error) {
	if err := check("tokens per second per chip", tokensPerSecond, tokensPerSecond > 0, "> 0"); err != nil {
		return Usage{}, err
	}
	return Run(Work{ChipTime: units.Seconds(1e6 / tokensPerSecond), PerHour: perHour, Wall: wall})
}
