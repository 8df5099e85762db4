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
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

const signalUsage = `Gebruik: rotsctl signal <opdracht> [opties]

Signalen aan de overheid (signaalfunctie), voor managers:
  create   een signaal opstellen: create -region limburg -year 2026 -title … -text … -figure stage -figure gaps [-q]
  edit     een concept wijzigen: edit <signaal> [-title …] [-text …|-text-file …] [-from …] [-to …] [-figure …] [-refresh]
  approve  een concept goedkeuren (niet uw eigen): approve <signaal> [-etag 3]
  sent     vastleggen dat het verstuurd is: sent <signaal> -recipient "Vlaamse overheid, Departement Onderwijs"
  export   bewaren: export <signaal> -format html|csv [-o bestand]
  list     signalen: list [-region …] [-state draft|approved|sent]
  show     een signaal met zijn cijfers: show <signaal>

Een signaal noemt u "signals/<id>" of enkel met zijn id. Cijfers (-figure,
herhaal): stage, age-band, school-level, theme, organisation-kind,
closure-reason, submitted-by-month, closed-by-month, escalations,
overdue-agreements, gaps, times. Regio "vlaanderen" is heel Vlaanderen.
De hulp bij een opdracht: rotsctl signal create -h.
`

func (c *client) signal(ctx context.Context, args []string) error {
	c.command = "signal"
	if len(args) == 0 {
		return usagef("welke opdracht? create, edit, approve, sent, export, list of show (rotsctl signal help)")
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) > 1 {
			args = []string{args[1], "-h"}
		} else {
			c.helpText = signalUsage
			return flag.ErrHelp
		}
	}
	sub, ok := map[string]func(*client, context.Context, []string) error{
		"create": (*client).signalCreate, "edit": (*client).signalEdit, "approve": (*client).signalApprove,
		"sent": (*client).signalSent, "export": (*client).signalExport, "list": (*client).signalList, "show": (*client).signalShow,
	}[args[0]]
	if !ok {
		return usagef("onbekende opdracht %q: create, edit, approve, sent, export, list of show (rotsctl signal help)", args[0])
	}
	return sub(c, ctx, args[1:])
}

// signalCommand parses a signal command's flags and its one signal, before
// or after the flags. It returns the signal's name, the request ID and the
// flags given.
func (c *client) signalCommand(name string, args []string, define func(fs *flag.FlagSet)) (string, string, map[string]bool, error) {
	fs := c.flags("signal " + name)
	requestID := requestIDFlag(fs)
	define(fs)
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return "", "", nil, err
	}
	if len(pos) != 1 {
		return "", "", nil, usagef("welk signaal? rotsctl signal %s <signals/<id>> [opties]", name)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return resourceName("signals", pos[0]), c.requestIDOr(*requestID), given, nil
}

// signalRegion parses -region: a region, or "vlaanderen" for all of
// Flanders.
func signalRegion(s string) (rotsv1.Region, error) {
	if s == "vlaanderen" {
		return 0, nil
	}
	v, err := parseEnum(rotsv1.Region(0).Descriptor(), "region", s)
	if err != nil {
		return 0, fmt.Errorf("%w, of vlaanderen voor heel Vlaanderen", err)
	}
	return rotsv1.Region(v), nil
}

func figureSections(names []string) ([]rotsv1.SignalFigureSection, error) {
	var out []rotsv1.SignalFigureSection
	var errs []error
	for _, n := range names {
		v, err := parseEnum(rotsv1.SignalFigureSection(0).Descriptor(), "figure", n)
		errs = append(errs, err)
		out = append(out, rotsv1.SignalFigureSection(v))
	}
	return out, errors.Join(errs...)
}

// periodFlags are -year, -from and -to.
type periodFlags struct{ year, from, to string }

