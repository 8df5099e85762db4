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

func TestRegionName(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{regionName(rotsv1.Region_REGION_OOST_VLAANDEREN), "Oost-Vlaanderen"},
		{regionName(rotsv1.Region_REGION_UNSPECIFIED), "Vlaanderen"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if got := strings.Join(regionSlugs(), ","); got != "antwerpen,brussel,limburg,oost-vlaanderen,vlaams-brabant,west-vlaanderen" {
		t.Errorf("regionSlugs = %s", got)
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
