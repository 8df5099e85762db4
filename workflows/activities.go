package workflows

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/notify"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Activities carries the dependencies of the case workflow's activities.
type Activities struct {
	DB *store.DB
	// Mailer sends notification mails; nil sends none (the inbox still
	// has them).
	Mailer *notify.Mailer
	// DayLength, when set, shortens every working day of every policy (see
	// escalation.Policy.DayLength); for trying the ladder out.
	DayLength time.Duration
	// WebBaseURL is where the web application is reached; the mails link
	// to the case's page there.
	WebBaseURL string
	// Observer, when set, is told of escalations and failed mails (the
	// metrics).
	Observer Observer
}

// Observer is told what the activities did, with no case's or person's
// data: an activity counts it, not the workflow, which replays.
type Observer interface {
	// Escalated is a deadline of kind that climbed to rung.
	Escalated(kind string, rung int)
	// MailFailed is an attempt to send a mail that failed.
	MailFailed()
}

// ProjectTransition writes a stage change and its event to PostgreSQL. It is
// idempotent, so Temporal may retry it freely.
func (a *Activities) ProjectTransition(ctx context.Context, t store.Transition) error {
	return a.DB.ApplyTransition(ctx, t)
}

// AttendanceInput says who came to a case's table.
type AttendanceInput struct {
	CaseID  string
	Present []int
}

// RecordAttendance marks who came to the table; it is idempotent.
func (a *Activities) RecordAttendance(ctx context.Context, in AttendanceInput) error {
	return a.DB.RecordAttendance(ctx, in.CaseID, in.Present)
}

// GapInput is a gap to record, once per request ID.
type GapInput struct {
	Gap       store.Gap
	RequestID string
}

// RecordGap records a gap in the regional offer; a retry records nothing
// twice.
func (a *Activities) RecordGap(ctx context.Context, in GapInput) error {
	_, err := a.DB.RecordGap(ctx, in.RequestID, in.Gap)
	return err
}

// LoadPolicy returns the region's escalation policy.
func (a *Activities) LoadPolicy(ctx context.Context, region string) (escalation.Policy, error) {
	p, _, err := a.DB.GetPolicy(ctx, region)
	if a.DayLength > 0 {
		p.DayLength = a.DayLength
	}
	return p, err
}

// NotifyInput says what to notify whom about.
type NotifyInput struct {
	CaseID   string
	Region   string
	Stage    string
	Kind     string
	Key      string // unique per notification event of the case
	Deadline escalation.Deadline
	Audience []string
	// Recipients are addresses notified directly, besides the audience.
	Recipients []string
	// Meeting, when set, goes along as an invitation (.ics).
	Meeting *vocab.Meeting
	At      time.Time
}

// Notify writes one notification per recipient to the inbox and returns the
// IDs whose mail is still to be sent (none when no mail server is set up).
// Recipients are the case's contact person for the submitter, and the
// region policy's addresses for the tandem and the manager.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) ([]int64, error) {
	policy, _, err := a.DB.GetPolicy(ctx, in.Region)
	if err != nil {
		return nil, err
	}
	c, err := a.DB.GetCase(ctx, in.CaseID)
	if err != nil {
		return nil, err
	}
	var ns []store.Notification
	seen := map[string]bool{}
	for _, audience := range in.Audience {
		var recipients []string
		switch audience {
		case escalation.Submitter:
			recipients = []string{c.ContactEmail}
		case escalation.Tandem:
			recipients = orFallback(policy.TandemEmails, "tandem", in.Region)
		case escalation.Manager:
			recipients = orFallback(policy.ManagerEmails, "manager", in.Region)
		}
		subject, body := notify.Compose(notify.Event{
			CaseID: in.CaseID, Reference: c.Reference, Region: in.Region, Stage: in.Stage, Kind: in.Kind, Deadline: in.Deadline, Audience: audience,
			Link: notify.CaseLink(a.WebBaseURL, in.CaseID),
		})
		for _, r := range recipients {
			if seen[r] {
				continue
			}
			seen[r] = true
			ns = append(ns, store.Notification{
				CaseID: in.CaseID, Key: in.Key, Recipient: r, Kind: in.Kind, Subject: subject, Body: body, CreatedAt: in.At,
			})
		}
	}
	if len(in.Recipients) > 0 {
		var meeting *notify.Meeting
		if m := in.Meeting; m != nil && m.At != nil {
			meeting = &notify.Meeting{At: *m.At, Minutes: m.Minutes, Location: m.Location, Sequence: m.Sequence, Round: m.Round}
		}
		subject, body := notify.Compose(notify.Event{CaseID: in.CaseID, Reference: c.Reference, Region: in.Region, Stage: in.Stage, Kind: in.Kind, Meeting: meeting,
			Link: notify.CaseLink(a.WebBaseURL, in.CaseID)})
		for _, r := range in.Recipients {
			if seen[r] {
				continue
			}
			seen[r] = true
			n := store.Notification{CaseID: in.CaseID, Key: in.Key, Recipient: r, Kind: in.Kind, Subject: subject, Body: body, CreatedAt: in.At}
			if meeting != nil {
				n.Attachment = notify.Invitation(in.CaseID, c.Reference, *meeting, r, in.At)
			}
			ns = append(ns, n)
		}
	}
	ids, err := a.DB.AddNotifications(ctx, ns)
	if err != nil {
		return nil, err
	}
	a.countEscalation(in)
	if a.Mailer == nil {
		return nil, nil
	}
	return ids, nil
}

// countEscalation tells the observer of a notification that a deadline
// passed: kind "rung<n>" (see caseWorkflow.fire), or "warning", the
// reminder of an unanswered question. A retried Notify counts again.
func (a *Activities) countEscalation(in NotifyInput) {
	switch {
	case a.Observer == nil:
	case in.Kind == "warning":
		a.Observer.Escalated(escalation.KindAnswer, escalation.RungReminder)
	case strings.HasPrefix(in.Kind, "rung"):
		a.Observer.Escalated(in.Deadline.Kind, in.Deadline.Rung)
	}
}

// orFallback is the region's configured addresses, or a placeholder inbox
// such as tandem.limburg@rots.local while an admin has set none.
func orFallback(emails []string, role, region string) []string {
	if len(emails) > 0 {
		return emails
	}
	return []string{role + "." + strings.ToLower(strings.ReplaceAll(region, "_", "-")) + "@rots.local"}
}

// SendMail sends a notification's mail once: a notification already sent is
// skipped, and a permanent refusal by the mail server is not retried.
func (a *Activities) SendMail(ctx context.Context, id int64) error {
	n, err := a.DB.GetNotification(ctx, id)
	if err != nil {
		return err
	}
	if n.MailSentAt != nil || a.Mailer == nil {
		return nil
	}
	err = a.Mailer.Send(ctx, notify.Message{
		To: n.Recipient, Subject: n.Subject, Body: n.Body, ID: fmt.Sprintf("notification-%d@rots", n.ID), Invitation: n.Attachment,
	})
	if err != nil && a.Observer != nil {
		a.Observer.MailFailed()
	}
	var smtpErr *textproto.Error
	if errors.As(err, &smtpErr) && smtpErr.Code >= 500 {
		return temporal.NewNonRetryableApplicationError("mail refused", "MailRefused", err)
	}
	if err != nil {
		return err
	}
	return a.DB.MarkMailSent(ctx, id, time.Now())
}

// Anonymise removes the case's personal data from PostgreSQL at the end of
// its retention period.
func (a *Activities) Anonymise(ctx context.Context, caseID string) error {
	return a.DB.Anonymise(ctx, caseID, time.Now())
}
