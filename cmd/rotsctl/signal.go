package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

const signalUsage = `usage: rotsctl signal <command> [flags]

  create   draft a signal: create -region limburg -year 2026 -title … -text … -figure stage -figure gaps
  edit     change a draft: edit <signal> [-title …] [-text …] [-from …] [-to …] [-figure …] [-refresh]
  approve  approve a draft (not your own): approve <signal> [-etag …]
  sent     record that it was sent: sent <signal> -recipient "Vlaamse overheid, Departement Onderwijs"
  export   save it: export <signal> -format html|csv [-o file]
  list     list signals: list [-region …] [-state draft|approved|sent]
  show     show a signal and its figures: show <signal> [-json]

A signal is named by "signals/<id>" or just its id. Figures (-figure, repeat):
stage, age-band, school-level, theme, organisation-kind, closure-reason,
submitted-by-month, closed-by-month, escalations, overdue-agreements, gaps,
times. Region "vlaanderen" is all of Flanders.
`

func (c *client) signal(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, signalUsage)
		return flag.ErrHelp
	}
	sub, ok := map[string]func(*client, context.Context, []string) error{
		"create": (*client).signalCreate, "edit": (*client).signalEdit, "approve": (*client).signalApprove,
		"sent": (*client).signalSent, "export": (*client).signalExport, "list": (*client).signalList, "show": (*client).signalShow,
	}[args[0]]
	if !ok {
		fmt.Fprint(os.Stderr, signalUsage)
		return fmt.Errorf("unknown signal command %q", args[0])
	}
	return sub(c, ctx, args[1:])
}

// signalCommand parses a signal command's flags and its one signal
// argument (see resourceCommand).
func signalCommand(name string, args []string, define func(fs *flag.FlagSet)) (string, string, map[string]bool, error) {
	return resourceCommand("signal "+name, "signals", args, define)
}

// signalRegion parses -region: a region, or "vlaanderen" for all of
// Flanders.
func signalRegion(s string) (rotsv1.Region, error) {
	if s == "vlaanderen" {
		return 0, nil
	}
	v, err := enumValue(rotsv1.Region_value, "REGION_", "region", s)
	if err != nil {
		return 0, fmt.Errorf("%w, or vlaanderen", err)
	}
	return rotsv1.Region(v), nil
}

func figureSections(names []string) ([]rotsv1.SignalFigureSection, error) {
	var out []rotsv1.SignalFigureSection
	var errs []error
	for _, n := range names {
		v, err := enumValue(rotsv1.SignalFigureSection_value, "SIGNAL_FIGURE_SECTION_", "figure", n)
		errs = append(errs, err)
		out = append(out, rotsv1.SignalFigureSection(v))
	}
	return out, errors.Join(errs...)
}

// periodFlags are -year, -from and -to.
type periodFlags struct{ year, from, to string }

func (p *periodFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&p.year, "year", "", "the whole calendar year, e.g. 2026 (or -from and -to)")
	fs.StringVar(&p.from, "from", "", "first month, e.g. 2026-01")
	fs.StringVar(&p.to, "to", "", "last month, included, e.g. 2026-06")
}

// months returns the period's first and last month.
func (p *periodFlags) months() (string, string, error) {
	if p.year == "" {
		return p.from, p.to, nil
	}
	if p.from != "" || p.to != "" {
		return "", "", errors.New("-year or -from and -to, not both")
	}
	if _, err := strconv.Atoi(p.year); err != nil || len(p.year) != 4 {
		return "", "", fmt.Errorf("-year %q: must be a year like 2026", p.year)
	}
	return p.year + "-01", p.year + "-12", nil
}

// textFlags are -text and -text-file.
type textFlags struct{ text, file string }

func (t *textFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&t.text, "text", "", "the signal's text (no personal data)")
	fs.StringVar(&t.file, "text-file", "", "read the text from this file (- for standard input)")
}

func (t *textFlags) value() (string, bool, error) {
	switch {
	case t.file != "" && t.text != "":
		return "", false, errors.New("-text or -text-file, not both")
	case t.file == "-":
		b, err := io.ReadAll(os.Stdin)
		return string(b), true, err
	case t.file != "":
		b, err := os.ReadFile(t.file)
		return string(b), true, err
	}
	return t.text, t.text != "", nil
}

