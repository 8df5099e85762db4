package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
)

// testLadder runs against the real Temporal server with a policy of one
// second per working day: a case left alone climbs the ladder while the
// mail server is down; the mails arrive once it is back; a decision stops
// the climb.
func (s *stack) testLadder(t *testing.T) {
	ctx := s.as(auth.Admin, "vlaanderen", "")
	policy, err := s.admin.UpdateEscalationPolicy(ctx, &rotsv1.UpdateEscalationPolicyRequest{
		RequestId: uuid.NewString(),
		Policy: &rotsv1.EscalationPolicy{
			Name: "regions/brussel/escalationPolicy", IntakeDays: 2, AnswerDays: 10, AutoWithdrawDays: 20, ConsultDays: 10,
			TableDateDays: 15, TableOutcomeDays: 2, AgreementGraceDays: 5, ReviewDays: 30, OfferMonths: 3, RungIntervalDays: 2, RetentionMonths: 24,
			TandemEmails: []string{"tandem@rots-brussel.be"}, ManagerEmails: []string{"manager@rots-brussel.be"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if policy.GetPolicy().GetIntakeDays() != 2 || policy.GetPolicy().GetUpdateTime() == nil {
		t.Fatalf("updated policy = %v", policy.GetPolicy())
	}
	// Seconds instead of working days: not settable over the API.
	p, _, err := s.db.GetPolicy(context.Background(), "BRUSSEL")
	if err != nil {
		t.Fatal(err)
	}
	p.DayLength = time.Second
	if err := s.db.PutPolicy(context.Background(), "BRUSSEL", uuid.NewString(), p, "test", time.Now()); err != nil {
		t.Fatal(err)
	}

	brussel := s.as(auth.Coordinator, "brussel", "")
	s.mail.down()
	req := submitRequest("CLB ladder")
	req.Region = rotsv1.Region_REGION_BRUSSEL
	c := must(t)(s.cases.SubmitCase(s.as(auth.Submitter, "brussel", "CLB ladder"), req))
	c = s.waitFor(t, "brussel", c.GetName(), "rung 2", func(c *rotsv1.Case) bool { return c.GetRung() >= 2 })

	for _, f := range []*rotsv1.ListCasesRequest{
		{Region: rotsv1.Region_REGION_BRUSSEL, OverdueOnly: true},
		{Region: rotsv1.Region_REGION_BRUSSEL, MinRung: 2},
	} {
		list, err := s.cases.ListCases(brussel, f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(list.GetCases(), func(x *rotsv1.Case) bool { return x.GetName() == c.GetName() }) {
			t.Errorf("ListCases(%v) does not list the overdue case", f)
		}
	}
	s.mail.up(t)

	c = must(t)(s.cases.DecideIntake(brussel, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	if c.GetRung() != 0 || len(c.GetDeadlines()) == 0 || c.GetDeadlines()[0].GetKind() != "consult" {
		t.Errorf("after a decision: rung %d, deadlines %v; want rung 0 and a consult deadline", c.GetRung(), c.GetDeadlines())
	}
	events, err := s.cases.ListCaseEvents(brussel, &rotsv1.ListCaseEventsRequest{Parent: c.GetName(), PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events.GetEvents() {
		kinds = append(kinds, e.GetKind())
	}
	if !slices.Contains(kinds, "escalation.rung1") || !slices.Contains(kinds, "escalation.rung2") {
		t.Errorf("timeline %v lacks the escalations", kinds)
	}
	must(t)(s.cases.WithdrawCase(s.as(auth.Submitter, "brussel", "CLB ladder"), &rotsv1.WithdrawCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: "Opgelost"}))

	tandem := s.asEmail(auth.Coordinator, "brussel", "", "tandem@rots-brussel.be")
	inbox, err := s.inbox.ListNotifications(tandem, &rotsv1.ListNotificationsRequest{Recipient: "tandem@rots-brussel.be"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range inbox.GetNotifications() {
		got = append(got, n.GetKind())
		if !strings.Contains(n.GetSubject(), "[ROTS Brussel]") {
			t.Errorf("subject %q", n.GetSubject())
		}
	}
	for _, want := range []string{"stage", "rung1", "rung2"} {
		if !slices.Contains(got, want) {
			t.Errorf("tandem inbox %v lacks %s", got, want)
		}
	}
	first := inbox.GetNotifications()[len(inbox.GetNotifications())-1]
	read, err := s.inbox.MarkNotificationRead(tandem, &rotsv1.MarkNotificationReadRequest{RequestId: uuid.NewString(), Name: first.GetName()})
	if err != nil || read.GetNotification().GetReadTime() == nil {
		t.Errorf("mark read: %v, %v", read.GetNotification().GetReadTime(), err)
	}
	unread, err := s.inbox.ListNotifications(tandem, &rotsv1.ListNotificationsRequest{Recipient: "tandem@rots-brussel.be", UnreadOnly: true})
	if err != nil || len(unread.GetNotifications()) == 0 ||
		slices.ContainsFunc(unread.GetNotifications(), func(n *rotsv1.Notification) bool { return n.GetName() == first.GetName() }) {
		t.Errorf("unread after marking %s read: %v, err %v", first.GetName(), unread.GetNotifications(), err)
	}
}

// waitFor waits until cond holds of the case, as the tandem of its region
// sees it, for at most 30 seconds.
func (s *stack) waitFor(t *testing.T, region, name, what string, cond func(*rotsv1.Case) bool) *rotsv1.Case {
	t.Helper()
	var c *rotsv1.Case
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		c = must(t)(s.cases.GetCase(s.as(auth.Coordinator, region, ""), &rotsv1.GetCaseRequest{Name: name}))
		return cond(c), fmt.Sprintf("case %s: no %s (rung %d)", name, what, c.GetRung())
	})
	return c
}

// checkMails waits until every notification's mail is sent, then checks that
// the mail server received exactly one mail per notification, to its
// recipient, with no personal data.
// anonymisedCaseOf reports whether the case a mail names ("cases/{id}") was
// anonymised.
func anonymisedCaseOf(t *testing.T, conn *pgx.Conn, body string) bool {
	t.Helper()
	i := strings.Index(body, "cases/")
	if i < 0 || len(body) < i+len("cases/")+36 {
		return false
	}
	var anonymised bool
	err := conn.QueryRow(context.Background(), `SELECT anonymised_at IS NOT NULL FROM cases WHERE id::text = $1`,
		body[i+len("cases/"):i+len("cases/")+36]).Scan(&anonymised)
	return err == nil && anonymised
}

func (s *stack) checkMails(t *testing.T) {
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	want := map[string]string{} // message ID → recipient
	eventually.Until(t, 60*time.Second, func() (bool, string) {
		rows, err := conn.Query(context.Background(), `SELECT id, recipient, mail_sent_at IS NOT NULL FROM notifications`)
		if err != nil {
			t.Fatal(err)
		}
		unsent := 0
		clear(want)
		for rows.Next() {
			var id int64
			var to string
			var sent bool
			if err := rows.Scan(&id, &to, &sent); err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprintf("notification-%d@rots", id)] = to
			if !sent {
				unsent++
			}
		}
		return unsent == 0, fmt.Sprintf("%d of %d notifications still unsent", unsent, len(want))
	})
	got := map[string]int{}
	for _, m := range s.mail.received() {
		got[m.MessageID]++
		if _, kept := want[m.MessageID]; !kept && anonymisedCaseOf(t, conn, m.Body) {
			continue // retention removed the notification with the case's data
		}
		if want[m.MessageID] != m.To {
			t.Errorf("mail %s to %s, want to %q", m.MessageID, m.To, want[m.MessageID])
		}
		for _, secret := range []string{alias, school, municipality, blocked, contactName} {
			if strings.Contains(m.Body, secret) || strings.Contains(m.Subject, secret) {
				t.Errorf("mail %s carries personal data %q", m.MessageID, secret)
			}
		}
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("notification %s: %d mails, want exactly 1", id, got[id])
		}
	}
	if len(want) < 10 {
		t.Errorf("only %d notifications in the whole run", len(want))
	}
}
