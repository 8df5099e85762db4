// Package escalation holds a region's escalation policy and the ladder's
// arithmetic: when a deadline falls, who is told on which rung. It is pure
// and deterministic, so the case workflow uses it directly.
//
// It imports only internal/calendar.
package escalation

import (
	"fmt"
	"net/mail"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// Deadline kinds.
const (
	KindIntake    = "intake"    // intake decision after submission
	KindAnswer    = "answer"    // submitter answers a question
	KindWithdraw  = "withdraw"  // case withdrawn when the answer stays out
	KindConsult   = "consult"   // consult held after acceptance
	KindTable     = "table"     // table held and its outcome recorded
	KindReview    = "review"    // review after advice or a table
	KindOffer     = "offer"     // a suitable offer in place after submission
	KindOutcome   = "outcome"   // table outcome recorded after the meeting
	KindAgreement = "agreement" // an agreement done by its due date
)

// Rungs of the ladder.
const (
	RungReminder     = 1
	RungTandem       = 2
	RungManager      = 3
	RungBreakthrough = 4
)

// Audiences of a notification.
const (
	Submitter = "submitter"
	Tandem    = "tandem"
	Manager   = "manager"
)

// Policy is a region's escalation policy. Durations are working days unless
// the name says otherwise.
type Policy struct {
	IntakeDays         int
	AnswerDays         int
	AutoWithdrawDays   int
	ConsultDays        int
	TableDateDays      int
	TableOutcomeDays   int
	AgreementGraceDays int
	ReviewDays         int
	OfferMonths        int
	RetentionMonths    int
	RungIntervalDays   int
	SkipSchoolHolidays bool
	TandemEmails       []string
	ManagerEmails      []string
	// DayLength, when set, makes every working day this long, counted from
	// the moment instead of on the calendar: for trying the ladder out
	// (rotsd dev -deadline-day 10s) and for end-to-end tests. A month is
	// 20 such days.
	DayLength time.Duration `json:",omitempty"`
}

// Default is the policy of a region whose admin has not changed it
// (DESIGN.md, "Escalation").
func Default() Policy {
	return Policy{
		IntakeDays: 5, AnswerDays: 10, AutoWithdrawDays: 20, ConsultDays: 10,
		TableDateDays: 15, TableOutcomeDays: 2, AgreementGraceDays: 5, ReviewDays: 30,
		OfferMonths: 3, RungIntervalDays: 5, RetentionMonths: 24,
	}
}

// Problem is one invalid field of a policy.
type Problem struct {
	Field, Message string
}

// Validate lists every problem with the policy.
func (p Policy) Validate() []Problem {
	var problems []Problem
	days := []struct {
		field    string
		v, max   int
		optional bool
	}{
		{"intake_days", p.IntakeDays, 60, false},
		{"answer_days", p.AnswerDays, 60, false},
		{"auto_withdraw_days", p.AutoWithdrawDays, 120, false},
		{"consult_days", p.ConsultDays, 60, false},
		{"table_date_days", p.TableDateDays, 60, false},
		{"table_outcome_days", p.TableOutcomeDays, 30, false},
		{"agreement_grace_days", p.AgreementGraceDays, 60, false},
		{"review_days", p.ReviewDays, 120, false},
		{"rung_interval_days", p.RungIntervalDays, 30, false},
		{"offer_months", p.OfferMonths, 12, false},
		{"retention_months", p.RetentionMonths, 120, false},
	}
	for _, d := range days {
		if d.v < 1 || d.v > d.max {
			problems = append(problems, Problem{d.field, fmt.Sprintf("must be 1 to %d, got %d", d.max, d.v)})
		}
	}
	for _, list := range []struct {
		field  string
		emails []string
	}{{"tandem_emails", p.TandemEmails}, {"manager_emails", p.ManagerEmails}} {
		if len(list.emails) > 10 {
			problems = append(problems, Problem{list.field, fmt.Sprintf("at most 10 addresses, got %d", len(list.emails))})
		}
		for i, e := range list.emails {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				problems = append(problems, Problem{fmt.Sprintf("%s[%d]", list.field, i), fmt.Sprintf("%q is not a plain e-mail address", e)})
			}
		}
	}
	return problems
}

