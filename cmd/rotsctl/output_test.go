package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"submitTime": "submit_time", "CaseID": "case_id", "MailSentAt": "mail_sent_at", "ID": "id", "At": "at",
		"PrevHash": "prev_hash", "youngPersonAndParentsInformed": "young_person_and_parents_informed",
		"p90Days": "p90_days", "access_log": "access_log", "exported_at": "exported_at", "name": "name",
		"HTTPServer": "http_server",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// export is the shape of the server's ExportCase document: its own keys in
// snake_case, the case in protojson's lowerCamelCase and the rest in Go
// field names.
const export = `{
  "exported_at": "2026-12-01T10:00:00Z",
  "case": {"name":"cases/x","youngPerson":{"alias":"J.","birthYear":2012},"submitTime":"2026-12-01T09:00:00Z","tried":["a","b <c> & d"]},
  "events": [{"ID": 1, "CaseID": "x", "FromStage": "", "ToStage": "SUBMITTED", "At": "2026-12-01T09:00:00Z", "Summary": null}],
  "notifications": [{"ID": 7, "MailSentAt": null, "ReadAt": "2026-12-02T08:00:00Z", "Attachment": ""}],
  "access_log": [{"ID": 3, "PrevHash": "AAE=", "Hash": "AQI=", "CaseID": "x", "At": "2026-12-01T09:00:01.123456789Z"}],
  "big": 12345678901234567890
}`

func TestExportInOneKeyStyle(t *testing.T) {
	out, err := snakeCaseKeys([]byte(export))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{`"exported_at"`, `"young_person"`, `"birth_year": 2012`, `"submit_time"`, `"case_id": "x"`,
		`"from_stage": ""`, `"to_stage"`, `"mail_sent_at": null`, `"read_at"`, `"prev_hash": "AAE="`, `"access_log"`,
		`"b <c> & d"`, `"big": 12345678901234567890`, `"summary": null`} {
		if !strings.Contains(s, want) {
			t.Errorf("export lacks %s:\n%s", want, s)
		}
	}
	for _, bad := range []string{`"youngPerson"`, `"CaseID"`, `"MailSentAt"`, `"ID"`, `"At"`} {
		if strings.Contains(s, bad) {
			t.Errorf("export still has %s", bad)
		}
	}
	// The same values, in the same order.
	var before, after map[string]any
	json.Unmarshal([]byte(export), &before)
	json.Unmarshal(out, &after)
	if len(before) != len(after) {
		t.Errorf("keys: %d before, %d after", len(before), len(after))
	}
	if i, j := strings.Index(s, `"exported_at"`), strings.Index(s, `"access_log"`); i > j {
		t.Error("the order of keys changed")
	}
	if _, err := snakeCaseKeys([]byte(`{"a":1} {"b":2}`)); err == nil {
		t.Error("two documents accepted")
	}
}

func TestJSONIsSnakeCase(t *testing.T) {
	cs := &rotsv1.Case{Name: "cases/x", Reference: "ROTS-1A2B3C4D", Stage: rotsv1.Stage_STAGE_INTAKE,
		YoungPerson: &rotsv1.YoungPerson{Alias: "J.", BirthYear: 2012}, SubmitTime: timestamppb.New(utc("2026-12-01T09:00:00Z"))}
	b, err := marshalJSON(cs)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "name": "cases/x",
  "stage": "STAGE_INTAKE",
  "young_person": {
    "alias": "J.",
    "birth_year": 2012
  },
  "submit_time": "2026-12-01T09:00:00Z",
  "reference": "ROTS-1A2B3C4D"
}
`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", b, want)
	}
	var w bytes.Buffer
	if err := jsonObject(&w, "case", cs, "events", messages([]*rotsv1.CaseEvent{{Kind: "submitted", ToStage: rotsv1.Stage_STAGE_SUBMITTED}})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), `"to_stage": "STAGE_SUBMITTED"`) || !strings.HasPrefix(w.String(), "{\n  \"case\": {") {
		t.Errorf("show -json:\n%s", w.String())
	}
}

var timeline = []*rotsv1.CaseEvent{
	{Kind: "submitted", ToStage: rotsv1.Stage_STAGE_SUBMITTED, Actor: "An Peeters", Summary: "Aangemeld door Vrij CLB Limburg",
		EventTime: timestamppb.New(utc("2026-12-15T13:03:00Z"))},
	{Kind: "intake.started", FromStage: rotsv1.Stage_STAGE_SUBMITTED, ToStage: rotsv1.Stage_STAGE_INTAKE, Actor: "systeem",
		Summary: "Wacht op de intakebeslissing van de tandem", EventTime: timestamppb.New(utc("2026-12-15T13:03:01Z"))},
	{Kind: "escalation.rung1", FromStage: rotsv1.Stage_STAGE_INTAKE, ToStage: rotsv1.Stage_STAGE_INTAKE, Actor: "systeem",
		Summary: "Termijn voor de intakebeslissing verstreken (intake): trede 1", EventTime: timestamppb.New(utc("2026-12-22T23:00:00Z"))},
}

// redacted is the timeline as a manager or a partner gets it: no actor, no
// summary.
func redacted() []*rotsv1.CaseEvent {
	var out []*rotsv1.CaseEvent
	for _, e := range timeline {
		out = append(out, &rotsv1.CaseEvent{Kind: e.Kind, FromStage: e.FromStage, ToStage: e.ToStage, EventTime: e.EventTime})
	}
	return out
}

func TestTimeline(t *testing.T) {
	var w bytes.Buffer
	if err := writeTimeline(&w, timeline); err != nil {
		t.Fatal(err)
	}
	want := `  WANNEER               FASE                WAT                                                            DOOR
  di 15 dec 2026 14:03  aangemeld           Aangemeld door Vrij CLB Limburg                                An Peeters
  di 15 dec 2026 14:03  aangemeld → intake  Wacht op de intakebeslissing van de tandem                     systeem
  wo 23 dec 2026 00:00                      Termijn voor de intakebeslissing verstreken (intake): trede 1  systeem
