package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

func policyName(region string) string { return "regions/" + region + "/escalationPolicy" }

const policyHelp = `Gebruik: rotsctl policy get <regio>
       rotsctl policy set <regio> [-intake-days N …] [-tandem a@x.be,b@x.be] [-manager m@x.be]

Het escalatiebeleid van een regio: de termijnen in werkdagen (of maanden),
de adressen van de tandem en de manager. set verandert enkel de opties die
u geeft; rotsctl policy set limburg -h toont ze.
`

// policyInts are the policy's numbers, each with its flag.
var policyInts = []struct {
	flag, what string
	field      func(p *rotsv1.EscalationPolicy) *int32
}{
	{"intake-days", "intakebeslissing na de aanmelding (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.IntakeDays }},
	{"answer-days", "antwoord van de aanmelder op een vraag (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.AnswerDays }},
	{"auto-withdraw-days", "daarna automatisch intrekken (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.AutoWithdrawDays }},
	{"consult-days", "consult na de aanvaarding (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.ConsultDays }},
	{"table-date-days", "datum van de overlegtafel na de beslissing (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.TableDateDays }},
	{"table-outcome-days", "uitkomst na de vergadering (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.TableOutcomeDays }},
	{"agreement-grace-days", "na de vervaldag van een afspraak (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.AgreementGraceDays }},
	{"review-days", "evaluatie na het advies of de tafel (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.ReviewDays }},
	{"offer-months", "een passend aanbod na de aanmelding (maanden)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.OfferMonths }},
	{"rung-interval-days", "tussen twee treden (werkdagen)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.RungIntervalDays }},
	{"retention-months", "bewaartermijn na het afsluiten (maanden)", func(p *rotsv1.EscalationPolicy) *int32 { return &p.RetentionMonths }},
}

// policy shows a region's escalation policy, or changes the fields given as
// flags and keeps the others.
func (c *client) policy(ctx context.Context, args []string) error {
	c.command = "policy"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		c.helpText = policyHelp
		return flag.ErrHelp
	}
	if len(args) < 1 || (args[0] != "get" && args[0] != "set") {
		return usagef("rotsctl policy get <regio> | rotsctl policy set <regio> [-intake-days N …]")
	}
	sub := args[0]
	fs := c.flags("policy " + sub)
	var region string
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		region, args = args[1], args[2:]
	} else {
		args = args[1:]
	}
	if sub == "get" {
		if _, err := parseArgs(fs, args, 0); err != nil {
			return err
		}
		if region == "" {
			return usagef("welke regio? rotsctl policy get <regio> (%s)", strings.Join(regionSlugs(), ", "))
		}
		resp, err := c.admin.GetEscalationPolicy(ctx, &rotsv1.GetEscalationPolicyRequest{Name: policyName(region)})
		if err != nil {
			return err
		}
		return c.printPolicy(resp.GetPolicy())
	}
	requestID := requestIDFlag(fs)
	values := make([]int, len(policyInts))
	for i, f := range policyInts {
		fs.IntVar(&values[i], f.flag, 0, f.what)
	}
	skip := fs.Bool("skip-school-holidays", false, "de Vlaamse schoolvakanties overslaan voor de termijnen van de tafel en de evaluatie")
	tandem := fs.String("tandem", "", "e-mailadressen van de tandem, met komma's")
	manager := fs.String("manager", "", "e-mailadressen van de manager, met komma's")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if region == "" {
		return usagef("welke regio? rotsctl policy set <regio> [opties] (%s)", strings.Join(regionSlugs(), ", "))
	}
	resp, err := c.admin.GetEscalationPolicy(ctx, &rotsv1.GetEscalationPolicyRequest{Name: policyName(region)})
	if err != nil {
		return err
	}
	p := resp.GetPolicy()
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for i, f := range policyInts {
		if given[f.flag] {
			*f.field(p) = int32(values[i])
		}
	}
	if given["skip-school-holidays"] {
		p.SkipSchoolHolidays = *skip
	}
	if given["tandem"] {
		p.TandemEmails = splitList(*tandem)
	}
	if given["manager"] {
		p.ManagerEmails = splitList(*manager)
	}
	updated, err := c.admin.UpdateEscalationPolicy(ctx, &rotsv1.UpdateEscalationPolicyRequest{RequestId: c.requestIDOr(*requestID), Policy: p})
	if err != nil {
		return err
	}
	return c.printPolicy(updated.GetPolicy())
}

func (c *client) printPolicy(p *rotsv1.EscalationPolicy) error {
	if c.json {
		return c.printJSON(p)
	}
	k := newCard(c.out)
	region := strings.TrimSuffix(strings.TrimPrefix(p.GetName(), "regions/"), "/escalationPolicy")
	k.line("Beleid", region)
	for _, f := range policyInts {
		v := *f.field(p)
		k.line(upperFirst(f.what), strconv.Itoa(int(v))+"  (-"+f.flag+")")
	}
	skip := "nee"
	if p.GetSkipSchoolHolidays() {
		skip = "ja"
	}
	k.line("Schoolvakanties overslaan", skip+"  (-skip-school-holidays)")
	k.line("Tandem", orNone(strings.Join(p.GetTandemEmails(), ", "), "tandem."+region+"@rots.local")+"  (-tandem)")
	k.line("Manager", orNone(strings.Join(p.GetManagerEmails(), ", "), "manager."+region+"@rots.local")+"  (-manager)")
	if t := p.GetUpdateTime(); t != nil {
		k.line("Gewijzigd", dutch.ShortDateTime(t.AsTime()))
	}
	return k.flush()
}

func orNone(s, inbox string) string {
	if s == "" {
		return "niet ingesteld: de inbox " + inbox
	}
	return s
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// inbox lists a recipient's notifications: the caller's own without an
// address.
func (c *client) inbox(ctx context.Context, args []string) error {
	fs := c.flags("inbox")
	unread := fs.Bool("unread", false, "enkel ongelezen meldingen")
	full := fs.Bool("full", false, "ook de tekst van elke melding")
	size := fs.Int("page-size", 50, "meldingen per pagina (hoogstens 100)")
	token := fs.String("page-token", "", "het token van de vorige pagina")
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("rotsctl inbox [<e-mailadres>] [-unread] [-full]")
	}
	req := &rotsv1.ListNotificationsRequest{UnreadOnly: *unread, PageSize: int32(*size), PageToken: *token}
	if len(pos) == 1 {
		req.Recipient = pos[0]
	}
	resp, err := c.notifications.ListNotifications(ctx, req)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(resp)
	}
	ns := resp.GetNotifications()
	if len(ns) == 0 {
		if req.Recipient != "" {
			_, err := fmt.Fprintf(c.out, "Geen meldingen voor %s.\n", req.Recipient)
			return err
		}
		_, err := fmt.Fprintln(c.out, "Geen meldingen in uw inbox.")
		return err
	}
	fmt.Fprintf(c.out, "Inbox van %s\n", ns[0].GetRecipient())
	var rows [][]string
	yes := func(b bool) string {
		if b {
			return "ja"
		}
		return "nee"
	}
	for _, n := range ns {
		rows = append(rows, []string{strings.TrimPrefix(n.GetName(), "notifications/"), dutch.ShortDateTime(n.GetCreateTime().AsTime()),
			yes(n.GetReadTime() != nil), yes(n.GetMailTime() != nil), n.GetSubject()})
		if *full {
			for _, l := range strings.Split(strings.TrimSpace(n.GetBody()), "\n") {
				rows = append(rows, []string{"", "", "", "", "  " + l})
			}
		}
	}
	if err := table(c.out, []string{"NR", "WANNEER", "GELEZEN", "GEMAILD", "ONDERWERP"}, rows); err != nil {
		return err
	}
	if t := resp.GetNextPageToken(); t != "" {
		fmt.Fprintf(c.out, "Meer meldingen: dezelfde opdracht met -page-token %s\n", t)
	}
	return nil
}

// read marks a notification read.
func (c *client) read(ctx context.Context, args []string) error {
	fs := c.flags("read")
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("welke melding? rotsctl read <nr> (het NR uit rotsctl inbox, of notifications/<nr>)")
	}
	resp, err := c.notifications.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{RequestId: c.requestIDOr(""), Name: resourceName("notifications", pos[0])})
	if err != nil {
		return err
	}
	n := resp.GetNotification()
	if c.json {
		return c.printJSON(n)
	}
	_, err = fmt.Fprintf(c.out, "Gelezen: %s\n", n.GetSubject())
	return err
}

// export prints everything held about a case, as JSON in rotsctl's style
// (snake_case keys throughout).
func (c *client) export(ctx context.Context, args []string) error {
	fs := c.flags("export")
	pos, err := parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("welk dossier? rotsctl export <ROTS-… of cases/<id>>")
	}
	name, err := caseName(pos[0])
	if err != nil {
		return err
	}
	resp, err := c.cases.ExportCase(ctx, &rotsv1.ExportCaseRequest{Name: name})
	if err != nil {
		return err
	}
	b, err := snakeCaseKeys([]byte(resp.GetJson()))
	if err != nil {
		return fmt.Errorf("de export is geen geldige JSON: %w", err)
	}
	_, err = c.out.Write(b)
	return err
}

// audit lists the access log by case or by actor.
func (c *client) audit(ctx context.Context, args []string) error {
	fs := c.flags("audit")
	caseArg := fs.String("case", "", "enkel dit dossier: cases/<id> (een referentie mag een auditor niet opzoeken)")
	actor := fs.String("actor", "", "enkel deze gebruiker (e-mailadres)")
	size := fs.Int("page-size", 100, "regels per pagina (hoogstens 100)")
	token := fs.String("page-token", "", "het token van de vorige pagina")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	req := &rotsv1.ListAccessLogRequest{Actor: *actor, PageSize: int32(*size), PageToken: *token}
	if *caseArg != "" {
		name, err := caseName(*caseArg)
		if err != nil {
			return err
		}
		req.Case = name
	}
	resp, err := c.audits.ListAccessLog(ctx, req)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(resp)
	}
	if len(resp.GetEntries()) == 0 {
		_, err := fmt.Fprintln(c.out, "Niets in het toegangslogboek.")
		return err
	}
	var rows [][]string
	for _, e := range resp.GetEntries() {
		rows = append(rows, []string{strconv.FormatInt(e.GetSequence(), 10), dutch.ShortDateTime(e.GetAccessTime().AsTime()),
			e.GetActor(), e.GetRole(), e.GetCase(), e.GetAction(), e.GetPurpose()})
	}
	if err := table(c.out, []string{"#", "WANNEER", "WIE", "ROL", "DOSSIER", "ACTIE", "DOEL"}, rows); err != nil {
		return err
	}
	if t := resp.GetNextPageToken(); t != "" {
		fmt.Fprintf(c.out, "Meer: dezelfde opdracht met -page-token %s\n", t)
	}
	return nil
}

// consent records that the young person or the parents withdrew consent.
func (c *client) consent(ctx context.Context, args []string) error {
	var by, note string
	name, requestID, err := c.caseFlags("consent", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "wie de toestemming introk: young-person (de jongere) of parents (de ouders)")
		fs.StringVar(&note, "note", "", "hoe het gemeld werd (mag leeg)")
	})
	if err != nil {
		return err
	}
	v, err := parseEnum(rotsv1.ConsentBy(0).Descriptor(), "by", by)
	if err != nil {
		return usageErr(err)
	}
	resp, err := c.cases.WithdrawConsent(ctx, &rotsv1.WithdrawConsentRequest{RequestId: requestID, Name: name, By: rotsv1.ConsentBy(v), Note: note})
	return c.printCase(resp.GetCase(), err)
}
