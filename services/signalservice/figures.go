package signalservice

import (
	"context"
	"fmt"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// FigureQuery asks for a signal's figures.
type FigureQuery struct {
	// Region is the stored region name, "" for all of Flanders.
	Region string
	// From and To are the first days of the period's first and last month.
	From, To time.Time
	// Sections are the stored names of the sections, e.g. "STAGE", in the
	// order the signal shows them.
	Sections []string
}

// Figures gives the figures a signal freezes: one table per section, after
// disclosure control. A hidden figure must come without its value.
type Figures interface {
	Figures(ctx context.Context, q FigureQuery) ([]signals.FigureTable, error)
}

// Dashboards is the managers' dashboard: rots.v1.ReportService, whose
// figures have passed disclosure control.
type Dashboards interface {
	GetDashboard(ctx context.Context, req *rotsv1.GetDashboardRequest) (*rotsv1.GetDashboardResponse, error)
}

// DashboardFigures takes a signal's figures from the managers' dashboard, so
// that a signal shows exactly what the dashboard showed at that moment.
type DashboardFigures struct {
	Reports Dashboards
}

var _ Figures = DashboardFigures{}

// sectionTables maps a signal's sections to the dashboard's count tables.
// TIMES comes from the dashboard's durations.
var sectionTables = map[rotsv1.SignalFigureSection]rotsv1.ReportTable{
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE:              rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND:           rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SCHOOL_LEVEL:       rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_THEME:              rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ORGANISATION_KIND:  rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_CLOSURE_REASON:     rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SUBMITTED_BY_MONTH: rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_CLOSED_BY_MONTH:    rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ESCALATIONS:        rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_OVERDUE_AGREEMENTS: rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS,
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_GAPS:               rotsv1.ReportTable_REPORT_TABLE_GAPS,
}

// Figures asks the dashboard for the scope and period and turns the chosen
// tables into a signal's figure tables, with Dutch labels.
func (d DashboardFigures) Figures(ctx context.Context, q FigureQuery) ([]signals.FigureTable, error) {
	resp, err := d.Reports.GetDashboard(ctx, &rotsv1.GetDashboardRequest{
		Region: vocab.FromStored[rotsv1.Region](q.Region), FromMonth: q.From.Format(monthLayout), ToMonth: q.To.Format(monthLayout),
	})
	if err != nil {
		return nil, fmt.Errorf("signalservice: dashboard: %w", err)
	}
	dash := resp.GetDashboard()
	if got := vocab.Stored(dash.GetRegion()); got != q.Region {
		return nil, fmt.Errorf("signalservice: asked the dashboard for region %q, got %q", q.Region, got)
	}
	var tables []signals.FigureTable
	for _, name := range q.Sections {
		section := vocab.FromStored[rotsv1.SignalFigureSection](name)
		var t signals.FigureTable
		if section == rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_KERNKWADRANT {
			t, err = d.kernkwadrantTable(ctx, q)
		} else {
			t, err = fromDashboard(dash, section)
		}
		if err != nil {
			return nil, err
		}
		if t.Note != "" {
			t.Note += " "
		}
		t.Note += fmt.Sprintf("x: verborgen om niemand herkenbaar te maken (minder dan %d, of af te leiden uit de andere cijfers).", dash.GetThreshold())
		tables = append(tables, t)
	}
	return tables, nil
}

func fromDashboard(dash *rotsv1.Dashboard, section rotsv1.SignalFigureSection) (signals.FigureTable, error) {
	meta, ok := sectionMeta[section]
	if !ok {
		return signals.FigureTable{}, fmt.Errorf("signalservice: no figures for section %v", section)
	}
	t := signals.FigureTable{Section: vocab.Stored(section), Title: meta.title, Unit: meta.unit, RowHeader: meta.rowHeader, Note: meta.note}
	if section == rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_TIMES {
		// The whole scope: stays measured, median and 90th percentile.
		t.Columns = []string{"Gemeten verblijven", "Mediaan (werkdagen)", "90e percentiel (werkdagen)"}
		for _, r := range dash.GetDurations().GetRows() {
			d := r.GetTotal()
			t.Rows = append(t.Rows, signals.FigureRow{Label: label(section, r.GetLabel()), Cells: []signals.Figure{
				figure(d.GetCount(), false), figure(d.GetMedianDays(), true), figure(d.GetP90Days(), true),
			}})
		}
		return t, nil
	}
	want := sectionTables[section]
	for _, ct := range dash.GetTables() {
		if ct.GetTable() != want {
			continue
		}
		for _, c := range ct.GetColumns() {
			t.Columns = append(t.Columns, columnLabel(section, c))
		}
		for _, r := range ct.GetRows() {
			row := signals.FigureRow{Label: label(section, r.GetLabel())}
			for _, c := range r.GetCells() {
				row.Cells = append(row.Cells, figure(c, false))
			}
			if r.GetTotal() != nil {
				total := figure(r.GetTotal(), false)
				row.Total = &total
			}
			t.Rows = append(t.Rows, row)
		}
		for _, c := range ct.GetColumnTotals() {
			t.ColumnTotals = append(t.ColumnTotals, figure(c, false))
		}
		if ct.GetTotal() != nil {
			total := figure(ct.GetTotal(), false)
			t.Total = &total
		}
		return t, t.Validate()
	}
	return signals.FigureTable{}, fmt.Errorf("signalservice: the dashboard has no table %v", want)
}

// figure copies a dashboard figure: a hidden one without any value, even if
// one came along.
func figure(f *rotsv1.Figure, measure bool) signals.Figure {
	switch {
	case f == nil:
		return signals.Figure{}
	case f.GetSuppressed():
		return signals.Figure{Suppressed: true}
	case f.Value == nil:
		return signals.Figure{}
	case measure:
		v := float64(f.GetValue())
		return signals.Figure{Measure: &v}
	}
	v := f.GetValue()
	return signals.Figure{Count: &v}
}

type tableMeta struct {
	title, unit, rowHeader, note string
}

var sectionMeta = map[rotsv1.SignalFigureSection]tableMeta{
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE:             {"Dossiers per fase", "dossiers", "Fase", "Aangemelde dossiers in de periode, in hun huidige fase."},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND:          {"Dossiers per leeftijd", "dossiers", "Leeftijd bij aanmelding", ""},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SCHOOL_LEVEL:      {"Dossiers per onderwijsniveau", "dossiers", "Onderwijsniveau", ""},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_THEME:             {"Dossiers per thema", "vermeldingen", "Thema", "Een dossier met meer thema's telt bij elk thema mee; de totalen tellen vermeldingen, geen dossiers."},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ORGANISATION_KIND: {"Dossiers per aanmelder", "dossiers", "Aanmelder", ""},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_CLOSURE_REASON:    {"Afgesloten dossiers per reden", "dossiers", "Reden van afsluiten", ""},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SUBMITTED_BY_MONTH: {
		"Aanmeldingen per maand", "dossiers", "Maand", "",
	},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_CLOSED_BY_MONTH: {"Afgesloten dossiers per maand", "dossiers", "Maand", ""},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ESCALATIONS: {
		"Lopende escalaties per trede", "dossiers", "Trede",
		"Stand op het moment dat de cijfers genomen werden. Trede 4 is de doorbraak: het signaal aan de overheid. Aantallen, nooit dossiers.",
	},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_OVERDUE_AGREEMENTS: {
		"Afspraken over hun termijn", "afspraken", "Status", "Stand op het moment dat de cijfers genomen werden.",
	},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_GAPS: {
		"Hiaten in het regionale aanbod", "hiaten", "Thema",
		"Wat een overlegtafel nodig had en in de regio niet of te laat vond, in de periode. Aantallen, nooit dossiers.",
	},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_KERNKWADRANT: {
		"Kernkwadrant: vraag en aanbod", "dossiers", "Thema, leeftijd: oordeel",
		"Per thema en leeftijd: de vraag van de dossiers aangemeld in de periode, het aanbod in de sociale kaart en wat de tafels gebruikten; een oordeel enkel uit de getoonde cijfers.",
	},
	rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_TIMES: {
		"Doorlooptijden", "werkdagen", "Fase",
		"Tijd in elke fase en van aanmelding tot een passend aanbod, voor het hele gebied; mediaan en 90e percentiel in werkdagen.",
	},
}

// Dutch labels of the dashboard's stored names; a name not listed shows as
// it is (months "2026-03", unknown values).
var labels = map[string]string{
	// stages
	vocab.StageSubmitted: "Aangemeld", vocab.StageIntake: "Intake", vocab.StageNeedsInfo: "Vraag aan aanmelder", vocab.StageConsult: "Consult",
	vocab.StageTable: "Overlegtafel", vocab.StageFollowUp: "Opvolging", vocab.StageClosed: "Afgesloten", "OFFER": "Tot een passend aanbod",
	// age bands
	"UNDER_12": "Jonger dan 12", "TWELVE_AND_OVER": "12 en ouder",
	// school levels
	"KLEUTER": "Kleuteronderwijs", "LAGER": "Lager onderwijs", "SECUNDAIR": "Secundair onderwijs",
	"BUITENGEWOON_LAGER": "Buitengewoon lager onderwijs", "BUITENGEWOON_SECUNDAIR": "Buitengewoon secundair onderwijs",
	"NONE": "Niet ingeschreven",
	// themes
	"ABSENCE": "Afwezigheid (thuiszitten)", "MENTAL_HEALTH": "Psychisch welzijn", "BEHAVIOUR": "Gedrag",
	"LEARNING_DELAY": "Leerachterstand", "FAMILY_CONTEXT": "Gezinscontext", "WAITING_LIST_YOUTH_CARE": "Wachtlijst jeugdhulp",
	"NO_FITTING_SCHOOL_EXTERNAL_OFFER": "Geen passend schoolextern aanbod", "LANGUAGE": "Taal",
	// organisation kinds
	"CLB": "CLB", "YOUTH_CARE": "Jeugdhulp",
	// closure reasons
	vocab.ClosedBackAtSchool: "Terug naar school", vocab.ClosedAlternativeTrajectory: "Alternatief traject",
	vocab.ClosedReferredITP: "Doorverwezen naar de Intersectorale Toegangspoort", vocab.ClosedMovedOutOfRegion: "Verhuisd uit de regio",
	vocab.ClosedDeclined: "Niet aanvaard", vocab.ClosedWithdrawn: "Ingetrokken",
	// agreement states
	"OPEN": "Open", "IN_PROGRESS": "Lopend", "BLOCKED": "Geblokkeerd",
	// several
	"OTHER": "Andere",
}

var rungLabels = map[string]string{
	"1": "Trede 1: herinnering", "2": "Trede 2: tandem", "3": "Trede 3: regionale manager", "4": "Trede 4: doorbraak",
}

func label(section rotsv1.SignalFigureSection, name string) string {
	switch section {
	case rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_ESCALATIONS:
		if l, ok := rungLabels[name]; ok {
			return l
		}
	case rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SUBMITTED_BY_MONTH, rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_CLOSED_BY_MONTH:
		if m, err := time.Parse(monthLayout, name); err == nil {
			return dutchMonth(m) // "maart 2026"
		}
	}
	if l, ok := labels[name]; ok {
		return l
	}
	return name
}

// columnLabel names a column: a region, or an age band for the gaps.
func columnLabel(section rotsv1.SignalFigureSection, name string) string {
	if r := vocab.FromStored[rotsv1.Region](name); r != 0 {
		return regionName(r)
	}
	return label(section, name)
}

// regionName is a region's Dutch name, "Vlaanderen" for all of Flanders.
func regionName(r rotsv1.Region) string { return vocab.RegionName(vocab.Stored(r)) }
