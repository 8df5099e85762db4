package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// caseCommand parses a command's flags and its one case argument, which may
// come before or after the flags.
func caseCommand(name string, args []string, define func(fs *flag.FlagSet)) (string, string, error) {
	c, requestID, _, err := resourceCommand(name, "cases", args, define)
	return c, requestID, err
}

// resourceCommand parses a command's flags and its one argument, a
// resource of the collection (e.g. cases) by name or bare id, which may
// come before or after the flags. It returns the resource's name, the
// request ID and the flags given.
func resourceCommand(command, collection string, args []string, define func(fs *flag.FlagSet)) (string, string, map[string]bool, error) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	requestID := fs.String("request-id", newRequestID(), "idempotency key; reuse it to retry safely")
	define(fs)
	var rest []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		rest, args = args[:1], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", "", nil, err
	}
	if rest = append(rest, fs.Args()...); len(rest) != 1 {
		return "", "", nil, fmt.Errorf("usage: rotsctl %s <%s> [flags]", command, strings.TrimSuffix(collection, "s"))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return resourceName(collection, rest[0]), *requestID, given, nil
}

func (c *client) submit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	var tried, themes listFlag
	requestID := fs.String("request-id", newRequestID(), "idempotency key; reuse it to retry safely")
	region := fs.String("region", "", "antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant or west-vlaanderen")
	org := fs.String("org", "", "submitting organisation")
	orgKind := fs.String("org-kind", "clb", "clb or youth-care")
	contact := fs.String("contact", "", "contact person's name")
	email := fs.String("email", "", "contact person's e-mail")
	phone := fs.String("phone", "", "contact person's phone (optional)")
	alias := fs.String("alias", "", "the young person's first name or initials")
	born := fs.String("born", "", "birth year and month, e.g. 2012-05")
	level := fs.String("level", "", "school level: kleuter, lager, secundair, buitengewoon-lager, buitengewoon-secundair, none")
	grade := fs.Int("grade", 0, "grade (leerjaar)")
	school := fs.String("school", "", "school")
	municipality := fs.String("municipality", "", "municipality")
	blocked := fs.String("blocked", "", "what is blocked")
	fs.Var(&tried, "tried", "a step tried already (repeat)")
	fs.Var(&themes, "theme", "absence, mental-health, behaviour, learning-delay, family-context, waiting-list-youth-care, no-fitting-school-external-offer, language, other (repeat)")
	attest := fs.Bool("attest", false, "attest that CLB and youth care are stuck and the young person and parents were told")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := &rotsv1.SubmitCaseRequest{
		RequestId:              *requestID,
		SubmittingOrganisation: &rotsv1.Organisation{Name: *org},
		Contact:                &rotsv1.ContactPerson{Name: *contact, Email: *email, Phone: *phone},
		YoungPerson:            &rotsv1.YoungPerson{Alias: *alias, Grade: int32(*grade), School: *school, Municipality: *municipality},
		Blocked:                *blocked,
		Tried:                  tried,
		Attestation:            &rotsv1.Attestation{ClbStuck: *attest, YouthCareStuck: *attest, YoungPersonAndParentsInformed: *attest},
	}
	var errs []error
	if *region != "" {
		v, err := enumValue(rotsv1.Region_value, "REGION_", "region", *region)
		errs = append(errs, err)
		req.Region = rotsv1.Region(v)
	}
	v, err := enumValue(rotsv1.OrganisationKind_value, "ORGANISATION_KIND_", "org-kind", *orgKind)
	errs = append(errs, err)
	req.SubmittingOrganisation.Kind = rotsv1.OrganisationKind(v)
	if *level != "" {
		v, err := enumValue(rotsv1.SchoolLevel_value, "SCHOOL_LEVEL_", "level", *level)
		errs = append(errs, err)
		req.YoungPerson.SchoolLevel = rotsv1.SchoolLevel(v)
	}
	if *born != "" {
		t, err := time.Parse("2006-01", *born)
		if err != nil {
			errs = append(errs, fmt.Errorf("-born %q: must be like 2012-05", *born))
		}
		req.YoungPerson.BirthYear, req.YoungPerson.BirthMonth = int32(t.Year()), int32(t.Month())
	}
	for _, th := range themes {
		v, err := enumValue(rotsv1.Theme_value, "THEME_", "theme", th)
		errs = append(errs, err)
		req.Themes = append(req.Themes, rotsv1.Theme(v))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	resp, err := c.cases.SubmitCase(ctx, req)
	return c.printCase(resp.GetCase(), err)
}

