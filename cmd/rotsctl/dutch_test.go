package main

import (
	"strings"
	"testing"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDatesInBrussels(t *testing.T) {
	// Whatever the machine's zone, dates are Brussels dates.
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("elsewhere", -7*3600)

	for _, tc := range []struct {
		at                 string
		day, moment, dueTo string
	}{
		// Winter time, UTC+1: the example of the issue, a deadline at the
		// end of Tuesday 15 December.
		{"2026-12-15T23:00:00Z", "wo 16 dec 2026", "wo 16 dec 2026 00:00", "di 15 dec 2026"},
		{"2026-12-15T13:03:00Z", "di 15 dec 2026", "di 15 dec 2026 14:03", "di 15 dec 2026 14:03"},
		// Summer time, UTC+2.
		{"2026-07-01T12:00:00Z", "wo 1 jul 2026", "wo 1 jul 2026 14:00", "wo 1 jul 2026 14:00"},
		{"2026-06-30T22:00:00Z", "wo 1 jul 2026", "wo 1 jul 2026 00:00", "di 30 jun 2026"},
		// The night the clocks go forward (28 March 2027, 02:00 → 03:00)
		// and back (31 October 2027, 03:00 → 02:00).
		{"2027-03-28T00:30:00Z", "zo 28 mrt 2027", "zo 28 mrt 2027 01:30", "zo 28 mrt 2027 01:30"},
		{"2027-03-28T01:30:00Z", "zo 28 mrt 2027", "zo 28 mrt 2027 03:30", "zo 28 mrt 2027 03:30"},
		{"2027-10-31T00:30:00Z", "zo 31 okt 2027", "zo 31 okt 2027 02:30", "zo 31 okt 2027 02:30"},
		{"2027-10-31T01:30:00Z", "zo 31 okt 2027", "zo 31 okt 2027 02:30", "zo 31 okt 2027 02:30"},
		// Midnight after the clocks went forward is 22:00 UTC, not 23:00.
		{"2027-03-28T22:00:00Z", "ma 29 mrt 2027", "ma 29 mrt 2027 00:00", "zo 28 mrt 2027"},
		{"2027-03-28T23:00:00Z", "ma 29 mrt 2027", "ma 29 mrt 2027 01:00", "ma 29 mrt 2027 01:00"},
		// New Year's Eve in Brussels is still the old year in UTC.
		{"2026-12-31T23:30:00Z", "vr 1 jan 2027", "vr 1 jan 2027 00:30", "vr 1 jan 2027 00:30"},
	} {
		at := utc(tc.at)
		if got := day(at); got != tc.day {
			t.Errorf("day(%s) = %q, want %q", tc.at, got, tc.day)
		}
		if got := moment(at); got != tc.moment {
			t.Errorf("moment(%s) = %q, want %q", tc.at, got, tc.moment)
		}
		if got := dueDay(at); got != tc.dueTo {
			t.Errorf("dueDay(%s) = %q, want %q", tc.at, got, tc.dueTo)
		}
	}
}

func TestEveryWeekdayAndMonth(t *testing.T) {
	// 4 January 2027 is a Monday.
	want := []string{"ma 4 jan 2027", "di 5 jan 2027", "wo 6 jan 2027", "do 7 jan 2027", "vr 8 jan 2027", "za 9 jan 2027", "zo 10 jan 2027"}
	for i, w := range want {
		if got := day(time.Date(2027, 1, 4+i, 12, 0, 0, 0, brussels)); got != w {
			t.Errorf("day = %q, want %q", got, w)
		}
	}
	var months []string
	for m := 1; m <= 12; m++ {
		months = append(months, monthLabel(time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")))
	}
	if got := strings.Join(months, ","); got != "jan 2026,feb 2026,mrt 2026,apr 2026,mei 2026,jun 2026,jul 2026,aug 2026,sep 2026,okt 2026,nov 2026,dec 2026" {
		t.Errorf("months = %s", got)
	}
	if got := monthLabel("UNKNOWN"); got != "UNKNOWN" {
		t.Errorf("monthLabel(UNKNOWN) = %q", got)
	}
	if got := birth(2012, 5); got != "mei 2012" {
		t.Errorf("birth = %q", got)
	}
	if got := birth(2012, 0); got != "2012" {
		t.Errorf("birth without month = %q", got)
	}
}

func TestDutchNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{nl(rotsv1.Stage_STAGE_SUBMITTED), "aangemeld"},
		{nl(rotsv1.Stage_STAGE_NEEDS_INFO), "vraag aan aanmelder"},
		{nl(rotsv1.Stage_STAGE_TABLE), "overlegtafel"},
		{nl(rotsv1.Stage_STAGE_FOLLOW_UP), "opvolging"},
		{nl(rotsv1.Stage_STAGE_CLOSED), "afgesloten"},
		{nl(rotsv1.Stage_STAGE_UNSPECIFIED), ""},
		{nl(rotsv1.Theme_THEME_ABSENCE), "afwezigheid/thuiszitten"},
		{nl(rotsv1.Theme_THEME_MENTAL_HEALTH), "psychisch welzijn"},
		{nl(rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL), "terug naar school"},
		{nl(rotsv1.Region_REGION_OOST_VLAANDEREN), "Oost-Vlaanderen"},
		{regionName(rotsv1.Region_REGION_UNSPECIFIED), "Vlaanderen"},
		{nl(rotsv1.Stage(42)), "42"},
		{rung(0), ""},
		{rung(2), "trede 2 (tandem)"},
		{rung(4), "trede 4 (doorbraak)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// Every value of the enums people read has a Dutch name.
	for name, n := range rotsv1.Stage_value {
		if n != 0 && dutchNames["rots.v1.Stage"][strings.TrimPrefix(name, "STAGE_")] == "" {
			t.Errorf("no Dutch name for %s", name)
		}
	}
	for name, n := range rotsv1.Theme_value {
		if n != 0 && dutchNames["rots.v1.Theme"][strings.TrimPrefix(name, "THEME_")] == "" {
			t.Errorf("no Dutch name for %s", name)
		}
	}
	for name, n := range rotsv1.ClosureReason_value {
		if n != 0 && dutchNames["rots.v1.ClosureReason"][strings.TrimPrefix(name, "CLOSURE_REASON_")] == "" {
			t.Errorf("no Dutch name for %s", name)
		}
	}
}

func TestParseEnumKeepsTheFlagValues(t *testing.T) {
	// The values scripts use stay as they were.
	theme := rotsv1.Theme(0).Descriptor()
	if v, err := parseEnum(theme, "theme", "mental-health"); err != nil || rotsv1.Theme(v) != rotsv1.Theme_THEME_MENTAL_HEALTH {
		t.Errorf("-theme mental-health = %v, %v", v, err)
	}
	if v, err := parseEnum(theme, "theme", "NO_FITTING_SCHOOL_EXTERNAL_OFFER"); err != nil || rotsv1.Theme(v) != rotsv1.Theme_THEME_NO_FITTING_SCHOOL_EXTERNAL_OFFER {
		t.Errorf("-theme NO_FITTING… = %v, %v", v, err)
	}
	reason := rotsv1.ClosureReason(0).Descriptor()
	if v, err := parseEnum(reason, "reason", "back-at-school", "DECLINED", "WITHDRAWN"); err != nil || rotsv1.ClosureReason(v) != rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL {
		t.Errorf("-reason back-at-school = %v, %v", v, err)
	}
	if _, err := parseEnum(reason, "reason", "declined", "DECLINED", "WITHDRAWN"); err == nil {
		t.Error("-reason declined accepted, although CloseCase refuses it")
	}
	_, err := parseEnum(theme, "theme", "boredom")
	if err == nil {
		t.Fatal("-theme boredom accepted")
	}
	// The error names the flag and lists the values in the enum's order,
	// with their Dutch names.
	msg := err.Error()
	if !strings.HasPrefix(msg, `-theme "boredom": kies uit absence (afwezigheid/thuiszitten), mental-health (psychisch welzijn), behaviour`) {
		t.Errorf("error = %q", msg)
	}
	if _, err := parseEnum(theme, "theme", "unspecified"); err == nil {
		t.Error("-theme unspecified accepted")
	}
	if got := choices(rotsv1.Stage(0).Descriptor()); !strings.HasPrefix(got, "submitted (aangemeld), intake, needs-info (vraag aan aanmelder), consult, table (overlegtafel), follow-up (opvolging)") {
		t.Errorf("choices(Stage) = %q", got)
	}
}

func TestTimelineSentences(t *testing.T) {
	first := &rotsv1.CaseEvent{Kind: "submitted", ToStage: rotsv1.Stage_STAGE_SUBMITTED}
	if got := stageChange(first); got != "aangemeld" {
		t.Errorf("first event: %q, want aangemeld (no UNSPECIFIED →)", got)
	}
	move := &rotsv1.CaseEvent{Kind: "intake.accepted", FromStage: rotsv1.Stage_STAGE_INTAKE, ToStage: rotsv1.Stage_STAGE_CONSULT}
	if got := stageChange(move); got != "intake → consult" {
		t.Errorf("stageChange = %q", got)
	}
	stay := &rotsv1.CaseEvent{Kind: "table.scheduled", FromStage: rotsv1.Stage_STAGE_TABLE, ToStage: rotsv1.Stage_STAGE_TABLE}
	if got := stageChange(stay); got != "" {
		t.Errorf("stageChange without a change = %q", got)
	}
	for kind, want := range map[string]string{
		"submitted": "Aangemeld", "intake.accepted": "Intake aanvaard", "escalation.rung2": "Termijn verstreken: trede 2 (tandem)",
		"escalation.rung4": "Termijn verstreken: trede 4 (doorbraak)", "something.new": "something.new",
	} {
		if got := eventSentence(&rotsv1.CaseEvent{Kind: kind}); got != want {
			t.Errorf("eventSentence(%s) = %q, want %q", kind, got, want)
		}
	}
	if got := eventSentence(&rotsv1.CaseEvent{Kind: "question.answered", Summary: "Antwoord van de aanmelder:\nJa, sinds oktober"}); got != "Antwoord van de aanmelder: Ja, sinds oktober" {
		t.Errorf("a summary is one line: %q", got)
	}
}
