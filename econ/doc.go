// Package econ turns chips into money and energy: the capex of owning a
// chip, its power at the wall, the cost of a busy chip-hour owned or
// rented, and the cost and energy of a training run or of serving a
// million tokens.
//
// Model.
//
//   - Capex per chip (NewCapex): chip price; the rest of the server,
//     chip × (server multiplier − 1) with Epoch AI's server/accelerator
//     cost ratio 1.54–1.69; network, a share of server cost; facility,
//     a build cost per watt of wall power.
//   - Power at the wall (Power.Wall): TDP × load × server multiplier ×
//     PUE, Epoch AI's model (server power multiplier 1.56–2.03; PUE 1.1
//     hyperscale, 1.2–1.5 China, ~1.56 world average).
//   - Owned chip-hour (OwnedHour): straight-line depreciation,
//     capex / (life × utilisation) per busy hour, plus wall kW × price per
//     kWh. No financing cost, no idle power, no staff or maintenance:
//     a cost floor.
//   - Rented chip-hour: the market rate (per chip in catalog chips.yaml),
//     which already includes power; compare it with OwnedHour's total.
//   - Run: cost = chip time × price per chip-hour; energy = chip time ×
//     wall power. PerMillionTokens: chip time = 10⁶ / tokens per second.
//
// Units: money in units.USD and units.USDPerHour, power in units.Watts,
// energy in units.Joules (KWh() for display), time in units.Seconds
// (Year = 365.25 days); electricity prices are USD per kWh as float64;
// fractions in [0, 1]. Region prices, PUE, multipliers and lives, with
// sources and ranges, live in catalog/data/econ.yaml.
//
// Sources: Epoch AI training-cost-trends energy.py and hardware.py
// (epoch_energy, epoch_hardware) for the power model, server cost
// multiplier and amortisation; 10-K/10-Q useful lives (bigtech_useful_life);
// Uptime Institute and operator PUE figures (uptime_pue, dcmag_pue); EIA
// and press electricity prices (eia_epa_2023, chinabriefing_power,
// ft_china_power, aljazeera_power).
package econ
