package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// caseFlags parses a command's flags and its one case, named by reference
// or name before or after the flags. It returns the case's name for the API
// (see caseName) and the request ID, so that a command can check its flags
// before it calls anything.
func (c *client) caseFlags(command string, args []string, define func(fs *flag.FlagSet)) (string, string, error) {
	fs := c.flags(command)
	requestID := requestIDFlag(fs)
	define(fs)
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return "", "", err
	}
	if len(pos) != 1 {
		return "", "", usagef("welk dossier? rotsctl %s <ROTS-… of cases/<id>> [opties]", command)
	}
	name, err := caseName(pos[0])
	if err != nil {
		return "", "", err
	}
	return name, c.requestIDOr(*requestID), nil
}

// printCase shows the case a command returns: in Dutch, or as JSON.
func (c *client) printCase(cs *rotsv1.Case, err error) error {
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(cs)
	}
	return writeCaseStatus(c.out, cs)
}

func (c *client) submit(ctx context.Context, args []string) error {
	fs := c.flags("submit")
	var tried, themes listFlag
	requestID := requestIDFlag(fs)
	region := fs.String("region", "", strings.Join(regionSlugs(), ", "))
	org := fs.String("org", "", "de aanmeldende organisatie, bv. \"Vrij CLB Limburg\"")
	orgKind := fs.String("org-kind", "clb", choices(rotsv1.OrganisationKind(0).Descriptor()))
	contact := fs.String("contact", "", "naam van de contactpersoon")
	email := fs.String("email", "", "e-mailadres van de contactpersoon")
	phone := fs.String("phone", "", "telefoon van de contactpersoon (mag leeg)")
	alias := fs.String("alias", "", "voornaam of initialen van de jongere, nooit de volledige naam")
	born := fs.String("born", "", "geboortejaar en -maand, bv. 2012-05")
	level := fs.String("level", "", "onderwijsniveau: "+choices(rotsv1.SchoolLevel(0).Descriptor()))
	grade := fs.Int("grade", 0, "leerjaar")
	school := fs.String("school", "", "school")
	municipality := fs.String("municipality", "", "gemeente")
	blocked := fs.String("blocked", "", "wat vastzit in het schooltraject")
	fs.Var(&tried, "tried", "een stap die al geprobeerd is (herhaal)")
	fs.Var(&themes, "theme", "thema (herhaal): "+choices(rotsv1.Theme(0).Descriptor()))
	attest := fs.Bool("attest", false, "verklaren dat het CLB en de jeugdhulp vastzitten en dat de jongere en de ouders het weten")
	quiet := fs.Bool("q", false, "print enkel de referentie (ROTS-…), voor C=$(rotsctl submit -q …)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	req := &rotsv1.SubmitCaseRequest{
		RequestId:              c.requestIDOr(*requestID),
		SubmittingOrganisation: &rotsv1.Organisation{Name: *org},
		Contact:                &rotsv1.ContactPerson{Name: *contact, Email: *email, Phone: *phone},
		YoungPerson:            &rotsv1.YoungPerson{Alias: *alias, Grade: int32(*grade), School: *school, Municipality: *municipality},
		Blocked:                *blocked,
		Tried:                  tried,
		Attestation:            &rotsv1.Attestation{ClbStuck: *attest, YouthCareStuck: *attest, YoungPersonAndParentsInformed: *attest},
	}
	var errs []error
	if *region != "" {
		v, err := parseEnum(rotsv1.Region(0).Descriptor(), "region", *region)
		errs = append(errs, err)
		req.Region = rotsv1.Region(v)
	}
	v, err := parseEnum(rotsv1.OrganisationKind(0).Descriptor(), "org-kind", *orgKind)
	errs = append(errs, err)
	req.SubmittingOrganisation.Kind = rotsv1.OrganisationKind(v)
	if *level != "" {
		v, err := parseEnum(rotsv1.SchoolLevel(0).Descriptor(), "level", *level)
		errs = append(errs, err)
		req.YoungPerson.SchoolLevel = rotsv1.SchoolLevel(v)
	}
	if *born != "" {
		t, err := time.Parse("2006-01", *born)
		if err != nil {
			errs = append(errs, fmt.Errorf("-born %q: geef jaar en maand, bv. 2012-05", *born))
		}
		req.YoungPerson.BirthYear, req.YoungPerson.BirthMonth = int32(t.Year()), int32(t.Month())
	}
	for _, th := range themes {
		v, err := parseEnum(rotsv1.Theme(0).Descriptor(), "theme", th)
		errs = append(errs, err)
		req.Themes = append(req.Themes, rotsv1.Theme(v))
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}
	resp, err := c.cases.SubmitCase(ctx, req)
	if err != nil {
		return err
	}
	cs := resp.GetCase()
	switch {
	case *quiet:
		_, err = fmt.Fprintln(c.out, cs.GetReference())
		return err
	case c.json:
		return c.printJSON(cs)
	}
	// The reference on a line of its own, to copy.
	fmt.Fprintf(c.out, "%s\n\n", cs.GetReference())
	return writeCase(c.out, cs)
}

