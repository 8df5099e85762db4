package dutch

// actions say what an RPC does to a case, as the access log shows it.
var actions = map[string]string{
	"SubmitCase":           "aangemeld",
	"GetCase":              "dossier bekeken",
	"ListCases":            "in een lijst van dossiers getoond",
	"ListCaseEvents":       "tijdlijn bekeken",
	"DecideIntake":         "intakebeslissing",
	"AnswerQuestion":       "vraag beantwoord",
	"RecordConsult":        "consult vastgelegd",
	"RecordTableOutcome":   "uitkomst van de overlegtafel vastgelegd",
	"CloseCase":            "afgesloten",
	"WithdrawCase":         "ingetrokken",
	"WithdrawConsent":      "intrekking van de toestemming vastgelegd",
	"ExportCase":           "opgevraagd voor inzage",
	"ConveneTable":         "deelnemers van de overlegtafel vastgelegd",
	"ScheduleTableMeeting": "overlegtafel gepland",
	"ReconveneTable":       "overlegtafel opnieuw samengeroepen",
	"UpdateAgreement":      "afspraak bijgewerkt",
	"RecordAttendance":     "aanwezigheid vastgelegd",
	"RecordGap":            "hiaat vastgelegd",
	"CreatePractice":       "goede praktijk beschreven",
	"SuggestOffers":        "suggesties van aanbod bekeken",
}

// Action says an RPC of the access log in Dutch: GetCase is "dossier
// bekeken". An RPC without Dutch words is its own name.
func Action(method string) string {
	if a, ok := actions[method]; ok {
		return a
	}
	return method
}
