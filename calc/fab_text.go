package calc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/uncertain"
	"chipgap/units"
)

// fabRow is one printed output: its key, label and formatter.
type fabRow struct {
	key, label string
	format     func(float64) string
}

func fabPct(x float64) string    { return fmt.Sprintf("%.1f %%", 100*x) }
func fabUSD(x float64) string    { return units.USD(x).String() }
func fabOneDec(x float64) string { return fmt.Sprintf("%.1f", x) }
func fabFLOPs(x float64) string  { return units.FLOPRate(x).String() }

// groupDigits writes a rounded count with thousands separators.
func groupDigits(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var fabRows = []fabRow{
	{catalog.OutDiesPerWafer, "dies per wafer", groupDigits},
	{catalog.OutDieYield, "die yield", fabPct},
	{catalog.OutGoodDiesPerWafer, "good dies per wafer", fabOneDec},
	{catalog.OutPackageYield, "package yield", fabPct},
	{catalog.OutCostPerGoodDie, "cost per good die", fabUSD},
	{catalog.OutCostPerGoodPackage, "cost per good package", fabUSD},
	{catalog.OutGoodPerYear, "good chips per year", groupDigits},
	{catalog.OutFromWafers, "  wafers allow", groupDigits},
	{catalog.OutFromHBM, "  HBM stacks allow", groupDigits},
	{catalog.OutFromPackaging, "  packaging allows", groupDigits},
	{catalog.OutDeployed, "peak FLOP/s per year", fabFLOPs},
}

// WriteText prints the case, each output's typical value and P10–P90,
// the typical package's cost, the binding constraint and what moves the
// headline outputs most.
func (r *FabReport) WriteText(w io.Writer) error {
	k := r.Case
	fmt.Fprintf(w, "chipgap fab: %s (%d dies, %d HBM stacks, KGD %v) on %s, %s yield model", k.ChipID, k.Dies, k.HBMStacks, k.KGD, k.ProcessID, k.Model)
	if k.Supply != nil {
		fmt.Fprintf(w, ", supply %s", k.Supply.ID)
	}
	fmt.Fprintf(w, "\nTypical value, then P10–P90 over %d Monte Carlo trials (seed %d) of the catalog ranges.\n\n", r.Trials, r.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tTYPICAL\tP10 – P90")
	why := ""
	for _, row := range fabRows {
		typ, ok := r.Typical[row.key]
		if !ok {
			continue
		}
		s := r.Ranges[row.key]
		mark := ""
		if a := r.Apart[row.key]; a.Side != "" {
			mark, why = "  (typical "+a.Side+")", a.Why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s – %s%s\n", row.label, row.format(typ), row.format(s.P10), row.format(s.P90), mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintf(w, "%s.\n", uncertain.Legend(typicalValue, "its P10–P90", why))
	}
	b := r.Breakdown
	fmt.Fprintf(w, "\nA good package at typical values: dies %v + HBM %v + packaging %v + test %v = %v.\n",
		b.Dies, b.HBM, b.Packaging, b.Test, b.Total())
	if r.Binding != "" {
		fmt.Fprintf(w, "Binding constraint: %s (binds in %s of trials: wafers %s, HBM %s, packaging %s).\n", r.Binding,
			fabPct(r.Ranges[catalog.OutBinds+string(r.Binding)].Mean), fabPct(r.Ranges[catalog.OutBinds+"wafers"].Mean),
			fabPct(r.Ranges[catalog.OutBinds+"hbm"].Mean), fabPct(r.Ranges[catalog.OutBinds+"packaging"].Mean))
	}
	for _, row := range fabRows {
		if err := r.writeTornado(w, row); err != nil {
			return err
		}
	}
	return nil
}

// writeTornado prints the inputs that move row's output most, the five
// that move it at all (swings are sorted, largest first); where none
// does (--hbm-stacks 0: no chip whatever the inputs) one line says so
// in place of a heading with nothing under it.
func (r *FabReport) writeTornado(w io.Writer, row fabRow) error {
	sw, ok := r.Tornado[row.key]
	if !ok || len(sw) == 0 {
		return nil
	}
	name := strings.TrimSpace(row.label)
	if sw[0].Swing == 0 {
		_, err := fmt.Fprintf(w, "\nNothing moves %s: it stays at %s from each input's P10 to its P90 (others typical).\n", name, row.format(r.Typical[row.key]))
		return err
	}
	fmt.Fprintf(w, "\nWhat moves %s most (input P10 → P90, others typical):\n", name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, s := range sw {
		if i == 5 || s.Swing == 0 {
			break
		}
		fmt.Fprintf(tw, "  %s\t%.4g → %.4g\t%s → %s\n", s.Input, s.LowIn, s.HighIn, row.format(s.LowOut), row.format(s.HighOut))
	}
	return tw.Flush()
}
