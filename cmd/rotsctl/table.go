package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// convene invites the table: partners as "organisation|name|email|role",
// the young person and their context by role.
func (c *client) convene(ctx context.Context, args []string) error {
	var partners, roles listFlag
	name, requestID, err := c.caseFlags("convene", args, func(fs *flag.FlagSet) {
		fs.Var(&partners, "partner", `een partner "organisatie|naam|e-mail|rol" (herhaal)`)
		fs.Var(&roles, "context", `de jongere of de context, enkel met een rol: "young-person", "parents|moeder", "context|grootvader" (herhaal)`)
	})
	if err != nil {
		return err
	}
	req := &rotsv1.ConveneTableRequest{RequestId: requestID}
	var errs []error
	for i, p := range partners {
		f := strings.Split(p, "|")
		if len(f) != 4 {
			errs = append(errs, fmt.Errorf("-partner (de %s) %q: geef \"organisatie|naam|e-mail|rol\"", dutch.Ordinal(i+1), p))
			continue
		}
		req.Participants = append(req.Participants, &rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: f[0], Name: f[1], Email: f[2], Role: f[3]})
	}
	for _, r := range roles {
		k, role, _ := strings.Cut(r, "|")
		v, err := parseEnum(rotsv1.ParticipantKind(0).Descriptor(), "context", k, "PARTNER")
		errs = append(errs, err)
		req.Participants = append(req.Participants, &rotsv1.Participant{Kind: rotsv1.ParticipantKind(v), Role: role})
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}
	// The participants are the partners, then the context: the server's
	// participants[i] is the i-th -partner or -context.
	n := len(partners)
	c.fieldFlag = func(field string) string {
		pattern, i := fieldPattern(field)
		if !strings.HasPrefix(pattern, "participants[]") {
			return ""
		}
		if i < n {
			return fmt.Sprintf("-partner (de %s)", dutch.Ordinal(i+1))
		}
		return fmt.Sprintf("-context (de %s)", dutch.Ordinal(i-n+1))
	}
	req.Name = name
	resp, err := c.tables.ConveneTable(ctx, req)
	return c.printCase(resp.GetCase(), err)
}

// schedule sets or moves the table's meeting.
func (c *client) schedule(ctx context.Context, args []string) error {
	var at, location, reason string
	var minutes int
	name, requestID, err := c.caseFlags("schedule", args, func(fs *flag.FlagSet) {
		fs.StringVar(&at, "at", "", "begin, Brusselse tijd: 2027-01-12 14:00")
		fs.IntVar(&minutes, "minutes", 90, "duur in minuten")
		fs.StringVar(&location, "location", "", "plaats of link")
		fs.StringVar(&reason, "reason", "", "waarom de vergadering verschuift (als ze verschuift)")
	})
	if err != nil {
		return err
	}
	start, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(at), calendar.Brussels)
	if err != nil {
		return usagef("-at %q: geef datum en uur, bv. \"2027-01-12 14:00\"", at)
	}
	resp, err := c.tables.ScheduleTableMeeting(ctx, &rotsv1.ScheduleTableMeetingRequest{
		RequestId: requestID, Name: name, StartTime: timestamppb.New(start), DurationMinutes: int32(minutes), Location: location, Reason: reason,
	})
	return c.printCase(resp.GetCase(), err)
}

// reconvene brings a case in follow-up back to the table.
func (c *client) reconvene(ctx context.Context, args []string) error {
	var reason string
	name, requestID, err := c.caseFlags("reconvene", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "waarom de tafel opnieuw samenkomt")
	})
	if err != nil {
		return err
	}
	resp, err := c.tables.ReconveneTable(ctx, &rotsv1.ReconveneTableRequest{RequestId: requestID, Name: name, Reason: reason})
	return c.printCase(resp.GetCase(), err)
}

// agreement sets an agreement's status.
func (c *client) agreement(ctx context.Context, args []string) error {
	var index int
	var status, reason string
	name, requestID, err := c.caseFlags("agreement", args, func(fs *flag.FlagSet) {
		fs.IntVar(&index, "index", 0, "welke afspraak, vanaf 0 (afspraak 1 is -index 0)")
		fs.StringVar(&status, "status", "", choices(rotsv1.AgreementStatus(0).Descriptor()))
		fs.StringVar(&reason, "reason", "", "waarom ze geblokkeerd is")
	})
	if err != nil {
		return err
	}
	v, err := parseEnum(rotsv1.AgreementStatus(0).Descriptor(), "status", status)
	if err != nil {
		return usageErr(err)
	}
	resp, err := c.tables.UpdateAgreement(ctx, &rotsv1.UpdateAgreementRequest{
		RequestId: requestID, Name: name, Index: int32(index), Status: rotsv1.AgreementStatus(v), BlockedReason: reason,
	})
	return c.printCase(resp.GetCase(), err)
}

