package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func policyName(region string) string { return "regions/" + region + "/escalationPolicy" }

// policy shows a region's escalation policy, or changes the fields given as
// flags and keeps the others.
func (c *client) policy(ctx context.Context, args []string) error {
	if len(args) < 2 || (args[0] != "get" && args[0] != "set") {
		return errors.New("usage: rotsctl policy get <region> | rotsctl policy set <region> [-intake-days N ...]")
	}
	resp, err := c.admin.GetEscalationPolicy(ctx, &rotsv1.GetEscalationPolicyRequest{Name: policyName(args[1])})
	if err != nil {
		return err
	}
	p := resp.GetPolicy()
	if args[0] == "get" {
		return c.print(p)
	}
	fs := flag.NewFlagSet("policy set", flag.ContinueOnError)
	requestID := fs.String("request-id", newRequestID(), "idempotency key")
	ints := []struct {
		name  string
		field *int32
	}{
		{"intake-days", &p.IntakeDays}, {"answer-days", &p.AnswerDays}, {"auto-withdraw-days", &p.AutoWithdrawDays},
		{"consult-days", &p.ConsultDays}, {"table-date-days", &p.TableDateDays}, {"table-outcome-days", &p.TableOutcomeDays},
		{"agreement-grace-days", &p.AgreementGraceDays}, {"review-days", &p.ReviewDays}, {"offer-months", &p.OfferMonths}, {"retention-months", &p.RetentionMonths},
		{"rung-interval-days", &p.RungIntervalDays},
	}
	values := make([]int, len(ints))
	for i, f := range ints {
		fs.IntVar(&values[i], f.name, int(*f.field), "working days (months for offer-months)")
	}
	skip := fs.Bool("skip-school-holidays", p.SkipSchoolHolidays, "skip Flemish school holidays for table and review deadlines")
	tandem := fs.String("tandem", strings.Join(p.TandemEmails, ","), "tandem e-mail addresses, comma-separated")
	manager := fs.String("manager", strings.Join(p.ManagerEmails, ","), "manager e-mail addresses, comma-separated")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	for i, f := range ints {
		*f.field = int32(values[i])
	}
	p.SkipSchoolHolidays, p.TandemEmails, p.ManagerEmails = *skip, splitList(*tandem), splitList(*manager)
	updated, err := c.admin.UpdateEscalationPolicy(ctx, &rotsv1.UpdateEscalationPolicyRequest{RequestId: *requestID, Policy: p})
	if err != nil {
		return err
	}
	return c.print(updated.GetPolicy())
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

// inbox lists a recipient's notifications.
func (c *client) inbox(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("inbox", flag.ContinueOnError)
	unread := fs.Bool("unread", false, "only unread notifications")
	full := fs.Bool("full", false, "show each notification's text")
	var rest []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		rest, args = args[:1], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if rest = append(rest, fs.Args()...); len(rest) != 1 {
		return errors.New("usage: rotsctl inbox <e-mail address> [-unread] [-full]")
	}
	resp, err := c.notifications.ListNotifications(ctx, &rotsv1.ListNotificationsRequest{Recipient: rest[0], UnreadOnly: *unread, PageSize: 50})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tWHEN\tREAD\tMAILED\tSUBJECT")
	for _, n := range resp.GetNotifications() {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%t\t%s\n", n.GetName(), n.GetCreateTime().AsTime().Local().Format("2006-01-02 15:04:05"),
			n.GetReadTime() != nil, n.GetMailTime() != nil, n.GetSubject())
		if *full {
			fmt.Fprintf(tw, "\t%s\n", strings.ReplaceAll(strings.TrimSpace(n.GetBody()), "\n", "\n\t"))
		}
	}
	return tw.Flush()
}

// read marks a notification read.
func (c *client) read(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: rotsctl read notifications/<id>")
	}
	name := args[0]
	if !strings.HasPrefix(name, "notifications/") {
		name = "notifications/" + name
	}
	resp, err := c.notifications.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{RequestId: newRequestID(), Name: name})
	if err != nil {
		return err
	}
	return c.print(resp.GetNotification())
}

// export prints everything held about a case.
func (c *client) export(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: rotsctl export <case>")
	}
	resp, err := c.cases.ExportCase(ctx, &rotsv1.ExportCaseRequest{Name: caseName(args[0])})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.out, resp.GetJson())
	return err
}

// audit lists the access log by case or by actor.
func (c *client) audit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	caseArg := fs.String("case", "", "only this case")
	actor := fs.String("actor", "", "only this user")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := &rotsv1.ListAccessLogRequest{Actor: *actor, PageSize: 100}
	if *caseArg != "" {
		req.Case = caseName(*caseArg)
	}
	resp, err := c.audits.ListAccessLog(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tWHEN\tWHO\tROLE\tCASE\tACTION\tPURPOSE")
	for _, e := range resp.GetEntries() {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.GetSequence(), e.GetAccessTime().AsTime().Local().Format("2006-01-02 15:04:05"),
			e.GetActor(), e.GetRole(), e.GetCase(), e.GetAction(), e.GetPurpose())
	}
	return tw.Flush()
}

// consent records that the young person or the parents withdrew consent.
func (c *client) consent(ctx context.Context, args []string) error {
	var by, note string
	name, requestID, err := caseCommand("consent", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "young-person or parents")
		fs.StringVar(&note, "note", "", "how it was told (optional)")
	})
	if err != nil {
		return err
	}
	v, err := enumValue(rotsv1.ConsentBy_value, "CONSENT_BY_", "by", by)
	if err != nil {
		return err
	}
	resp, err := c.cases.WithdrawConsent(ctx, &rotsv1.WithdrawConsentRequest{RequestId: requestID, Name: name, By: rotsv1.ConsentBy(v), Note: note})
	return c.printCase(resp.GetCase(), err)
}