func (p *periodFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&p.year, "year", "", "het hele kalenderjaar, bv. 2026 (of -from en -to)")
	fs.StringVar(&p.from, "from", "", "de eerste maand, bv. 2026-01")
	fs.StringVar(&p.to, "to", "", "de laatste maand, inbegrepen, bv. 2026-06")
}

// months returns the period's first and last month.
func (p *periodFlags) months() (string, string, error) {
	if p.year == "" {
		return p.from, p.to, nil
	}
	if p.from != "" || p.to != "" {
		return "", "", errors.New("-year of -from en -to, niet beide")
	}
	if _, err := strconv.Atoi(p.year); err != nil || len(p.year) != 4 {
		return "", "", fmt.Errorf("-year %q: geef een jaar, bv. 2026", p.year)
	}
	return p.year + "-01", p.year + "-12", nil
}

// textFlags are -text and -text-file.
type textFlags struct{ text, file string }

func (t *textFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&t.text, "text", "", "de tekst van het signaal (geen persoonsgegevens)")
	fs.StringVar(&t.file, "text-file", "", "de tekst uit dit bestand (- voor standaardinvoer)")
}

func (t *textFlags) value() (string, bool, error) {
	switch {
	case t.file != "" && t.text != "":
		return "", false, errors.New("-text of -text-file, niet beide")
	case t.file == "-":
		b, err := io.ReadAll(os.Stdin)
		return string(b), true, err
	case t.file != "":
		b, err := os.ReadFile(t.file)
		if err != nil {
			return "", true, fmt.Errorf("-text-file: %v", err)
		}
		return string(b), true, nil
	}
	return t.text, t.text != "", nil
}

func (c *client) signalCreate(ctx context.Context, args []string) error {
	fs := c.flags("signal create")
	requestID := requestIDFlag(fs)
	region := fs.String("region", "", strings.Join(regionSlugs(), ", ")+" of vlaanderen")
	title := fs.String("title", "", "de titel van het signaal")
	var (
		period  periodFlags
		text    textFlags
		figures listFlag
	)
	period.define(fs)
	text.define(fs)
	fs.Var(&figures, "figure", "een tabel van het dashboard om in het signaal vast te leggen (herhaal): "+choices(rotsv1.SignalFigureSection(0).Descriptor()))
	quiet := fs.Bool("q", false, "print enkel de naam van het signaal, voor S=$(rotsctl signal create -q …)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	var err1 error
	if *region == "" {
		err1 = fmt.Errorf("-region ontbreekt: %s, of vlaanderen voor heel Vlaanderen", strings.Join(regionSlugs(), ", "))
	}
	r, err := signalRegion(*region)
	if err1 == nil {
		err1 = err
	}
	from, to, err2 := period.months()
	body, _, err3 := text.value()
	sections, err4 := figureSections(figures)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return usageErr(err)
	}
	resp, err := c.signals.CreateSignal(ctx, &rotsv1.CreateSignalRequest{RequestId: c.requestIDOr(*requestID), Signal: &rotsv1.Signal{
		Region: r, FromMonth: from, ToMonth: to, Title: *title, Text: body, FigureSections: sections,
	}})
	if err != nil {
		return err
	}
	if *quiet {
		_, err := fmt.Fprintln(c.out, resp.GetSignal().GetName())
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
	name, requestID, set, err := c.signalCommand("edit", args, func(fs *flag.FlagSet) {
		fs.StringVar(&title, "title", "", "de nieuwe titel")
		period.define(fs)
		text.define(fs)
		fs.Var(&figures, "figure", "de tabellen om in de plaats vast te leggen (herhaal); neemt de cijfers opnieuw")
		fs.BoolVar(&refresh, "refresh", false, "de cijfers opnieuw nemen van het dashboard zoals het nu is")
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
		return usageErr(err)
	} else if given || set["text"] || set["text-file"] {
		in.Text, mask = body, append(mask, "text")
	}
	if set["year"] || set["from"] || set["to"] {
		from, to, err := period.months()
		if err != nil {
			return usageErr(err)
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
			return usageErr(err)
		}
		mask = append(mask, "figure_sections")
	}
	resp, err := c.signals.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{
		RequestId: requestID, Signal: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: mask}, RefreshFigures: refresh,
	})
	if err != nil {
		return err
	}
	return c.printSignalChange(resp.GetSignal())
}

