package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
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
	for i, l := range lines {
		lines[i] = fold(l)
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// fold breaks a content line longer than 75 octets into lines of at most
// 75, each continued by a space (RFC 5545, 3.1), never inside a character.
func fold(line string) string {
	var b strings.Builder
	n := 0
	for _, r := range line {
		size := utf8.RuneLen(r)
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	return b.String()
}

// escapeText escapes an iCalendar TEXT value.
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}
