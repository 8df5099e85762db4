package escalation

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

func at(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.Brussels)
}

func TestDefaultIsValid(t *testing.T) {
	if problems := Default().Validate(); len(problems) != 0 {
		t.Errorf("default policy: %v", problems)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Policy)
		want   []string
	}{
		{"zero days", func(p *Policy) { p.IntakeDays = 0 }, []string{"intake_days"}},
		{"negative", func(p *Policy) { p.ReviewDays = -3 }, []string{"review_days"}},
		{"too long", func(p *Policy) { p.ConsultDays, p.OfferMonths = 61, 13 }, []string{"consult_days", "offer_months"}},
		{"bad addresses", func(p *Policy) {
			p.TandemEmails = []string{"ok@x.be", "Tandem <t@x.be>"}
			p.ManagerEmails = []string{"nope"}
		},
			[]string{"tandem_emails[1]", "manager_emails[0]"}},
		{"too many addresses", func(p *Policy) { p.TandemEmails = slices.Repeat([]string{"a@x.be"}, 11) }, []string{"tandem_emails"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Default()
			tt.change(&p)
			var got []string
			for _, problem := range p.Validate() {
				got = append(got, problem.Field)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStart(t *testing.T) {
	p := Default()
	schools := Default()
	schools.SkipSchoolHolidays = true
	tests := []struct {
		name   string
		policy Policy
		kind   string
		from   time.Time
		want   time.Time
	}{
		{"intake over Easter 2027", p, KindIntake, at(2027, 3, 26, 10), at(2027, 4, 6, 0)},
		{"consult", p, KindConsult, at(2027, 1, 14, 15), at(2027, 1, 29, 0)},
		// Only the deadlines that need a school skip school holidays.
		// Paasvakantie 29 March to 11 April 2027: 15 working days from 12 April.
		{"table in the Easter holidays", schools, KindTable, at(2027, 3, 26, 10), at(2027, 5, 1, 0)},
		{"consult ignores school holidays", schools, KindConsult, at(2027, 3, 26, 10), at(2027, 4, 13, 0)},
		{"offer: three calendar months", p, KindOffer, at(2027, 1, 4, 9), at(2027, 4, 5, 0)},
		{"short days", Policy{IntakeDays: 5, DayLength: time.Second}, KindIntake, at(2027, 1, 4, 9), at(2027, 1, 4, 9).Add(5 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.Start(tt.kind, tt.from)
			if got.Kind != tt.kind || !got.Due.Equal(tt.want) || got.Rung != 0 {
				t.Errorf("Start(%s, %s) = %+v, want due %s", tt.kind, tt.from, got, tt.want)
			}
		})
	}
}

func TestClimb(t *testing.T) {
	p := Default()
	due := at(2027, 4, 6, 0) // end of Monday 5 April 2027
	type step struct {
		Rung     int
		Audience []string
		Next     Deadline
		OK       bool
	}
	climb := func(d Deadline) step {
		r, a, n, ok := p.Climb(d)
		return step{r, a, n, ok}
	}
	tests := []struct {
		name string
		d    Deadline
		want step
	}{
		{"rung 1 reminds the tandem", Deadline{Kind: KindIntake, Due: due, Rung: 0},
			step{1, []string{Tandem}, Deadline{Kind: KindIntake, Due: at(2027, 4, 13, 0), Rung: 1}, true}},
		{"rung 2 the tandem", Deadline{Kind: KindIntake, Due: at(2027, 4, 13, 0), Rung: 1},
			step{2, []string{Tandem}, Deadline{Kind: KindIntake, Due: at(2027, 4, 20, 0), Rung: 2}, true}},
		{"rung 3 the manager", Deadline{Kind: KindIntake, Due: at(2027, 4, 20, 0), Rung: 2},
			step{3, []string{Manager, Tandem}, Deadline{Kind: KindIntake, Due: at(2027, 4, 27, 0), Rung: 3}, true}},
		{"rung 4 ends the ladder", Deadline{Kind: KindIntake, Due: at(2027, 4, 27, 0), Rung: 3},
			step{4, []string{Manager, Tandem}, Deadline{}, false}},
		{"the offer goes to rung 3 at once", Deadline{Kind: KindOffer, Due: due, Rung: 0},
			step{3, []string{Manager, Tandem}, Deadline{Kind: KindOffer, Due: at(2027, 4, 13, 0), Rung: 3}, true}},
		// Answer due end of Monday 20 September 2027: withdrawn twenty
		// working days later, end of Monday 18 October.
		{"a missed answer warns the submitter", Deadline{Kind: KindAnswer, Due: at(2027, 9, 21, 0), Rung: 0},
			step{1, []string{Submitter}, Deadline{Kind: KindWithdraw, Due: at(2027, 10, 19, 0), Rung: 1}, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, climb(tt.d), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("Climb (-want +got):\n%s", diff)
			}
		})
	}
}