func (c *client) signalApprove(ctx context.Context, args []string) error {
	var etag string
	name, requestID, _, err := c.signalCommand("approve", args, func(fs *flag.FlagSet) {
		fs.StringVar(&etag, "etag", "", `de etag van de versie die u las (signal show), 3 of "3"; geweigerd als het signaal sindsdien veranderde`)
	})
	if err != nil {
		return err
	}
	resp, err := c.signals.ApproveSignal(ctx, &rotsv1.ApproveSignalRequest{RequestId: requestID, Name: name, Etag: normaliseEtag(etag)})
	if err != nil {
		return err
	}
	return c.printSignalChange(resp.GetSignal())
}

func (c *client) signalSent(ctx context.Context, args []string) error {
	var recipient string
	name, requestID, _, err := c.signalCommand("sent", args, func(fs *flag.FlagSet) {
		fs.StringVar(&recipient, "recipient", "", `aan wie het ging, bv. "Vlaamse overheid, Departement Onderwijs"`)
	})
	if err != nil {
		return err
	}
	resp, err := c.signals.MarkSignalSent(ctx, &rotsv1.MarkSignalSentRequest{RequestId: requestID, Name: name, Recipient: recipient})
	if err != nil {
		return err
	}
	return c.printSignalChange(resp.GetSignal())
}

func (c *client) signalExport(ctx context.Context, args []string) error {
	var format, out string
	name, _, _, err := c.signalCommand("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "html", "html of csv")
		fs.StringVar(&out, "o", "", "het bestand (standaard de naam die de dienst voorstelt; - voor standaarduitvoer)")
	})
	if err != nil {
		return err
	}
	f := map[string]rotsv1.SignalExportFormat{
		"html": rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML, "csv": rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV,
	}[strings.ToLower(format)]
	if f == 0 {
		return usagef("-format %q: kies html of csv", format)
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
	fmt.Fprintf(c.out, "Bewaard in %s (%d bytes, %s).\n", out, len(resp.GetContent()), resp.GetContentType())
	return nil
}

func (c *client) signalList(ctx context.Context, args []string) error {
	fs := c.flags("signal list")
	region := fs.String("region", "", "enkel signalen over deze regio, of vlaanderen voor die over heel Vlaanderen")
	state := fs.String("state", "", "enkel draft (concept), approved (goedgekeurd) of sent (verzonden)")
	size := fs.Int("page-size", 20, "signalen per pagina")
	token := fs.String("page-token", "", "het token van de vorige pagina")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	req := &rotsv1.ListSignalsRequest{PageSize: int32(*size), PageToken: *token}
	if *region != "" {
		r, err := signalRegion(*region)
		if err != nil {
			return usageErr(err)
		}
		req.Region, req.FlandersOnly = r, r == 0
	}
	if *state != "" {
		v, err := parseEnum(rotsv1.SignalState(0).Descriptor(), "state", *state)
		if err != nil {
			return usageErr(err)
		}
		req.State = rotsv1.SignalState(v)
	}
	resp, err := c.signals.ListSignals(ctx, req)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(resp)
	}
	if len(resp.GetSignals()) == 0 {
		_, err := fmt.Fprintln(c.out, "Geen signalen.")
		return err
	}
	var rows [][]string
	for _, s := range resp.GetSignals() {
		rows = append(rows, []string{s.GetName(), regionName(s.GetRegion()), period(s), dutch.Enum(s.GetState()), s.GetAuthor(), s.GetTitle()})
	}
	if err := table(c.out, []string{"NAAM", "GEBIED", "PERIODE", "STAND", "AUTEUR", "TITEL"}, rows); err != nil {
		return err
	}
	if t := resp.GetNextPageToken(); t != "" {
		fmt.Fprintf(c.out, "Meer signalen: dezelfde opdracht met -page-token %s\n", t)
	}
	return nil
}