// offers searches the partner directory (sociale kaart).
func (c *client) offers(ctx context.Context, args []string) error {
	fs := c.flags("offers")
	region := fs.String("region", "", "enkel organisaties die deze regio bedienen: "+strings.Join(regionSlugs(), ", "))
	theme := fs.String("theme", "", "enkel aanbod voor dit thema: "+choices(rotsv1.Theme(0).Descriptor()))
	band := fs.String("age", "", "under-12 (jonger dan 12) of twelve-and-over (12 en ouder)")
	quiet := fs.Bool("q", false, "print enkel de namen (organisations/…/offers/…), een per regel, voor outcome -use-offer")
	words, err := parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	req := &rotsv1.SearchOffersRequest{Query: strings.Join(words, " "), PageSize: 50}
	var errs []error
	if *region != "" {
		v, err := parseEnum(rotsv1.Region(0).Descriptor(), "region", *region)
		errs = append(errs, err)
		req.Region = rotsv1.Region(v)
	}
	if *theme != "" {
		v, err := parseEnum(rotsv1.Theme(0).Descriptor(), "theme", *theme)
		errs = append(errs, err)
		req.Themes = []rotsv1.Theme{rotsv1.Theme(v)}
	}
	if *band != "" {
		v, err := parseEnum(rotsv1.AgeBand(0).Descriptor(), "age", *band, "ALL")
		errs = append(errs, err)
		req.AgeBand = rotsv1.AgeBand(v)
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}
	resp, err := c.directory.SearchOffers(ctx, req)
	if err != nil {
		return err
	}
	switch {
	case c.json:
		return c.printJSON(resp)
	case *quiet:
		for _, o := range resp.GetOffers() {
			fmt.Fprintln(c.out, o.GetName())
		}
		return nil
	}
	if len(resp.GetOffers()) == 0 {
		_, err := fmt.Fprintln(c.out, "Geen aanbod gevonden.")
		return err
	}
	var rows [][]string
	for _, o := range resp.GetOffers() {
		wait := ""
		if o.WaitingWeeks != nil {
			wait = "geen"
			if o.GetWaitingWeeks() > 0 {
				wait = fmt.Sprintf("%d weken", o.GetWaitingWeeks())
			}
		}
		rows = append(rows, []string{o.GetDisplayName(), o.GetOrganisationDisplayName(), dutch.Enum(o.GetAgeBand()), wait, o.GetName()})
	}
	return table(c.out, []string{"AANBOD", "ORGANISATIE", "LEEFTIJD", "WACHTTIJD", "NAAM"}, rows)
}

// attendance records who came: the positions of the participants present.
func (c *client) attendance(ctx context.Context, args []string) error {
	var present listFlag
	name, requestID, err := c.caseFlags("attendance", args, func(fs *flag.FlagSet) {
		fs.Var(&present, "present", "de plaats van een deelnemer die er was, vanaf 0 in de volgorde van convene (herhaal)")
	})
	if err != nil {
		return err
	}
	req := &rotsv1.RecordAttendanceRequest{RequestId: requestID}
	for _, p := range present {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return usagef("-present %q: geef een getal, vanaf 0", p)
		}
		req.Present = append(req.Present, int32(n))
	}
	req.Name = name
	resp, err := c.tables.RecordAttendance(ctx, req)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(resp)
	}
	var rows [][]string
	for i, p := range resp.GetParticipants() {
		there := "nee"
		if i < len(resp.GetPresent()) && resp.GetPresent()[i] {
			there = "ja"
		}
		who := dutch.Enum(p.GetKind())
		if org := join(", ", p.GetOrganisation(), p.GetName()); org != "" {
			who += ": " + org
		}
		rows = append(rows, []string{strconv.Itoa(i), there, who, p.GetRole()})
	}
	return table(c.out, []string{"#", "AANWEZIG", "DEELNEMER", "ROL"}, rows)
}

// gap records an offer the table needed and the region lacks.
func (c *client) gap(ctx context.Context, args []string) error {
	var theme, band, needed string
	var weeks int
	name, requestID, err := c.caseFlags("gap", args, func(fs *flag.FlagSet) {
		fs.StringVar(&theme, "theme", "", "het thema: "+choices(rotsv1.Theme(0).Descriptor()))
		fs.StringVar(&band, "age", "", "under-12 (jonger dan 12) of twelve-and-over (12 en ouder)")
		fs.StringVar(&needed, "needed", "", "wat nodig was, in een paar woorden")
		fs.IntVar(&weeks, "waiting-weeks", 0, "de wachttijd van het dichtstbije aanbod in weken; 0 als er geen is")
	})
	if err != nil {
		return err
	}
	th, err1 := parseEnum(rotsv1.Theme(0).Descriptor(), "theme", theme)
	ab, err2 := parseEnum(rotsv1.AgeBand(0).Descriptor(), "age", band, "ALL")
	if err := errors.Join(err1, err2); err != nil {
		return usageErr(err)
	}
	resp, err := c.tables.RecordGap(ctx, &rotsv1.RecordGapRequest{RequestId: requestID, Name: name, Gap: &rotsv1.Gap{
		Theme: rotsv1.Theme(th), AgeBand: rotsv1.AgeBand(ab), Needed: needed, WaitingWeeks: int32(weeks),
	}})
	if err != nil {
		return err
	}
	g := resp.GetGap()
	if c.json {
		return c.printJSON(g)
	}
	wait := "geen aanbod"
	if g.GetWaitingWeeks() > 0 {
		wait = fmt.Sprintf("%d weken wachten", g.GetWaitingWeeks())
	}
	_, err = fmt.Fprintf(c.out, "Hiaat vastgelegd: %s, %s, %s: %s\n", dutch.Enum(g.GetTheme()), dutch.Enum(g.GetAgeBand()), wait, g.GetNeeded())
	return err
}
