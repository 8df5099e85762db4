package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/notify"
	"unicode/utf8"
)

// property returns the value of the first content line named name.
func property(t *testing.T, ics, name string) string {
	t.Helper()
	for line := range strings.SplitSeq(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("no %s in\n%s", name, ics)
	return ""
}

func TestInvitation(t *testing.T) {
	stamp := time.Date(2026, 12, 1, 10, 45, 30, 0, time.UTC)
	m := notify.Meeting{At: at(2027, 1, 12, 14, 0), Minutes: 90, Location: "CLB Genk", Sequence: 1}
	ics := notify.Invitation(caseID, reference, m, "bram.peeters@arktos.example", stamp)

	// RFC 5545 3.1: every content line ends in CRLF, the last one too.
	if !strings.HasSuffix(ics, "\r\n") || strings.Count(ics, "\n") != strings.Count(ics, "\r\n") || strings.Count(ics, "\r") != strings.Count(ics, "\r\n") {
		t.Errorf("not CRLF lines:\n%q", ics)
	}
	lines := strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n")
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("first and last lines %q, %q", lines[0], lines[len(lines)-1])
	}
	for _, want := range []string{"VERSION:2.0", "METHOD:REQUEST", "BEGIN:VEVENT", "END:VEVENT", "STATUS:CONFIRMED"} {
		if !strings.Contains(ics, "\r\n"+want+"\r\n") {
			t.Errorf("no line %s", want)
		}
	}
	// Times in UTC (14:00 in Brussels in January is 13:00 UTC), and the case
	// by its reference only.
	for name, want := range map[string]string{
		"DTSTART":  "20270112T130000Z",
		"DTEND":    "20270112T143000Z",
		"DTSTAMP":  "20261201T104530Z",
		"SEQUENCE": "0",
		"SUMMARY":  "Overlegtafel " + reference,
		"LOCATION": "CLB Genk",
		"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE": "mailto:bram.peeters@arktos.example",
		"ORGANIZER;CN=ROTS":                       "mailto:rots@rots.local",
	} {
		if got := property(t, ics, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// Each version of one round's meeting updates the same event: the same
// UID, SEQUENCE counting from 0. A reconvened table's meeting is another
// event, and so is another case's.
func TestInvitationVersions(t *testing.T) {
	stamp := time.Now()
	ics := func(id string, round, sequence int) string {
		m := notify.Meeting{At: at(2027, 2, 3, 9, 30), Minutes: 60, Location: "Online", Sequence: sequence, Round: round}
		return notify.Invitation(id, reference, m, "an@vclb-limburg.be", stamp)
	}
	first, moved, again := ics(caseID, 0, 1), ics(caseID, 0, 2), ics(caseID, 0, 3)
	uid := property(t, first, "UID")
	if !strings.Contains(uid, caseID) || !strings.HasSuffix(uid, "@rots") {
		t.Errorf("UID %q", uid)
	}
	for i, v := range []string{first, moved, again} {
		if got := property(t, v, "UID"); got != uid {
			t.Errorf("version %d: UID %q, want %q as the first", i+1, got, uid)
		}
		if got, want := property(t, v, "SEQUENCE"), []string{"0", "1", "2"}[i]; got != want {
			t.Errorf("version %d: SEQUENCE %s, want %s", i+1, got, want)
		}
	}
	if other := property(t, ics(caseID, 1, 1), "UID"); other == uid {
		t.Errorf("a reconvened table's meeting has the first round's UID %q", uid)
	}
	if other := property(t, ics("5b0c7c38-1d8a-4bde-9a0e-2d2f5c1a7e11", 0, 1), "UID"); other == uid {
		t.Errorf("another case's meeting has UID %q too", uid)
	}
}

// A location is TEXT (RFC 5545 3.3.11): backslash, semicolon, comma and
// line breaks are escaped, so it stays one property on one line.
func TestInvitationEscapesLocation(t *testing.T) {
	m := notify.Meeting{At: at(2027, 2, 3, 9, 30), Minutes: 60, Sequence: 1,
		Location: "CLB Genk; zaal 2, Stalenstraat 32\\A\nachteraan links\r\nbel aan"}
	ics := notify.Invitation(caseID, reference, m, "an@vclb-limburg.be", time.Now())
	want := `CLB Genk\; zaal 2\, Stalenstraat 32\\A\nachteraan links\nbel aan`
	if got := property(t, ics, "LOCATION"); got != want {
		t.Errorf("LOCATION = %q, want %q", got, want)
	}
	if n := strings.Count(ics, "\r\n"); n != 17 {
		t.Errorf("%d lines, want 17: the location must not add any", n)
	}
}

// Long lines are folded at 75 octets, never inside a character, and unfold
// to the line they were.
func TestInvitationFoldsLongLines(t *testing.T) {
	location := "Centrum voor Leerlingenbegeleiding, Gebouw Zuid, lokaal 2.14 — ingang via de Kerkstraat, Genk é"
	ics := notify.Invitation("0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21", "ROTS-1A2B3C4D",
		notify.Meeting{At: time.Date(2027, 1, 12, 13, 0, 0, 0, time.UTC), Minutes: 90, Location: location, Sequence: 1},
		"a.very.long.address.of.a.partner@organisation-with-a-long-name.example.be", time.Now())
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("folded inside a character: %q", line)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, "LOCATION:"+strings.NewReplacer(",", `\,`).Replace(location)+"\r\n") {
		t.Errorf("the location does not unfold to what it was:\n%s", unfolded)
	}
}