func (c *client) list(ctx context.Context, args []string) error {
	fs := c.flags("list")
	region := fs.String("region", "", "enkel deze regio: "+strings.Join(regionSlugs(), ", "))
	stage := fs.String("stage", "", "enkel deze fase: "+choices(rotsv1.Stage(0).Descriptor()))
	org := fs.String("org", "", "enkel deze aanmeldende organisatie")
	size := fs.Int("page-size", 20, "dossiers per pagina (hoogstens 100)")
	token := fs.String("page-token", "", "het token van de vorige pagina")
	overdue := fs.Bool("overdue", false, "enkel dossiers met een verstreken termijn")
	minRung := fs.Int("min-rung", 0, "enkel dossiers op deze trede van de escalatieladder of hoger (1-4)")
	reference := fs.String("reference", "", "enkel het dossier met deze referentie, bv. ROTS-1A2B3C4D")
	order := fs.String("order", "newest", "volgorde: newest (nieuwste eerst) of urgency (de werkbak: doorbraken, dan de hoogste trede, dan de eerstvolgende termijn)")
	open := fs.Bool("open", false, "enkel open dossiers, zonder de afgesloten")
	query := fs.String("query", "", "zoeken op referentie (met of zonder ROTS-) of op (een deel van) de roepnaam of initialen van de jongere")
	quiet := fs.Bool("q", false, "print enkel de namen (cases/<id>), een per regel")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	req := &rotsv1.ListCasesRequest{PageSize: int32(*size), PageToken: *token, SubmittingOrganisation: *org, OverdueOnly: *overdue,
		MinRung: int32(*minRung), Reference: strings.TrimSpace(*reference), OpenOnly: *open, Query: strings.TrimSpace(*query)}
	var errs []error
	switch *order {
	case "newest", "":
	case "urgency":
		req.OrderBy = "urgency"
	default:
		errs = append(errs, fmt.Errorf("-order %q: kies newest of urgency", *order))
	}
	if *region != "" {
		v, err := parseEnum(rotsv1.Region(0).Descriptor(), "region", *region)
		errs = append(errs, err)
		req.Region = rotsv1.Region(v)
	}
	if *stage != "" {
		v, err := parseEnum(rotsv1.Stage(0).Descriptor(), "stage", *stage)
		errs = append(errs, err)
		req.Stage = rotsv1.Stage(v)
	}
	if req.Reference != "" {
		if a, err := parseCaseArg(req.Reference); err != nil || a.reference == "" {
			errs = append(errs, fmt.Errorf("-reference %q: geef een referentie zoals ROTS-1A2B3C4D", req.Reference))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}
	resp, err := c.cases.ListCases(ctx, req)
	if err != nil {
		return err
	}
	switch {
	case c.json:
		return c.printJSON(resp)
	case *quiet:
		for _, cs := range resp.GetCases() {
			fmt.Fprintln(c.out, cs.GetName())
		}
		return nil
	}
	return writeCaseList(c.out, resp)
}

func writeCaseList(w io.Writer, resp *rotsv1.ListCasesResponse) error {
	if len(resp.GetCases()) == 0 {
		_, err := fmt.Fprintln(w, "Geen dossiers.")
		return err
	}
	var rows [][]string
	for _, cs := range resp.GetCases() {
		breakthrough := "–"
		if cs.GetBreakthrough() {
			breakthrough = "ja"
		}
		tr := "–"
		if cs.GetRung() > 0 {
			tr = fmt.Sprintf("trede %d", cs.GetRung())
		}
		when := ""
		if t := cs.GetSubmitTime(); t != nil {
			when = dutch.ShortDateTime(t.AsTime())
		}
		rows = append(rows, []string{cs.GetReference(), cs.GetYoungPerson().GetAlias(), regionName(cs.GetRegion()), dutch.Enum(cs.GetStage()),
			tr, breakthrough, cs.GetSubmittingOrganisation().GetName(), when})
	}
	if err := table(w, []string{"REFERENTIE!", "JONGERE", "REGIO!", "FASE!", "TREDE!", "DOORBRAAK!", "AANMELDER", "AANGEMELD!"}, rows); err != nil {
		return err
	}
	if t := resp.GetNextPageToken(); t != "" {
		_, err := fmt.Fprintf(w, "Meer dossiers: dezelfde opdracht met -page-token %s\n", t)
		return err
	}
	return nil
}

func (c *client) show(ctx context.Context, args []string) error {
	fs := c.flags("show")
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("welk dossier? rotsctl show <ROTS-… of cases/<id>>")
	}
	name, err := caseName(pos[0])
	if err != nil {
		return err
	}
	resp, err := c.cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: name})
	if err != nil {
		return err
	}
	var events []*rotsv1.CaseEvent
	token := ""
	for {
		ev, err := c.cases.ListCaseEvents(ctx, &rotsv1.ListCaseEventsRequest{Parent: name, PageSize: 100, PageToken: token})
		if err != nil {
			return err
		}
		events = append(events, ev.GetEvents()...)
		if token = ev.GetNextPageToken(); token == "" {
			break
		}
	}
	if c.json {
		return jsonObject(c.out, "case", resp.GetCase(), "events", messages(events))
	}
	if err := writeCase(c.out, resp.GetCase()); err != nil {
		return err
	}
	fmt.Fprintln(c.out, "\nTijdlijn")
	return writeTimeline(c.out, events)
}