`
	if w.String() != want {
		t.Errorf("timeline:\n%s\nwant\n%s", w.String(), want)
	}

	w.Reset()
	if err := writeTimeline(&w, redacted()); err != nil {
		t.Fatal(err)
	}
	want = `  WANNEER               FASE                WAT
  di 15 dec 2026 14:03  aangemeld           Aangemeld
  di 15 dec 2026 14:03  aangemeld → intake  Wacht op de intakebeslissing van de tandem
  wo 23 dec 2026 00:00                      Termijn verstreken: trede 1 (herinnering)
`
	if w.String() != want {
		t.Errorf("redacted timeline:\n%s\nwant\n%s", w.String(), want)
	}
	for _, bad := range []string{"UNSPECIFIED", ": \n", "DOOR", "STAGE_"} {
		if strings.Contains(w.String(), bad) {
			t.Errorf("redacted timeline has %q", bad)
		}
	}
}

func TestCaseList(t *testing.T) {
	resp := &rotsv1.ListCasesResponse{Cases: []*rotsv1.Case{
		{Name: "cases/a", Reference: "ROTS-1A2B3C4D", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_INTAKE, Rung: 2,
			YoungPerson: &rotsv1.YoungPerson{Alias: "J."}, SubmittingOrganisation: &rotsv1.Organisation{Name: "Vrij CLB Limburg"},
			SubmitTime: timestamppb.New(utc("2026-12-15T13:03:00Z"))},
		{Name: "cases/b", Reference: "ROTS-99999999", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_CONSULT, Breakthrough: true,
			YoungPerson: &rotsv1.YoungPerson{Alias: "Noor"}, SubmittingOrganisation: &rotsv1.Organisation{Name: "Vrij CLB Limburg"},
			SubmitTime: timestamppb.New(utc("2026-07-01T08:00:00Z"))},
	}, NextPageToken: "tok"}
	var w bytes.Buffer
	if err := writeCaseList(&w, resp); err != nil {
		t.Fatal(err)
	}
	want := `REFERENTIE     JONGERE  REGIO    FASE     TREDE    DOORBRAAK  AANMELDER         AANGEMELD
ROTS-1A2B3C4D  J.       Limburg  intake   trede 2  –          Vrij CLB Limburg  di 15 dec 2026 14:03
ROTS-99999999  Noor     Limburg  consult  –        ja         Vrij CLB Limburg  wo 1 jul 2026 10:00
Meer dossiers: dezelfde opdracht met -page-token tok
`
	if w.String() != want {
		t.Errorf("list:\n%s\nwant\n%s", w.String(), want)
	}
	// A manager's list has no names: those columns go, the others stay.
	for _, c := range resp.Cases {
		c.YoungPerson, c.SubmittingOrganisation = nil, nil
	}
	w.Reset()
	writeCaseList(&w, resp)
	if head := strings.SplitN(w.String(), "\n", 2)[0]; head != "REFERENTIE     REGIO    FASE     TREDE    DOORBRAAK  AANGEMELD" {
		t.Errorf("manager's list header: %q", head)
	}
}

func TestCaseCardLeavesOutWhatAViewHides(t *testing.T) {
	cs := &rotsv1.Case{Name: "cases/a", Reference: "ROTS-1A2B3C4D", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_INTAKE,
		SubmittingOrganisation: &rotsv1.Organisation{Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		YoungPerson:            &rotsv1.YoungPerson{BirthYear: 2012, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR},
		Themes:                 []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme_THEME_MENTAL_HEALTH},
		Deadlines:              []*rotsv1.Deadline{{Kind: "intake", DueTime: timestamppb.New(utc("2026-12-15T23:00:00Z")), Rung: 1}}}
	var w bytes.Buffer
	if err := writeCase(&w, cs); err != nil {
		t.Fatal(err)
	}
	want := `Dossier    ROTS-1A2B3C4D (cases/a)
Regio      Limburg
Fase       intake
Aanmelder  CLB
Jongere    geboren 2012
School     secundair onderwijs
Thema's    afwezigheid/thuiszitten, psychisch welzijn
Termijnen  intakebeslissing: di 15 dec 2026, trede 1 (herinnering); dan de volgende trede
`
	if w.String() != want {
		t.Errorf("card:\n%s\nwant\n%s", w.String(), want)
	}
}
