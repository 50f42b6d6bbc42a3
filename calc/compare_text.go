package calc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/hardware"
	"chipgap/units"
)

// columnRow is one printed row of the command line's comparison: a label
// and a cell per chip.
type columnRow struct {
	label string
	cell  func(c chipColumn) string
}

// columnRows are the command line's fixed rows: every precision's peak,
// the exponential rate, HBM, TDP and price (the efficiency and model rows
// follow from the comparison's rows, extraRows).
func columnRows() []columnRow {
	var rows []columnRow
	for _, p := range hardware.Precisions() {
		rows = append(rows, columnRow{strings.ToUpper(string(p)) + " dense " + peakUnit(p), func(c chipColumn) string {
			return rangeStr(c.Peak[p], 1e12)
		}})
	}
	return append(rows,
		columnRow{"exponentials T/s (SFU)", func(c chipColumn) string { return rangeStr(c.ExpRate, 1e12) }},
		columnRow{"HBM GB", func(c chipColumn) string { return rangeStr(c.HBM, 1e9) }},
		columnRow{"HBM TB/s", func(c chipColumn) string { return rangeStr(c.HBMBW, 1e12) }},
		columnRow{"TDP W", func(c chipColumn) string { return rangeStr(c.TDP, 1) }},
		columnRow{"price k$", func(c chipColumn) string { return rangeStr(c.Price, 1e3) }})
}

// WriteText prints the chips side by side, a column each, every
// precision's peak and the efficiency metrics at the request's precision
// (default BF16), then the model's rows; rows no chip has are left out.
func (c Comparison) WriteText(w io.Writer) error {
	cols := c.columns()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{""}
	for _, c := range cols {
		head = append(head, c.ID)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range append(columnRows(), c.rowColumns(c.extraRows())...) {
		cells := []string{r.label}
		blank := true
		for _, c := range cols {
			s := r.cell(c)
			blank = blank && s == "–"
			cells = append(cells, s)
		}
		if !blank {
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\ntyp [min–max] across sources; – = not supported or not published. Per-mm² uses all compute dies.\nSources and notes: chipgap chips ID.")
	return err
}

// extraRows are the rows of the comparison the command line adds to its
// own: the efficiency rows at the request's precision, and the model's
// rows when it names one.
func (c Comparison) extraRows() []CompareRow {
	var out []CompareRow
	for _, rw := range c.Rows {
		if rw.extra {
			out = append(out, rw)
		}
	}
	return out
}

// rowColumns prints rows of the comparison as the command line's rows,
// each cell typ [min–max] in the row's unit.
func (c Comparison) rowColumns(rows []CompareRow) []columnRow {
	var out []columnRow
	for _, rw := range rows {
		byID := map[string]CompareCell{}
		for i, ch := range c.Chips {
			byID[ch.ID] = rw.Cells[i]
		}
		out = append(out, columnRow{rw.text, func(col chipColumn) string {
			cl := byID[col.ID]
			if !cl.Known {
				return "–"
			}
			return rangeStr(hardware.Value[float64]{Min: cl.Min / rw.Scale, Typ: cl.Typ / rw.Scale, Max: cl.Max / rw.Scale}, 1)
		}})
	}
	return out
}

// chipColumn is one chip's column in compare-chips' table.
type chipColumn struct {
	ID      string
	Peak    map[hardware.Precision]hardware.Value[units.FLOPRate]
	ExpRate hardware.Value[units.FLOPRate]
	HBM     hardware.Value[units.Bytes]
	HBMBW   hardware.Value[units.ByteRate]
	TDP     hardware.Value[units.Watts]
	Price   hardware.Value[units.USD]
}

// columns are the compared chips as the command line shows them.
func (c Comparison) columns() []chipColumn {
	var cols []chipColumn
	for _, ch := range c.chips {
		cols = append(cols, chipColumn{ID: ch.ID, Peak: ch.Peak, ExpRate: ch.ExpRate, HBM: ch.HBM.Capacity,
			HBMBW: ch.HBM.Bandwidth, TDP: ch.TDP, Price: ch.Price})
	}
	return cols
}
