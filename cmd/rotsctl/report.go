package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// reportTitles say what each table of the dashboard counts, and its rows.
var reportTitles = map[rotsv1.ReportTable]struct{ title, rows string }{
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE:             {"Dossiers aangemeld in de periode, per huidige fase", "FASE"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND:          {"Dossiers aangemeld in de periode, per leeftijd bij de aanmelding", "LEEFTIJD"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL:      {"Dossiers aangemeld in de periode, per onderwijsniveau", "ONDERWIJSNIVEAU"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME:             {"Dossiers aangemeld in de periode, per thema (een dossier telt bij elk van zijn thema's)", "THEMA"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: {"Dossiers aangemeld in de periode, per soort aanmelder", "AANMELDER"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON:    {"Dossiers aangemeld in de periode en afgesloten, per reden", "REDEN"},
	rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH:         {"Aanmeldingen per maand", "MAAND"},
	rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH:            {"Afgesloten dossiers per maand van afsluiten", "MAAND"},
	rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:           {"Nu: open dossiers op de escalatieladder, per trede (4 = doorbraak)", "TREDE"},
	rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS:         {"Nu: afspraken van open dossiers over hun vervaldag, per stand", "STAND"},
	rotsv1.ReportTable_REPORT_TABLE_GAPS:                       {"Hiaten in het regionale aanbod vastgelegd in de periode, per thema en leeftijd", "THEMA"},
	rotsv1.ReportTable_REPORT_TABLE_UNSPECIFIED:                {"?", "RIJ"},
}

// reportRowEnums say which enum a table's row labels are values of.
var reportRowEnums = map[rotsv1.ReportTable]protoreflect.EnumDescriptor{
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE:             rotsv1.Stage(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND:          rotsv1.AgeBand(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL:      rotsv1.SchoolLevel(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME:             rotsv1.Theme(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: rotsv1.OrganisationKind(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON:    rotsv1.ClosureReason(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS:         rotsv1.AgreementStatus(0).Descriptor(),
	rotsv1.ReportTable_REPORT_TABLE_GAPS:                       rotsv1.Theme(0).Descriptor(),
}

// storedLabel says a stored name ("FOLLOW_UP") of an enum in Dutch; a name
// the enum does not have ("UNKNOWN") in lower case.
func storedLabel(d protoreflect.EnumDescriptor, s string) string {
	if s == "UNKNOWN" {
		return "onbekend"
	}
	if d != nil {
		return dutch.Stored(d, s)
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", " "))
}

// rowLabel says a row of a count table in Dutch.
func rowLabel(t rotsv1.ReportTable, s string) string {
	switch t {
	case rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH, rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH:
		return dutch.ShortMonth(s)
	case rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:
		var n int32
		if _, err := fmt.Sscan(s, &n); err == nil {
			return dutch.Rung(int(n))
		}
	}
	return storedLabel(reportRowEnums[t], s)
}

// columnLabel says a column in Dutch: a region, or an age band (gaps).
func columnLabel(t rotsv1.ReportTable, s string) string {
	if t == rotsv1.ReportTable_REPORT_TABLE_GAPS {
		return storedLabel(rotsv1.AgeBand(0).Descriptor(), s)
	}
	return storedLabel(rotsv1.Region(0).Descriptor(), s)
}

// durationLabel says a row of the times in Dutch: a stage, or the time to
// a suitable offer.
func durationLabel(s string) string {
	if s == "OFFER" {
		return "tot een passend aanbod"
	}
	return storedLabel(rotsv1.Stage(0).Descriptor(), s)
}

// report prints the managers' dashboard as tables; a hidden figure shows
// as "x".
func (c *client) report(ctx context.Context, args []string) error {
	region, from, to, err := c.reportScope("report", args)
	if err != nil {
		return err
	}
	req := &rotsv1.GetDashboardRequest{Region: region, FromMonth: from, ToMonth: to}
	resp, err := c.reports.GetDashboard(ctx, req)
	if err != nil {
		return err
	}
	d := resp.GetDashboard()
	if c.json {
		return c.printJSON(d)
	}
	fmt.Fprintf(c.out, "Dashboard %s, %s tot en met %s.\nx: verborgen, minder dan %d dossiers of nodig om een verborgen aantal verborgen te houden.\n",
		regionName(d.GetRegion()), dutch.ShortMonth(d.GetFromMonth()), dutch.ShortMonth(d.GetToMonth()), d.GetThreshold())
	for _, t := range d.GetTables() {
		if err := c.printCountTable(t); err != nil {
			return err
		}
	}
	return c.printDurations(d.GetDurations())
}

func figure(f *rotsv1.Figure) string {
	if f.GetSuppressed() || f.Value == nil {
		return "x"
	}
	return fmt.Sprint(f.GetValue())
}

// leftAligned pads the labels of a first column to one width, so that
// they stay left-aligned among right-aligned figures.
func leftAligned(labels ...string) func(string) string {
	w := 0
	for _, l := range labels {
		w = max(w, utf8.RuneCountInString(l))
	}
	return func(s string) string { return s + strings.Repeat(" ", w-utf8.RuneCountInString(s)) }
}

func (c *client) printCountTable(t *rotsv1.CountTable) error {
	info := reportTitles[t.GetTable()]
	fmt.Fprintf(c.out, "\n%s\n", info.title)
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	// One column needs no totals column beside it.
	single := len(t.GetColumns()) == 1
	labels := []string{info.rows, "totaal"}
	for _, r := range t.GetRows() {
		labels = append(labels, rowLabel(t.GetTable(), r.GetLabel()))
	}
	pad := leftAligned(labels...)
	head := []string{pad(info.rows)}
	for _, col := range t.GetColumns() {
		head = append(head, columnLabel(t.GetTable(), col))
	}
	if !single {
		head = append(head, "totaal")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	line := func(name string, cells []*rotsv1.Figure, total *rotsv1.Figure) {
		fields := []string{pad(name)}
		for _, f := range cells {
			fields = append(fields, figure(f))
		}
		if !single {
			fields = append(fields, figure(total))
		}
		fmt.Fprintln(tw, strings.Join(fields, "\t")+"\t")
	}
	for _, r := range t.GetRows() {
		line(rowLabel(t.GetTable(), r.GetLabel()), r.GetCells(), r.GetTotal())
	}
	line("totaal", t.GetColumnTotals(), t.GetTotal())
	return tw.Flush()
}

func (c *client) printDurations(t *rotsv1.DurationTable) error {
	fmt.Fprintln(c.out, "\nWerkdagen per verblijf in een fase, en van de aanmelding tot het eerste passende aanbod: gemeten / mediaan / 90e percentiel")
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	single := len(t.GetColumns()) == 1
	labels := []string{"FASE"}
	for _, r := range t.GetRows() {
		labels = append(labels, durationLabel(r.GetLabel()))
	}
	pad := leftAligned(labels...)
	head := []string{pad("FASE")}
	for _, col := range t.GetColumns() {
		head = append(head, columnLabel(0, col))
	}
	if !single {
		head = append(head, "samen")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	cell := func(d *rotsv1.Duration) string {
		return figure(d.GetCount()) + " / " + figure(d.GetMedianDays()) + " / " + figure(d.GetP90Days())
	}
	for _, r := range t.GetRows() {
		fields := []string{pad(durationLabel(r.GetLabel()))}
		for _, d := range r.GetCells() {
			fields = append(fields, cell(d))
		}
		if !single {
			fields = append(fields, cell(r.GetTotal()))
		}
		fmt.Fprintln(tw, strings.Join(fields, "\t")+"\t")
	}
	return tw.Flush()
}

// reportScope reads the region and period flags of report and
// kernkwadrant: a region (0: the caller's own area) and the months, this
// calendar year when no period is given.
func (c *client) reportScope(name string, args []string) (rotsv1.Region, string, string, error) {
	fs := c.flags(name)
	slug := fs.String("region", "", "een regio ("+strings.Join(regionSlugs(), ", ")+"), of vlaanderen voor heel Vlaanderen; standaard uw gebied")
	var period periodFlags
	period.define(fs)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return 0, "", "", err
	}
	if period == (periodFlags{}) {
		period.year = strconv.Itoa(time.Now().In(calendar.Brussels).Year())
	}
	from, to, err := period.months()
	if err != nil {
		return 0, "", "", usageErr(err)
	}
	var region rotsv1.Region
	if *slug != "" {
		if region, err = signalRegion(*slug); err != nil {
			return 0, "", "", usageErr(err)
		}
	}
	return region, from, to, nil
}