func (c *client) signalCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signal create", flag.ContinueOnError)
	requestID := fs.String("request-id", newRequestID(), "idempotency key; reuse it to retry safely")
	region := fs.String("region", "", "antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen or vlaanderen")
	title := fs.String("title", "", "the signal's title")
	var (
		period  periodFlags
		text    textFlags
		figures listFlag
	)
	period.define(fs)
	text.define(fs)
	fs.Var(&figures, "figure", "a table of the dashboard to freeze in the signal (repeat): stage, gaps, escalations, times, …")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err1 := signalRegion(*region)
	from, to, err2 := period.months()
	body, _, err3 := text.value()
	sections, err4 := figureSections(figures)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	resp, err := c.signals.CreateSignal(ctx, &rotsv1.CreateSignalRequest{RequestId: *requestID, Signal: &rotsv1.Signal{
		Region: r, FromMonth: from, ToMonth: to, Title: *title, Text: body, FigureSections: sections,
	}})
	if err != nil {
		return err
	}
	return c.printSignal(resp.GetSignal())
}

func (c *client) signalEdit(ctx context.Context, args []string) error {
	var (
		title   string
		period  periodFlags
		text    textFlags
		figures listFlag
		refresh bool
	)
	name, requestID, set, err := signalCommand("edit", args, func(fs *flag.FlagSet) {
		fs.StringVar(&title, "title", "", "new title")
		period.define(fs)
		text.define(fs)
		fs.Var(&figures, "figure", "the tables to freeze instead (repeat); takes the figures again")
		fs.BoolVar(&refresh, "refresh", false, "take the figures again from the dashboard as it is now")
	})
	if err != nil {
		return err
	}
	// The flags given make the update mask.
	in := &rotsv1.Signal{Name: name, Title: title}
	var mask []string
	if set["title"] {
		mask = append(mask, "title")
	}
	if body, given, err := text.value(); err != nil {
		return err
	} else if given || set["text"] || set["text-file"] {
		in.Text, mask = body, append(mask, "text")
	}
	if set["year"] || set["from"] || set["to"] {
		from, to, err := period.months()
		if err != nil {
			return err
		}
		if from != "" {
			in.FromMonth, mask = from, append(mask, "from_month")
		}
		if to != "" {
			in.ToMonth, mask = to, append(mask, "to_month")
		}
	}
	if len(figures) > 0 {
		if in.FigureSections, err = figureSections(figures); err != nil {
			return err
		}
		mask = append(mask, "figure_sections")
	}
	resp, err := c.signals.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{
		RequestId: requestID, Signal: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: mask}, RefreshFigures: refresh,
	})
	if err != nil {
		return err
	}
	return c.printSignal(resp.GetSignal())
}

func (c *client) signalApprove(ctx context.Context, args []string) error {
	var etag string
	name, requestID, _, err := signalCommand("approve", args, func(fs *flag.FlagSet) {
		fs.StringVar(&etag, "etag", "", "the etag of the version you read (signal show); refused if it changed since")
	})
	if err != nil {
		return err
	}
	resp, err := c.signals.ApproveSignal(ctx, &rotsv1.ApproveSignalRequest{RequestId: requestID, Name: name, Etag: etag})
	if err != nil {
		return err
	}
	return c.printSignal(resp.GetSignal())
}

func (c *client) signalSent(ctx context.Context, args []string) error {
	var recipient string
	name, requestID, _, err := signalCommand("sent", args, func(fs *flag.FlagSet) {
		fs.StringVar(&recipient, "recipient", "", `to whom it went, e.g. "Vlaamse overheid, Departement Onderwijs"`)
	})
	if err != nil {
		return err
	}
	resp, err := c.signals.MarkSignalSent(ctx, &rotsv1.MarkSignalSentRequest{RequestId: requestID, Name: name, Recipient: recipient})
	if err != nil {
		return err
	}
	return c.printSignal(resp.GetSignal())
}

