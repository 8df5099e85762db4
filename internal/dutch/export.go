package dutch

import "strings"

// exportLabels name the keys of a case's export (ExportCase's JSON) that
// are not request fields, by path with each index as "[]".
var exportLabels = map[string]string{
	"exported_at":   "Opgevraagd op",
	"case":          "Het dossier",
	"events":        "Tijdlijn",
	"events[]":      "Gebeurtenis",
	"notifications": "Berichten",
	"access_log":    "Toegangslog",

	"case.name":                  "Naam in de API",
	"case.submit_time":           "Aangemeld op",
	"case.update_time":           "Laatst bijgewerkt",
	"case.open_question":         "Open vraag aan de aanmelder",
	"case.closure_reason":        "Reden van afsluiten",
	"case.closure_note":          "Opmerking bij het afsluiten",
	"case.close_time":            "Afgesloten op",
	"case.rung":                  "Trede van de escalatieladder",
	"case.breakthrough":          "Doorbraak",
	"case.deadlines":             "Termijnen",
	"case.deadlines[].kind":      "Wat",
	"case.deadlines[].due_time":  "Uiterlijk",
	"case.deadlines[].rung":      "Trede",
	"case.consent_withdraw_time": "Toestemming ingetrokken op",
	"case.meeting_time":          "Overlegtafel op",
	"case.meeting_location":      "Plaats van de overlegtafel",
	"case.invited_organisations": "Uitgenodigde organisaties",
	"case.consult_experts":       "Geraadpleegde experten",
	"case.offers_used":           "Gebruikt aanbod uit de sociale kaart",

	"kind":           "Soort",
	"from_stage":     "Van fase",
	"to_stage":       "Naar fase",
	"actor":          "Door",
	"summary":        "Wat",
	"event_time":     "Wanneer",
	"recipient":      "Aan",
	"subject":        "Onderwerp",
	"body":           "Tekst",
	"create_time":    "Gemaakt op",
	"read_time":      "Gelezen op",
	"mail_sent_time": "Gemaild op",
	"attachment":     "Bijlage",
	"sequence":       "Volgnummer",
	"access_time":    "Wanneer",
	"role":           "Rol",
	"action":         "Wat",
	"purpose":        "Waarom",
	"hash":           "Hash",
}

// ExportLabel names a key of a case's export by its path
// ("case.young_person.alias", "access_log[].actor"): its own label, else
// the request field's label of the same path within the case, else the
// label of its last key; a key without any is its name with spaces, so
// that a new field still shows.
func ExportLabel(path string) string {
	path = index.ReplaceAllString(path, "[]")
	if l, ok := exportLabels[path]; ok {
		return l
	}
	if inCase, ok := strings.CutPrefix(path, "case."); ok {
		if l := Field(inCase); l != inCase {
			return l
		}
	}
	last := path[strings.LastIndexAny(path, ".]")+1:]
	if l, ok := exportLabels[last]; ok {
		return l
	}
	if l := Field(last); l != last {
		return l
	}
	return strings.ReplaceAll(last, "_", " ")
}