// Deadline is one running deadline: when it falls (or, once passed, when
// the next rung falls) and how many rungs it has climbed.
type Deadline struct {
	Kind string
	Due  time.Time
	Rung int
	// Agreement is the agreement's position, for KindAgreement.
	Agreement int `json:",omitempty"`
}

// calendar is the working-day calendar for a kind of deadline: those that
// need a school skip school holidays when the policy says so.
func (p Policy) calendar(kind string) calendar.Calendar {
	needsSchool := kind == KindTable || kind == KindReview
	return calendar.Calendar{SkipSchoolHolidays: p.SkipSchoolHolidays && needsSchool}
}

func (p Policy) addDays(kind string, t time.Time, days int) time.Time {
	if p.DayLength > 0 {
		return t.Add(time.Duration(days) * p.DayLength)
	}
	return p.calendar(kind).AddWorkingDays(t, days)
}

// Start is the deadline of the given kind that starts at t.
func (p Policy) Start(kind string, t time.Time) Deadline {
	if kind == KindOffer && p.DayLength > 0 {
		return Deadline{Kind: kind, Due: t.Add(time.Duration(20*p.OfferMonths) * p.DayLength)}
	}
	if kind == KindOffer {
		return Deadline{Kind: kind, Due: calendar.EndOfDay(t.In(calendar.Brussels).AddDate(0, p.OfferMonths, 0))}
	}
	days := map[string]int{
		KindIntake: p.IntakeDays, KindAnswer: p.AnswerDays, KindWithdraw: p.AutoWithdrawDays,
		KindConsult: p.ConsultDays, KindTable: p.TableDateDays, KindReview: p.ReviewDays,
		KindOutcome: p.TableOutcomeDays,
	}[kind]
	return Deadline{Kind: kind, Due: p.addDays(kind, t, days)}
}

// RetentionEnd is when a case closed at t is anonymised.
func (p Policy) RetentionEnd(closed time.Time) time.Time {
	if p.DayLength > 0 {
		return closed.Add(time.Duration(20*p.RetentionMonths) * p.DayLength)
	}
	return calendar.EndOfDay(closed.In(calendar.Brussels).AddDate(0, p.RetentionMonths, 0))
}

// Climb is what happens when deadline d passes: the rung it reaches, who is
// told, and the deadline that follows (ok false when the ladder ends).
//
//   - A missed answer reminds the submitter and warns that the case will be
//     withdrawn; the withdraw deadline follows.
//   - A missed offer deadline goes to rung 3 at once.
//   - Otherwise one rung up: 1 reminds whoever must act, 2 the tandem,
//     3 the regional manager, 4 is the breakthrough; the next rung falls
//     RungIntervalDays later.
func (p Policy) Climb(d Deadline) (rung int, audience []string, next Deadline, ok bool) {
	// The next step counts from the deadline's own day, not the day after.
	from := d.Due.Add(-time.Nanosecond)
	if p.DayLength > 0 {
		from = d.Due
	}
	rung = d.Rung + 1
	if d.Kind == KindOffer && rung < RungManager {
		rung = RungManager
	}
	switch {
	case d.Kind == KindAnswer:
		next = p.Start(KindWithdraw, from)
		next.Rung = RungReminder
		return RungReminder, []string{Submitter}, next, true
	case rung == RungReminder:
		audience = []string{Tandem}
	case rung == RungTandem:
		audience = []string{Tandem}
	default:
		audience = []string{Manager, Tandem}
	}
	if rung >= RungBreakthrough {
		return RungBreakthrough, audience, Deadline{}, false
	}
	interval := p.RungIntervalDays
	if d.Kind == KindAgreement && rung == RungReminder {
		interval = p.AgreementGraceDays // then the tandem
	}
	next = Deadline{Kind: d.Kind, Rung: rung, Agreement: d.Agreement, Due: p.addDays("", from, interval)}
	return rung, audience, next, true
}
