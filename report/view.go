package report

import (
	"fmt"

	"chipgap/plot"
	"chipgap/scenario"
)

// View is the Report as the web API returns it (POST /api/report's
// "report"): headline, claims, sections of text, tables and charts (each
// keyed SECTION-N), every figure with its trail.
type View struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle"`
	Headline []string `json:"headline"`
	// HeadlineNote is the legend of the headline's marks
	// (Report.HeadlineNote); absent where none is marked.
	HeadlineNote string `json:"headline_note,omitempty"`
	// TypicalLegend says what a mark "(typical below: T)" means, for a
	// page that marks figures of the results as the report's text does
	// (a stat's "typ_outside").
	TypicalLegend string        `json:"typical_legend"`
	Claims        TableView     `json:"claims"`
	Sections      []SectionView `json:"sections"`
	Figures       []FigureView  `json:"figures"`
}

// SectionView is a Section in the View.
type SectionView struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Text   []string     `json:"text,omitempty"`
	Tables []TableView  `json:"tables,omitempty"`
	Charts []plot.Keyed `json:"charts,omitempty"`
}

// TableView is a Table in the View.
type TableView struct {
	Caption string     `json:"caption,omitempty"`
	Header  []string   `json:"header"`
	Rows    [][]string `json:"rows"`
	Note    string     `json:"note,omitempty"`
}

// FigureView is one number of the report: the system or pair it is
// about, its range and its trail (the model or data behind it).
// FigureView is a Figure in the View.
type FigureView struct {
	Section string        `json:"section"`
	Subject string        `json:"subject"`
	Name    string        `json:"name"`
	Unit    string        `json:"unit"`
	Stat    scenario.Stat `json:"stat"`
	Trail   string        `json:"trail,omitempty"`
}

// View lays the report out as the API returns it.
func (rep *Report) View() View {
	v := View{Title: rep.Title, Subtitle: rep.Subtitle, Headline: rep.Headline, HeadlineNote: rep.HeadlineNote, TypicalLegend: typLegend, Claims: viewTable(rep.Claims)}
	for _, sec := range rep.Sections {
		sv := SectionView{ID: sec.ID, Title: sec.Title, Text: sec.Text}
		for _, t := range sec.Tables {
			sv.Tables = append(sv.Tables, viewTable(t))
		}
		for i, c := range sec.Charts {
			sv.Charts = append(sv.Charts, plot.Keyed{Key: fmt.Sprintf("%s-%d", sec.ID, i), SVG: string(c.SVG)})
		}
		v.Sections = append(v.Sections, sv)
	}
	for _, f := range rep.Figures {
		v.Figures = append(v.Figures, FigureView{Section: f.Section, Subject: f.Subject, Name: f.Name, Unit: f.Unit, Stat: f.Stat, Trail: f.Trail})
	}
	return v
}

func viewTable(t Table) TableView {
	return TableView{Caption: t.Caption, Header: t.Header, Rows: t.Rows, Note: t.Note}
}