func (c *client) signalShow(ctx context.Context, args []string) error {
	name, _, _, err := c.signalCommand("show", args, func(fs *flag.FlagSet) {})
	if err != nil {
		return err
	}
	resp, err := c.signals.GetSignal(ctx, &rotsv1.GetSignalRequest{Name: name})
	if err != nil {
		return err
	}
	return c.printSignal(resp.GetSignal())
}

// period says a signal's period: "jan 2026 – dec 2026".
func period(s *rotsv1.Signal) string {
	return dutch.ShortMonth(s.GetFromMonth()) + " – " + dutch.ShortMonth(s.GetToMonth())
}

// printSignalChange shows a signal after a change: what it is and where it
// stands, without its figures (signal show has them).
func (c *client) printSignalChange(s *rotsv1.Signal) error {
	if c.json {
		return c.printJSON(s)
	}
	if err := c.printSignalHead(s); err != nil {
		return err
	}
	_, err := fmt.Fprintf(c.out, "De tekst en de cijfers: rotsctl signal show %s\n", s.GetName())
	return err
}

// printSignal shows a signal and its figure tables as text, or as JSON.
func (c *client) printSignal(s *rotsv1.Signal) error {
	if c.json {
		return c.printJSON(s)
	}
	if err := c.printSignalHead(s); err != nil {
		return err
	}
	return c.printSignalBody(s)
}

func (c *client) printSignalHead(s *rotsv1.Signal) error {
	k := newCard(c.out)
	stamp := func(t *timestamppb.Timestamp) string {
		if t == nil || !t.IsValid() {
			return ""
		}
		return dutch.ShortDateTime(t.AsTime())
	}
	k.line("Signaal", s.GetName())
	k.line("Stand", dutch.Enum(s.GetState()))
	k.line("Etag", s.GetEtag())
	k.line("Gebied", regionName(s.GetRegion()))
	k.line("Periode", period(s))
	k.line("Titel", s.GetTitle())
	k.line("Auteur", s.GetAuthor())
	k.line("Goedgekeurd door", s.GetApprover())
	k.line("Goedgekeurd", stamp(s.GetApproveTime()))
	k.line("Ontvanger", s.GetRecipient())
	k.line("Verstuurd", stamp(s.GetSendTime()))
	k.line("Cijfers van", stamp(s.GetFiguresTime()))
	return k.flush()
}

func (c *client) printSignalBody(s *rotsv1.Signal) error {
	if s.GetText() != "" {
		fmt.Fprintf(c.out, "\n%s\n", strings.TrimSpace(s.GetText()))
	}
	for _, t := range s.GetFigures() {
		fmt.Fprintf(c.out, "\n%s (%s)\n", t.GetTitle(), t.GetUnit())
		tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
		totals := len(t.GetColumnLabels()) > 1 && t.GetTotal() != nil
		labels := []string{t.GetRowHeader(), "Totaal"}
		for _, r := range t.GetRows() {
			labels = append(labels, r.GetLabel())
		}
		pad := leftAligned(labels...)
		header := append([]string{pad(t.GetRowHeader())}, t.GetColumnLabels()...)
		if totals {
			header = append(header, "Totaal")
		}
		fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
		for _, r := range t.GetRows() {
			cells := []string{pad(r.GetLabel())}
			for _, f := range r.GetCells() {
				cells = append(cells, figureText(f))
			}
			if totals {
				cells = append(cells, figureText(r.GetTotal()))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if len(t.GetColumnTotals()) > 0 {
			cells := []string{pad("Totaal")}
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