func (c *client) signalExport(ctx context.Context, args []string) error {
	var format, out string
	name, _, _, err := signalCommand("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "html", "html or csv")
		fs.StringVar(&out, "o", "", "file to write (default: the name the service proposes; - for standard output)")
	})
	if err != nil {
		return err
	}
	f := map[string]rotsv1.SignalExportFormat{
		"html": rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML, "csv": rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV,
	}[strings.ToLower(format)]
	if f == 0 {
		return fmt.Errorf("-format %q: must be html or csv", format)
	}
	resp, err := c.signals.ExportSignal(ctx, &rotsv1.ExportSignalRequest{Name: name, Format: f})
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := c.out.Write(resp.GetContent())
		return err
	}
	if out == "" {
		out = filepath.Base(resp.GetFilename())
	}
	if err := os.WriteFile(out, resp.GetContent(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s: %d bytes, %s\n", out, len(resp.GetContent()), resp.GetContentType())
	return nil
}

func (c *client) signalList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signal list", flag.ContinueOnError)
	region := fs.String("region", "", "only signals about this region, or vlaanderen for those about all of Flanders")
	state := fs.String("state", "", "only draft, approved or sent")
	size := fs.Int("page-size", 20, "signals per page")
	token := fs.String("page-token", "", "token from the previous page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := &rotsv1.ListSignalsRequest{PageSize: int32(*size), PageToken: *token}
	if *region != "" {
		r, err := signalRegion(*region)
		if err != nil {
			return err
		}
		req.Region, req.FlandersOnly = r, r == 0
	}
	if *state != "" {
		v, err := enumValue(rotsv1.SignalState_value, "SIGNAL_STATE_", "state", *state)
		if err != nil {
			return err
		}
		req.State = rotsv1.SignalState(v)
	}
	resp, err := c.signals.ListSignals(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tPERIOD\tSTATE\tAUTHOR\tTITLE")
	for _, s := range resp.GetSignals() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.GetName(), scope(s.GetRegion()), s.GetFromMonth()+" – "+s.GetToMonth(),
			strings.TrimPrefix(s.GetState().String(), "SIGNAL_STATE_"), s.GetAuthor(), s.GetTitle())
	}
	if resp.GetNextPageToken() != "" {
		fmt.Fprintf(tw, "next page: -page-token %s\n", resp.GetNextPageToken())
	}
	return tw.Flush()
}

func (c *client) signalShow(ctx context.Context, args []string) error {
	var asJSON bool
	name, _, _, err := signalCommand("show", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the signal as JSON")
	})
	if err != nil {
		return err
	}
	resp, err := c.signals.GetSignal(ctx, &rotsv1.GetSignalRequest{Name: name})
	if err != nil {
		return err
	}
	if asJSON {
		return c.print(resp.GetSignal())
	}
	return c.printSignal(resp.GetSignal())
}

func scope(r rotsv1.Region) string {
	if r == 0 {
		return "VLAANDEREN"
	}
	return strings.TrimPrefix(r.String(), "REGION_")
}

// printSignal shows a signal and its figure tables as text.
func (c *client) printSignal(s *rotsv1.Signal) error {
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	stamp := func(t interface{ IsValid() bool }, s string) string {
		if t == nil || !t.IsValid() {
			return ""
		}
		return s
	}
	line("name", s.GetName())
	line("state", strings.TrimPrefix(s.GetState().String(), "SIGNAL_STATE_"))
	line("etag", s.GetEtag())
	line("scope", scope(s.GetRegion()))
	line("period", s.GetFromMonth()+" – "+s.GetToMonth())
	line("title", s.GetTitle())
	line("author", s.GetAuthor())
	line("approver", s.GetApprover())
	line("approved", stamp(s.GetApproveTime(), s.GetApproveTime().AsTime().Local().Format("2006-01-02 15:04")))
	line("recipient", s.GetRecipient())
	line("sent", stamp(s.GetSendTime(), s.GetSendTime().AsTime().Local().Format("2006-01-02 15:04")))
	line("figures of", stamp(s.GetFiguresTime(), s.GetFiguresTime().AsTime().Local().Format("2006-01-02 15:04")))
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.GetText() != "" {
		fmt.Fprintf(c.out, "\n%s\n", strings.TrimSpace(s.GetText()))
	}
	for _, t := range s.GetFigures() {
		fmt.Fprintf(c.out, "\n%s (%s)\n", t.GetTitle(), t.GetUnit())
		tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
		totals := len(t.GetColumnLabels()) > 1 && t.GetTotal() != nil
		header := append([]string{t.GetRowHeader()}, t.GetColumnLabels()...)
		if totals {
			header = append(header, "Totaal")
		}
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
		for _, r := range t.GetRows() {
			cells := []string{r.GetLabel()}
			for _, f := range r.GetCells() {
				cells = append(cells, figureText(f))
			}
			if totals {
				cells = append(cells, figureText(r.GetTotal()))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if len(t.GetColumnTotals()) > 0 {
			cells := []string{"Totaal"}
			for _, f := range t.GetColumnTotals() {
				cells = append(cells, figureText(f))
			}
			if totals {
				cells = append(cells, figureText(t.GetTotal()))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if t.GetNote() != "" {
			fmt.Fprintf(c.out, "%s\n", t.GetNote())
		}
	}
	return nil
}

func figureText(f *rotsv1.SignalFigure) string {
	switch v := f.GetValue().(type) {
	case *rotsv1.SignalFigure_Suppressed:
		return "x"
	case *rotsv1.SignalFigure_Count:
		return strconv.FormatInt(v.Count, 10)
	case *rotsv1.SignalFigure_Measure:
		return strconv.FormatFloat(v.Measure, 'f', -1, 64)
	}
	return "–"
}