func (c *client) intake(ctx context.Context, args []string) error {
	var decision, question, reason, suggestion, note string
	name, requestID, err := c.caseFlags("intake", args, func(fs *flag.FlagSet) {
		fs.StringVar(&decision, "decision", "", "accept (aanvaarden), ask (een vraag aan de aanmelder) of decline (weigeren)")
		fs.StringVar(&question, "question", "", "de vraag, bij -decision ask")
		fs.StringVar(&reason, "reason", "", "waarom, bij -decision decline")
		fs.StringVar(&suggestion, "suggest", "", "waar de aanmelder wel terechtkan, bij -decision decline")
		fs.StringVar(&note, "note", "", "een notitie, bij -decision accept")
	})
	if err != nil {
		return err
	}
	d := map[string]rotsv1.IntakeDecision{
		"accept": rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT, "ask": rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION,
		"decline": rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE,
	}[decision]
	if d == 0 {
		return usagef("-decision %q: kies accept, ask of decline", decision)
	}
	resp, err := c.cases.DecideIntake(ctx, &rotsv1.DecideIntakeRequest{
		RequestId: requestID, Name: name, Decision: d, Question: question,
		DeclineReason: reason, ReferralSuggestion: suggestion, Note: note,
	})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) answer(ctx context.Context, args []string) error {
	var answer string
	name, requestID, err := c.caseFlags("answer", args, func(fs *flag.FlagSet) {
		fs.StringVar(&answer, "answer", "", "het antwoord op de open vraag")
	})
	if err != nil {
		return err
	}
	resp, err := c.cases.AnswerQuestion(ctx, &rotsv1.AnswerQuestionRequest{RequestId: requestID, Name: name, Answer: answer})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) consult(ctx context.Context, args []string) error {
	var advice, decision, date string
	var experts listFlag
	name, requestID, err := c.caseFlags("consult", args, func(fs *flag.FlagSet) {
		fs.StringVar(&advice, "advice", "", "het advies van het consult")
		fs.StringVar(&decision, "decision", "", "advice-only (enkel advies, dan opvolging) of table (een overlegtafel samenroepen)")
		fs.Var(&experts, "expert", "een geraadpleegde expert: een naam uit de sociale kaart (organisations/…) of vrije tekst (herhaal)")
		fs.StringVar(&date, "date", "", "wanneer het consult was, JJJJ-MM-DD (standaard vandaag)")
	})
	if err != nil {
		return err
	}
	d := map[string]rotsv1.ConsultDecision{
		"advice-only": rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY, "table": rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE,
	}[decision]
	if d == 0 {
		return usagef("-decision %q: kies advice-only of table", decision)
	}
	resp, err := c.cases.RecordConsult(ctx, &rotsv1.RecordConsultRequest{RequestId: requestID, Name: name, Advice: advice, Decision: d, Experts: experts, ConsultDate: date})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) outcome(ctx context.Context, args []string) error {
	var offer string
	var agreements, used listFlag
	name, requestID, err := c.caseFlags("outcome", args, func(fs *flag.FlagSet) {
		fs.StringVar(&offer, "offer", "", "het aanbod op maat")
		fs.Var(&agreements, "agreement", `een afspraak "actie|organisatie die ze draagt|JJJJ-MM-DD[|persoon]" (herhaal)`)
		fs.Var(&used, "use-offer", "een aanbod uit de sociale kaart dat het aanbod op maat gebruikt, organisations/…/offers/… (herhaal)")
	})
	if err != nil {
		return err
	}
	req := &rotsv1.RecordTableOutcomeRequest{RequestId: requestID, Offer: offer, Offers: used}
	var errs []error
	for i, a := range agreements {
		parts := strings.Split(a, "|")
		if len(parts) != 3 && len(parts) != 4 {
			errs = append(errs, fmt.Errorf("-agreement (de %s) %q: geef \"actie|organisatie|JJJJ-MM-DD[|persoon]\"", dutch.Ordinal(i+1), a))
			continue
		}
		ag := &rotsv1.Agreement{Action: parts[0], OwnerOrganisation: parts[1], DueDate: parts[2]}
		if len(parts) == 4 {
			ag.Person = parts[3]
		}
		req.Agreements = append(req.Agreements, ag)
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}
	req.Name = name
	resp, err := c.cases.RecordTableOutcome(ctx, req)
	return c.printCase(resp.GetCase(), err)
}

func (c *client) close(ctx context.Context, args []string) error {
	var reason, note string
	skip := []string{vocab.ClosedDeclined, vocab.ClosedWithdrawn}
	name, requestID, err := c.caseFlags("close", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", choices(rotsv1.ClosureReason(0).Descriptor(), skip...))
		fs.StringVar(&note, "note", "", "een notitie (nodig bij other)")
	})
	if err != nil {
		return err
	}
	v, err := parseEnum(rotsv1.ClosureReason(0).Descriptor(), "reason", reason, skip...)
	if err != nil {
		return usageErr(err)
	}
	resp, err := c.cases.CloseCase(ctx, &rotsv1.CloseCaseRequest{RequestId: requestID, Name: name, Reason: rotsv1.ClosureReason(v), Note: note})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) withdraw(ctx context.Context, args []string) error {
	var reason string
	name, requestID, err := c.caseFlags("withdraw", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "waarom het dossier wordt ingetrokken")
	})
	if err != nil {
		return err
	}
	resp, err := c.cases.WithdrawCase(ctx, &rotsv1.WithdrawCaseRequest{RequestId: requestID, Name: name, Reason: reason})
	return c.printCase(resp.GetCase(), err)
}
