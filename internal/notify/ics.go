package notify

import (
	"fmt"
	"strings"
	"time"
)

// Invitation is an iCalendar (RFC 5545) request for a table's meeting, for
// one attendee. Every version of one table's meeting has the same UID and a
// higher SEQUENCE, so that calendars move the event instead of adding one.
// It names the case by reference only.
func Invitation(caseID, reference string, m Meeting, attendee string, stamp time.Time) string {
	const layout = "20060102T150405Z"
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//ROTS roundtable//NL",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		fmt.Sprintf("UID:table-%s-%d@rots", caseID, m.Round),
		fmt.Sprintf("SEQUENCE:%d", m.Sequence-1),
		"DTSTAMP:" + stamp.UTC().Format(layout),
		"DTSTART:" + m.At.UTC().Format(layout),
		"DTEND:" + m.At.Add(time.Duration(m.Minutes)*time.Minute).UTC().Format(layout),
		"SUMMARY:" + escapeText("Overlegtafel "+reference),
		"LOCATION:" + escapeText(m.Location),
		"ORGANIZER;CN=ROTS:mailto:rots@rots.local",
		"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:" + attendee,
		"STATUS:CONFIRMED",
		"END:VEVENT",
		"END:VCALENDAR",
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// escapeText escapes an iCalendar TEXT value.
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}
