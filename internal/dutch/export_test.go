package dutch

import "testing"

func TestExportLabel(t *testing.T) {
	for path, want := range map[string]string{
		"exported_at":                           "Opgevraagd op",
		"case":                                  "Het dossier",
		"case.young_person.alias":               "Roepnaam of alias van de jongere",
		"case.agreements[2].owner_organisation": "Organisatie die de afspraak uitvoert",
		"case.deadlines[0].due_time":            "Uiterlijk",
		"case.submit_time":                      "Aangemeld op",
		"events[3].event_time":                  "Wanneer",
		"access_log[0].actor":                   "Door",
		"notifications[1].mail_sent_time":       "Gemaild op",
		"case.something_new":                    "something new",
		"case.young_person.something_new":       "something new",
	} {
		if got := ExportLabel(path); got != want {
			t.Errorf("ExportLabel(%s) = %q, want %q", path, got, want)
		}
	}
}
