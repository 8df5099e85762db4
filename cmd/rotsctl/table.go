package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// convene invites the table: partners as "organisation|name|email|role",
// the young person and their context by role.
func (c *client) convene(ctx context.Context, args []string) error {
	var partners, roles listFlag
	name, requestID, err := caseCommand("convene", args, func(fs *flag.FlagSet) {
		fs.Var(&partners, "partner", `a partner "organisation|name|email|role" (repeat)`)
		fs.Var(&roles, "context", `the young person or their context by role: "young-person", "parents|moeder", "context|grootvader" (repeat)`)
	})
	if err != nil {
		return err
	}
	req := &rotsv1.ConveneTableRequest{RequestId: requestID, Name: name}
	for _, p := range partners {
		f := strings.Split(p, "|")
		if len(f) != 4 {
			return fmt.Errorf("-partner %q: must be \"organisation|name|email|role\"", p)
		}
		req.Participants = append(req.Participants, &rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: f[0], Name: f[1], Email: f[2], Role: f[3]})
	}
	for _, r := range roles {
		k, role, _ := strings.Cut(r, "|")
		v, err := enumValue(rotsv1.ParticipantKind_value, "PARTICIPANT_KIND_", "context", k)
		if err != nil {
			return err
		}
		req.Participants = append(req.Participants, &rotsv1.Participant{Kind: rotsv1.ParticipantKind(v), Role: role})
	}
	resp, err := c.tables.ConveneTable(ctx, req)
	return c.printCase(resp.GetCase(), err)
}

// schedule sets or moves the table's meeting.
func (c *client) schedule(ctx context.Context, args []string) error {
	var at, location, reason string
	var minutes int
	name, requestID, err := caseCommand("schedule", args, func(fs *flag.FlagSet) {
		fs.StringVar(&at, "at", "", "start, Brussels time: 2027-01-12 14:00")
		fs.IntVar(&minutes, "minutes", 90, "duration")
		fs.StringVar(&location, "location", "", "place or online link")
		fs.StringVar(&reason, "reason", "", "why the meeting moves (when it moves)")
	})
	if err != nil {
		return err
	}
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return err
	}
	start, err := time.ParseInLocation("2006-01-02 15:04", at, brussels)
	if err != nil {
		return fmt.Errorf("-at %q: must be like 2027-01-12 14:00", at)
	}
	resp, err := c.tables.ScheduleTableMeeting(ctx, &rotsv1.ScheduleTableMeetingRequest{
		RequestId: requestID, Name: name, StartTime: timestamppb.New(start), DurationMinutes: int32(minutes), Location: location, Reason: reason,
	})
	return c.printCase(resp.GetCase(), err)
}

// reconvene brings a case in follow-up back to the table.
func (c *client) reconvene(ctx context.Context, args []string) error {
	var reason string
	name, requestID, err := caseCommand("reconvene", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why the table meets again")
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
	name, requestID, err := caseCommand("agreement", args, func(fs *flag.FlagSet) {
		fs.IntVar(&index, "index", 0, "which agreement, from 0")
		fs.StringVar(&status, "status", "", "open, in-progress, done or blocked")
		fs.StringVar(&reason, "reason", "", "why it is blocked")
	})
	if err != nil {
		return err
	}
	v, err := enumValue(rotsv1.AgreementStatus_value, "AGREEMENT_STATUS_", "status", status)
	if err != nil {
		return err
	}
	resp, err := c.tables.UpdateAgreement(ctx, &rotsv1.UpdateAgreementRequest{
		RequestId: requestID, Name: name, Index: int32(index), Status: rotsv1.AgreementStatus(v), BlockedReason: reason,
	})
	return c.printCase(resp.GetCase(), err)
}

// offers searches the partner directory (sociale kaart).
func (c *client) offers(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("offers", flag.ContinueOnError)
	region := fs.String("region", "", "only organisations serving this region")
	theme := fs.String("theme", "", "only offers for this theme")
	band := fs.String("age", "", "under-12 or twelve-and-over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := &rotsv1.SearchOffersRequest{Query: strings.Join(fs.Args(), " "), PageSize: 50}
	if *region != "" {
		v, err := enumValue(rotsv1.Region_value, "REGION_", "region", *region)
		if err != nil {
			return err
		}
		req.Region = rotsv1.Region(v)
	}
	if *theme != "" {
		v, err := enumValue(rotsv1.Theme_value, "THEME_", "theme", *theme)
		if err != nil {
			return err
		}
		req.Themes = []rotsv1.Theme{rotsv1.Theme(v)}
	}
	if *band != "" {
		v, err := enumValue(rotsv1.AgeBand_value, "AGE_BAND_", "age", *band)
		if err != nil {
			return err
		}
		req.AgeBand = rotsv1.AgeBand(v)
	}
	resp, err := c.directory.SearchOffers(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFER\tORGANISATION\tAGE\tWAIT (WEEKS)\tNAME")
	for _, o := range resp.GetOffers() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", o.GetName(), o.GetOrganisationDisplayName(),
			strings.TrimPrefix(o.GetAgeBand().String(), "AGE_BAND_"), o.GetWaitingWeeks(), o.GetDisplayName())
	}
	return tw.Flush()
}

// attendance records who came: the positions of the participants present.
func (c *client) attendance(ctx context.Context, args []string) error {
	var present listFlag
	name, requestID, err := caseCommand("attendance", args, func(fs *flag.FlagSet) {
		fs.Var(&present, "present", "position of a participant who came, from 0 (repeat)")
	})
	if err != nil {
		return err
	}
	req := &rotsv1.RecordAttendanceRequest{RequestId: requestID, Name: name}
	for _, p := range present {
		var n int32
		if _, err := fmt.Sscan(p, &n); err != nil {
			return fmt.Errorf("-present %q: must be a number", p)
		}
		req.Present = append(req.Present, n)
	}
	resp, err := c.tables.RecordAttendance(ctx, req)
	if err != nil {
		return err
	}
	for i, p := range resp.GetParticipants() {
		fmt.Fprintf(c.out, "%d  %-5t  %s %s %s\n", i, resp.GetPresent()[i], strings.TrimPrefix(p.GetKind().String(), "PARTICIPANT_KIND_"), p.GetOrganisation(), p.GetRole())
	}
	return nil
}

// gap records an offer the table needed and the region lacks.
func (c *client) gap(ctx context.Context, args []string) error {
	var theme, band, needed string
	var weeks int
	name, requestID, err := caseCommand("gap", args, func(fs *flag.FlagSet) {
		fs.StringVar(&theme, "theme", "", "the theme, e.g. mental-health")
		fs.StringVar(&band, "age", "", "under-12 or twelve-and-over")
		fs.StringVar(&needed, "needed", "", "what was needed, in a few words")
		fs.IntVar(&weeks, "waiting-weeks", 0, "waiting time of the nearest offer; 0 when there is none")
	})
	if err != nil {
		return err
	}
	th, err := enumValue(rotsv1.Theme_value, "THEME_", "theme", theme)
	if err != nil {
		return err
	}
	ab, err := enumValue(rotsv1.AgeBand_value, "AGE_BAND_", "age", band)
	if err != nil {
		return err
	}
	resp, err := c.tables.RecordGap(ctx, &rotsv1.RecordGapRequest{RequestId: requestID, Name: name, Gap: &rotsv1.Gap{
		Theme: rotsv1.Theme(th), AgeBand: rotsv1.AgeBand(ab), Needed: needed, WaitingWeeks: int32(weeks),
	}})
	if err != nil {
		return err
	}
	return c.print(resp.GetGap())
}