func (c *client) intake(ctx context.Context, args []string) error {
	var decision, question, reason, suggestion, note string
	name, requestID, err := caseCommand("intake", args, func(fs *flag.FlagSet) {
		fs.StringVar(&decision, "decision", "", "accept, ask or decline")
		fs.StringVar(&question, "question", "", "the question, with -decision ask")
		fs.StringVar(&reason, "reason", "", "why, with -decision decline")
		fs.StringVar(&suggestion, "suggest", "", "where to go instead, with -decision decline")
		fs.StringVar(&note, "note", "", "a note, with -decision accept")
	})
	if err != nil {
		return err
	}
	d := map[string]rotsv1.IntakeDecision{
		"accept": rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT, "ask": rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION,
		"decline": rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE,
	}[decision]
	if d == 0 {
		return fmt.Errorf("-decision %q: must be accept, ask or decline", decision)
	}
	resp, err := c.cases.DecideIntake(ctx, &rotsv1.DecideIntakeRequest{
		RequestId: requestID, Name: name, Decision: d, Question: question,
		DeclineReason: reason, ReferralSuggestion: suggestion, Note: note,
	})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) answer(ctx context.Context, args []string) error {
	var answer string
	name, requestID, err := caseCommand("answer", args, func(fs *flag.FlagSet) {
		fs.StringVar(&answer, "answer", "", "the answer to the open question")
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
	name, requestID, err := caseCommand("consult", args, func(fs *flag.FlagSet) {
		fs.StringVar(&advice, "advice", "", "the consult's advice")
		fs.StringVar(&decision, "decision", "", "advice-only or table")
		fs.Var(&experts, "expert", "an expert consulted: a directory name (organisations/…) or free text (repeat)")
		fs.StringVar(&date, "date", "", "when the consult was held, YYYY-MM-DD (default today)")
	})
	if err != nil {
		return err
	}
	d := map[string]rotsv1.ConsultDecision{
		"advice-only": rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY, "table": rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE,
	}[decision]
	if d == 0 {
		return fmt.Errorf("-decision %q: must be advice-only or table", decision)
	}
	resp, err := c.cases.RecordConsult(ctx, &rotsv1.RecordConsultRequest{RequestId: requestID, Name: name, Advice: advice, Decision: d, Experts: experts, ConsultDate: date})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) outcome(ctx context.Context, args []string) error {
	var offer string
	var agreements, used listFlag
	name, requestID, err := caseCommand("outcome", args, func(fs *flag.FlagSet) {
		fs.StringVar(&offer, "offer", "", "the tailored offer (aanbod op maat)")
		fs.Var(&agreements, "agreement", `an agreement "action|owning organisation|YYYY-MM-DD[|person]" (repeat)`)
		fs.Var(&used, "use-offer", "a directory offer the tailored offer uses, organisations/…/offers/… (repeat)")
	})
	if err != nil {
		return err
	}
	req := &rotsv1.RecordTableOutcomeRequest{RequestId: requestID, Name: name, Offer: offer, Offers: used}
	for _, a := range agreements {
		parts := strings.Split(a, "|")
		if len(parts) != 3 && len(parts) != 4 {
			return fmt.Errorf("-agreement %q: must be \"action|owning organisation|YYYY-MM-DD[|person]\"", a)
		}
		ag := &rotsv1.Agreement{Action: parts[0], OwnerOrganisation: parts[1], DueDate: parts[2]}
		if len(parts) == 4 {
			ag.Person = parts[3]
		}
		req.Agreements = append(req.Agreements, ag)
	}
	resp, err := c.cases.RecordTableOutcome(ctx, req)
	return c.printCase(resp.GetCase(), err)
}

func (c *client) close(ctx context.Context, args []string) error {
	var reason, note string
	name, requestID, err := caseCommand("close", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "back-at-school, alternative-trajectory, referred-itp, moved-out-of-region or other")
		fs.StringVar(&note, "note", "", "a note (required with other)")
	})
	if err != nil {
		return err
	}
	v, err := enumValue(rotsv1.ClosureReason_value, "CLOSURE_REASON_", "reason", reason)
	if err != nil {
		return err
	}
	resp, err := c.cases.CloseCase(ctx, &rotsv1.CloseCaseRequest{RequestId: requestID, Name: name, Reason: rotsv1.ClosureReason(v), Note: note})
	return c.printCase(resp.GetCase(), err)
}

func (c *client) withdraw(ctx context.Context, args []string) error {
	var reason string
	name, requestID, err := caseCommand("withdraw", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why the case is withdrawn")
	})
	if err != nil {
		return err
	}
	resp, err := c.cases.WithdrawCase(ctx, &rotsv1.WithdrawCaseRequest{RequestId: requestID, Name: name, Reason: reason})
	return c.printCase(resp.GetCase(), err)
}
