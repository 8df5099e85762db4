package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// reportTitles says what each table of the dashboard counts.
var reportTitles = map[rotsv1.ReportTable]struct{ title, rows string }{
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE:             {"Cases submitted in the period, by current stage", "STAGE"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND:          {"Cases submitted in the period, by age at submission", "AGE"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL:      {"Cases submitted in the period, by school level", "LEVEL"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME:             {"Cases submitted in the period, by theme (a case counts under each of its themes)", "THEME"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: {"Cases submitted in the period, by submitting organisation", "ORGANISATION"},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON:    {"Cases submitted in the period and closed, by closure reason", "REASON"},
	rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH:         {"Cases submitted, by month", "MONTH"},
	rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH:            {"Cases closed, by month of closure", "MONTH"},
	rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:           {"Now: open cases on the escalation ladder, by rung (4 = breakthrough)", "RUNG"},
	rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS:         {"Now: agreements of open cases past their due date, by status", "STATUS"},
	rotsv1.ReportTable_REPORT_TABLE_GAPS:                       {"Gaps in the regional offer recorded in the period, by theme and age band", "THEME"},
	rotsv1.ReportTable_REPORT_TABLE_UNSPECIFIED:                {"?", "ROW"},
}

// report prints the managers' dashboard as tables; a hidden figure shows
// as "x".
func (c *client) report(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	region := fs.String("region", "", "a region, e.g. limburg, or vlaanderen for all of Flanders; default: your scope")
	var period periodFlags
	period.define(fs)
	asJSON := fs.Bool("json", false, "print the dashboard as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if period == (periodFlags{}) {
		period.year = strconv.Itoa(time.Now().Year())
	}
	from, to, err := period.months()
	if err != nil {
		return err
	}
	req := &rotsv1.GetDashboardRequest{FromMonth: from, ToMonth: to}
	if *region != "" {
		if req.Region, err = signalRegion(*region); err != nil {
			return err
		}
	}
	resp, err := c.reports.GetDashboard(ctx, req)
	if err != nil {
		return err
	}
	d := resp.GetDashboard()
	if *asJSON {
		return c.print(d)
	}
	scope := "Vlaanderen"
	if d.GetRegion() != rotsv1.Region_REGION_UNSPECIFIED {
		scope = label(strings.TrimPrefix(d.GetRegion().String(), "REGION_"))
	}
	fmt.Fprintf(c.out, "Dashboard %s, %s to %s. x: hidden, fewer than %d cases or needed to keep a hidden count hidden.\n",
		scope, d.GetFromMonth(), d.GetToMonth(), d.GetThreshold())
	for _, t := range d.GetTables() {
		if err := c.printCountTable(t); err != nil {
			return err
		}
	}
	return c.printDurations(d.GetDurations())
}

// label turns a stored name like FOLLOW_UP into follow-up.
func label(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "-")) }

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
		w = max(w, len(l))
	}
	return func(s string) string { return fmt.Sprintf("%-*s", w, s) }
}

func (c *client) printCountTable(t *rotsv1.CountTable) error {
	info := reportTitles[t.GetTable()]
	fmt.Fprintf(c.out, "\n%s\n", info.title)
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	// One column needs no totals column beside it.
	single := len(t.GetColumns()) == 1
	labels := []string{info.rows, "total"}
	for _, r := range t.GetRows() {
		labels = append(labels, label(r.GetLabel()))
	}
	pad := leftAligned(labels...)
	head := []string{pad(info.rows)}
	for _, col := range t.GetColumns() {
		head = append(head, label(col))
	}
	if !single {
		head = append(head, "total")
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
		line(label(r.GetLabel()), r.GetCells(), r.GetTotal())
	}
	line("total", t.GetColumnTotals(), t.GetTotal())
	return tw.Flush()
}

func (c *client) printDurations(t *rotsv1.DurationTable) error {
	fmt.Fprintln(c.out, "\nWorking days per stay in a stage, and from submission to the first suitable offer: stays measured / median / 90th percentile")
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	single := len(t.GetColumns()) == 1
	labels := []string{"STAGE"}
	for _, r := range t.GetRows() {
		labels = append(labels, label(r.GetLabel()))
	}
	pad := leftAligned(labels...)
	head := []string{pad("STAGE")}
	for _, col := range t.GetColumns() {
		head = append(head, label(col))
	}
	if !single {
		head = append(head, "all")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	cell := func(d *rotsv1.Duration) string {
		return figure(d.GetCount()) + " / " + figure(d.GetMedianDays()) + " / " + figure(d.GetP90Days())
	}
	for _, r := range t.GetRows() {
		fields := []string{pad(label(r.GetLabel()))}
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
