package dutch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// fields label the request fields of SubmitCase, the stage commands and
// the case listings, by path with each index as "[]". A field several
// requests have (reason, note, decision) gets a label that fits them all.
var fields = map[string]string{
	"request":    "Het verzoek",
	"request_id": "Verzoeknummer",
	"name":       "Dossier",
	"parent":     "Dossier",
	"page_size":  "Aantal per pagina",
	"page_token": "Pagina",

	"region":                       "Regio",
	"submitting_organisation":      "Aanmeldende organisatie",
	"submitting_organisation.name": "Naam van de aanmeldende organisatie",
	"submitting_organisation.kind": "Soort aanmeldende organisatie",
	"contact":                      "Contactpersoon",
	"contact.name":                 "Naam van de contactpersoon",
	"contact.email":                "E-mailadres van de contactpersoon",
	"contact.phone":                "Telefoonnummer van de contactpersoon",
	"young_person":                 "Jongere",
	"young_person.alias":           "Roepnaam of alias van de jongere",
	"young_person.birth_year":      "Geboortejaar van de jongere",
	"young_person.birth_month":     "Geboortemaand van de jongere",
	"young_person.school_level":    "Onderwijsniveau van de jongere",
	"young_person.grade":           "Leerjaar van de jongere",
	"young_person.school":          "School van de jongere",
	"young_person.municipality":    "Gemeente van de jongere",
	"blocked":                      "Waar het vastloopt",
	"tried":                        "Wat al geprobeerd is",
	"tried[]":                      "Wat al geprobeerd is",
	"themes":                       "Thema's",
	"themes[]":                     "Thema",
	"attestation":                  "Verklaring",
	"attestation.clb_stuck":        "Het CLB loopt vast",
	"attestation.youth_care_stuck": "De jeugdhulp loopt vast",
	"attestation.young_person_and_parents_informed": "De jongere en de ouders zijn ingelicht",

	"stage":        "Fase",
	"overdue_only": "Enkel over hun termijn",
	"reference":    "Dossierreferentie",
	"min_rung":     "Minstens trede",
	"order_by":     "Volgorde",
	"open_only":    "Enkel open dossiers",
	"query":        "Zoekterm",

	"decision":                        "Beslissing",
	"question":                        "Vraag aan de aanmelder",
	"decline_reason":                  "Reden van de weigering",
	"referral_suggestion":             "Suggestie voor een doorverwijzing",
	"note":                            "Opmerking",
	"answer":                          "Antwoord op de vraag",
	"advice":                          "Advies",
	"experts":                         "Geraadpleegde experten",
	"experts[]":                       "Geraadpleegde expert",
	"consult_date":                    "Datum van het consult",
	"offer":                           "Aanbod op maat",
	"agreements":                      "Afspraken",
	"agreements[]":                    "Afspraak",
	"agreements[].action":             "Actie van de afspraak",
	"agreements[].owner_organisation": "Organisatie die de afspraak uitvoert",
	"agreements[].due_date":           "Uiterste datum van de afspraak",
	"agreements[].status":             "Stand van de afspraak",
	"agreements[].blocked_reason":     "Waarom de afspraak geblokkeerd is",
	"agreements[].person":             "Verantwoordelijke voor de afspraak",
	"offers":                          "Gebruikt aanbod uit de sociale kaart",
	"offers[]":                        "Gebruikt aanbod uit de sociale kaart",
	"reason":                          "Reden",
	"by":                              "Ingetrokken door",

	"participants":                "Deelnemers",
	"participants[]":              "Deelnemer",
	"participants[].kind":         "Soort deelnemer",
	"participants[].organisation": "Organisatie van de deelnemer",
	"participants[].name":         "Naam van de deelnemer",
	"participants[].email":        "E-mailadres van de deelnemer",
	"participants[].role":         "Rol van de deelnemer",
	"start_time":                  "Begin van de overlegtafel",
	"duration_minutes":            "Duur in minuten",
	"location":                    "Plaats",
	"index":                       "Afspraak",
	"status":                      "Stand van de afspraak",
	"blocked_reason":              "Waarom de afspraak geblokkeerd is",
	"present":                     "Aanwezigen",
	"present[]":                   "Aanwezige",
	"gap":                         "Hiaat",
	"gap.name":                    "Hiaat",
	"gap.theme":                   "Thema van het hiaat",
	"gap.age_band":                "Leeftijd",
	"gap.needed":                  "Wat nodig was",
	"gap.waiting_weeks":           "Wachttijd in weken",
	"gap.record_time":             "Vastgelegd op",

	// AdminService: a region's escalation policy.
	"policy":                      "Escalatiebeleid",
	"policy.name":                 "Regio van het beleid",
	"policy.intake_days":          "Intakebeslissing na de aanmelding (werkdagen)",
	"policy.answer_days":          "Antwoord van de aanmelder op een vraag (werkdagen)",
	"policy.auto_withdraw_days":   "Automatisch intrekken als het antwoord uitblijft (werkdagen)",
	"policy.consult_days":         "Consult na de aanvaarding (werkdagen)",
	"policy.table_date_days":      "Datum van de overlegtafel na de beslissing (werkdagen)",
	"policy.table_outcome_days":   "Uitkomst van de overlegtafel na de vergadering (werkdagen)",
	"policy.agreement_grace_days": "Na de uiterste datum van een afspraak (werkdagen)",
	"policy.review_days":          "Evaluatie na het advies of de overlegtafel (werkdagen)",
	"policy.offer_months":         "Passend aanbod na de aanmelding (maanden)",
	"policy.rung_interval_days":   "Tussen twee treden van de escalatieladder (werkdagen)",
	"policy.retention_months":     "Bewaartermijn na het afsluiten (maanden)",
	"policy.skip_school_holidays": "Schoolvakanties tellen niet mee voor de overlegtafel en de evaluatie",
	"policy.tandem_emails":        "E-mailadressen van de tandem",
	"policy.tandem_emails[]":      "E-mailadres van de tandem",
	"policy.manager_emails":       "E-mailadressen van de regionale manager",
	"policy.manager_emails[]":     "E-mailadres van de regionale manager",
	"policy.update_time":          "Laatst gewijzigd",

	// DirectoryService: the sociale kaart.
	"kind":                                 "Soort organisatie",
	"age_band":                             "Leeftijd",
	"school_level":                         "Onderwijsniveau",
	"show_inactive":                        "Ook niet-actieve tonen",
	"update_mask":                          "Te wijzigen velden",
	"organisation":                         "Organisatie",
	"organisation.name":                    "Organisatie",
	"organisation.display_name":            "Naam van de organisatie",
	"organisation.kind":                    "Soort organisatie",
	"organisation.regions":                 "Regio's waarin de organisatie werkt",
	"organisation.regions[]":               "Regio",
	"organisation.contacts":                "Contactpersonen",
	"organisation.contacts[]":              "Contactpersoon",
	"organisation.contacts[].display_name": "Naam van de contactpersoon",
	"organisation.contacts[].role":         "Functie van de contactpersoon",
	"organisation.contacts[].email":        "E-mailadres van de contactpersoon",
	"organisation.active":                  "Actief",
	"organisation.create_time":             "Toegevoegd op",
	"organisation.update_time":             "Laatst gewijzigd",
	"offer.name":                           "Aanbod",
	"offer.display_name":                   "Naam van het aanbod",
	"offer.description":                    "Beschrijving van het aanbod",
	"offer.age_band":                       "Leeftijd",
	"offer.school_levels":                  "Onderwijsniveaus",
	"offer.school_levels[]":                "Onderwijsniveau",
	"offer.themes":                         "Thema's van het aanbod",
	"offer.themes[]":                       "Thema",
	"offer.capacity":                       "Aantal plaatsen",
	"offer.waiting_weeks":                  "Wachttijd in weken",
	"offer.how_to_reach":                   "Hoe men het aanbod bereikt",
	"offer.active":                         "Actief",
	"offer.create_time":                    "Toegevoegd op",
	"offer.update_time":                    "Laatst gewijzigd",
	"offer.organisation_display_name":      "Organisatie",
	"offer.organisation_active":            "Organisatie actief",

	// PracticeService: the good practices.
	"practice":                    "Goede praktijk",
	"practice.name":               "Goede praktijk",
	"practice.title":              "Titel",
	"practice.offer":              "Het aanbod dat werkte",
	"practice.agreements":         "Soort afspraken",
	"practice.difference":         "Wat het verschil maakte",
	"practice.organisation_kinds": "Betrokken soorten organisaties",
	"practice.themes":             "Thema's",
	"practice.age_band":           "Leeftijd",
	"practice.school_level":       "Onderwijsniveau",
	"practice.directory_offers":   "Gebruikt aanbod uit de sociale kaart",
	"in_review":                   "Ter nazicht",

	"from_month": "Eerste maand",
	"to_month":   "Laatste maand",

	"signal":                   "Signaal",
	"signal.name":              "Signaal",
	"signal.region":            "Gebied",
	"signal.from_month":        "Eerste maand",
	"signal.to_month":          "Laatste maand",
	"signal.title":             "Titel",
	"signal.text":              "Tekst van het signaal",
	"signal.figure_sections":   "Tabellen met cijfers",
	"signal.figure_sections[]": "Tabel met cijfers",
	"recipient":                "Verzonden aan",
	"etag":                     "Versie",
	"refresh_figures":          "Cijfers opnieuw nemen",
	"flanders_only":            "Enkel heel Vlaanderen",
	"state":                    "Status",
	"format":                   "Formaat",

	// ListCases for a partner, and the access log (AuditService).
	"invited_organisation": "Uitgenodigde organisatie",
	"case":                 "Dossier",
	"actor":                "Persoon",
	"purpose":              "Doel",
	"from_time":            "Vanaf",
	"to_time":              "Tot",
}

var index = regexp.MustCompile(`\[(\d+)\]`)

// Field is the Dutch label of a request field as the API's BadRequest
// violations name it: "young_person.alias" is "Roepnaam of alias van de
// jongere", "tried[1]" "Wat al geprobeerd is (2)" (counted from 1, as
// people count). A path without a label stays as it is, so that a page
// still says which field.
func Field(path string) string {
	label, ok := fields[index.ReplaceAllString(path, "[]")]
	if !ok {
		return path
	}
	if m := index.FindStringSubmatch(path); m != nil {
		n, _ := strconv.Atoi(m[1])
		label += fmt.Sprintf(" (%d)", n+1)
	}
	return label
}

// descriptions say the API's violation descriptions in Dutch: each English
// one is the format the service gives fmt (%d, %s, %q, %v), each Dutch one
// a template that takes the formatted values as ${1}, ${2}. The first that
// matches wins, so a particular one comes before a general one.
var descriptions = []description{
	// services/rpc
	d("is required", "dit is verplicht"),
	d("must be at most %d characters, got %d", "hoogstens ${1} tekens (nu ${2})"),
	d("must not contain a national register number (rijksregisternummer) or BIS number; leave it out, the service does not keep one",
		"bevat een rijksregisternummer of BIS-nummer; laat het weg, ROTS roundtable bewaart er geen"),
	d("must be empty unless the decision is ASK_QUESTION", "laat dit leeg, tenzij u de aanmelder een vraag stelt"),
	d("must be empty unless the decision is DECLINE", "laat dit leeg, tenzij u de aanmelding weigert"),
	d("must be empty unless the status is BLOCKED", "laat dit leeg, tenzij de afspraak geblokkeerd is"),
	d("must be empty for the young person and their context (by role only)",
		"laat dit leeg voor de jongere, de ouders en de context: die nodigt u enkel met hun rol uit"),
	d("must be empty for the young person and their context", "laat dit leeg voor de jongere, de ouders en de context"),
	d("must be empty %s", "laat dit leeg"),
	d("must be a plain e-mail address like naam@clb.be", "geef een gewoon e-mailadres, zoals naam@clb.be"),
	d("is required: 1 to 64 letters, digits or . _ : - (a UUID is best)",
		"ontbreekt of is ongeldig: 1 tot 64 letters, cijfers of . _ : - (een UUID is het best)"),
	d("may not begin with %q: the case workflow names its own steps so", "mag niet beginnen met ${1}: zo noemt het dossier zijn eigen stappen"),
	d("was used before for another request; send a new request_id for a new request",
		"werd al gebruikt voor een ander verzoek; een nieuw verzoek krijgt een nieuw nummer"),
	d("%q was used for a different request; send a new request_id for a new request",
		"${1} werd al gebruikt voor een ander verzoek; een nieuw verzoek krijgt een nieuw nummer"),
	d("must not be negative", "mag niet negatief zijn"),
	d("is not a token from this listing with these filters", "hoort niet bij deze lijst met deze filters; begin opnieuw bij de eerste pagina"),
	d("must name a %s like %ss/0b9e3a5c-…, got %q", "is geen geldige naam zoals ${2}s/0b9e3a5c-… (nu ${3})"),
	d("is not valid UTF-8 text", "is geen geldige tekst (UTF-8)"),
	d("cannot be decoded as %s: %v", "kan niet gelezen worden"),
	d("has no value %d; see the API's %s", "de waarde ${1} bestaat niet"),

	// services/caseservice
	d("must be one of antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen", choose("rots.v1.Region", vocab.Regions...)),
	d("must be CLB or YOUTH_CARE", choose("rots.v1.OrganisationKind", "CLB", "YOUTH_CARE")),
	d("must be a first name or initials, not a full name", "geef een voornaam of initialen, geen volledige naam"),
	d("must be between %d and %d, got %d", "moet tussen ${1} en ${2} liggen (nu ${3})"),
	d("must be %d to %d, got %d", "moet van ${1} tot ${2} zijn (nu ${3})"),
	d("must list at least one step tried already", "geef minstens één stap die al geprobeerd is"),
	d("must have at most %d steps, got %d", "hoogstens ${1} stappen (nu ${2})"),
	d("must have at least one theme", "kies minstens één thema"),
	d("unknown theme %d", "onbekend thema ${1}"),
	d("%s is listed twice", "staat er twee keer in"),
	d("ROTS takes a case only when the CLB is stuck", "ROTS neemt een dossier enkel op als het CLB vastloopt"),
	d("ROTS takes a case only when youth care is stuck", "ROTS neemt een dossier enkel op als de jeugdhulp vastloopt"),
	d("the young person and the parents must be told before submitting", "licht de jongere en de ouders in voor u aanmeldt"),
	d("must be ACCEPT, ASK_QUESTION or DECLINE", choose("rots.v1.IntakeDecision", "ACCEPT", "ASK_QUESTION", "DECLINE")),
	d("must be ADVICE_ONLY or CONVENE_TABLE", choose("rots.v1.ConsultDecision", "ADVICE_ONLY", "CONVENE_TABLE")),
	d("at most %d, got %d", "hoogstens ${1} (nu ${2})"),
	d("must be a date like 2027-03-29, got %q", "geef een datum zoals 2027-03-29 (nu ${1})"),
	d("must not be in the future, got %s", "mag niet in de toekomst liggen (nu ${1})"),
	d("must be within the last year, got %s", "moet in het voorbije jaar liggen (nu ${1})"),
	d("must have at least one agreement", "geef minstens één afspraak"),
	d("must have at most %d agreements, got %d", "hoogstens ${1} afspraken (nu ${2})"),
	d("must not be before today (%s), got %s", "mag niet voor vandaag (${1}) liggen (nu ${2})"),
	d("must be within two years, got %s", "moet binnen twee jaar liggen (nu ${1})"),
	d("must be a directory offer like organisations/…/offers/…, got %q", "is geen aanbod uit de sociale kaart (nu ${1})"),
	d("%s is set by DecideIntake or WithdrawCase, not by CloseCase",
		"die reden kiest u niet bij het afsluiten: ze volgt uit de intakebeslissing of de intrekking"),
	d("unknown closure reason %d", "onbekende reden ${1}"),
	d("must be a case reference like ROTS-1A2B3C4D, got %q", "geef een dossierreferentie zoals ROTS-1A2B3C4D (nu ${1})"),
	d("unknown region %d", "onbekende regio ${1}"),
	d("unknown stage %d", "onbekende fase ${1}"),
	d(`must be "submit_time desc" (newest first, the default) or "urgency", got %q`,
		"kies nieuwste eerst (submit_time desc) of naar urgentie (urgency) (nu ${1})"),
	d("must not contain control characters (tab, new line)", "mag geen tabs, regeleinden of andere stuurtekens bevatten"),
	d("must be YOUNG_PERSON or PARENTS", choose("rots.v1.ConsentBy", "YOUNG_PERSON", "PARENTS")),

	// services/consultationservice
	d("must invite at least one participant", "nodig minstens één deelnemer uit"),
	d("must be PARTNER, YOUNG_PERSON, PARENTS or CONTEXT", choose("rots.v1.ParticipantKind", "PARTNER", "YOUNG_PERSON", "PARENTS", "CONTEXT")),
	d("must be in the future", "moet in de toekomst liggen"),
	d("must be within a year", "moet binnen een jaar liggen"),
	d("must be OPEN, IN_PROGRESS, DONE or BLOCKED", choose("rots.v1.AgreementStatus", "OPEN", "IN_PROGRESS", "DONE", "BLOCKED")),
	d("the table has no participant %d", "de overlegtafel heeft geen deelnemer ${1}"),
	d("must be UNDER_12 or TWELVE_AND_OVER", choose("rots.v1.AgeBand", "UNDER_12", "TWELVE_AND_OVER")),

	// internal/escalation, through services/adminservice
	d("at most %d addresses, got %d", "hoogstens ${1} adressen (nu ${2})"),
	d("%q is not a plain e-mail address", "${1} is geen gewoon e-mailadres, zoals naam@clb.be"),

	// services/directoryservice
	d("must name an organisation like organisations/0b9e3a5c-…, got %q", "is geen geldige naam van een organisatie (nu ${1})"),
	d("must name an offer like organisations/0b9e3a5c-…/offers/5d2f…, got %q", "is geen geldige naam van een aanbod (nu ${1})"),
	d("at least one region is required", "kies minstens één regio"),
	d("at least one theme is required", "kies minstens één thema"),
	d("at most %d contact persons, got %d", "hoogstens ${1} contactpersonen (nu ${2})"),
	d("must be 0 to %d places, got %d", "moet van 0 tot ${1} plaatsen zijn (nu ${2})"),
	d("must be 0 to %d weeks, got %d", "moet van 0 tot ${1} weken zijn (nu ${2})"),
	d(`"*" must be the only path`, "* moet het enige veld zijn"),
	d("unknown or unchangeable field %q; changeable are %s", "het veld ${1} bestaat niet of kan niet gewijzigd worden"),
	d("unknown %s %d", "onbekende waarde ${2}"),

	// services/auditservice
	d("must be behandeling, opvolging, inzage or audit, got %q", "kies behandeling, opvolging, inzage of audit (nu ${1})"),
	d("must be a valid time", "is geen geldig tijdstip"),
	d("must be after from_time", "moet na het begin van de periode liggen"),

	// services/reportservice
	d("is required, as YYYY-MM", "dit is verplicht, als jaar en maand (2026-01)"),
	d("must be a month YYYY-MM from 2000 on, got %q", "geef een maand als jaar en maand, zoals 2026-01, vanaf 2000 (nu ${1})"),
	d("must not be before from_month", "mag niet voor de eerste maand liggen"),
	d("the period may span at most %d months, got %d", "de periode telt hoogstens ${1} maanden (nu ${2})"),

	// services/practiceservice
	d("must not name the young person, their school or municipality, or a person of the case or the directory; write in general terms",
		"noemt de jongere, de school, de gemeente of een persoon uit het dossier of de sociale kaart; schrijf in algemene termen"),
	d("must not hold a date finer than a month (a day); write the month, e.g. maart 2026, or a duration",
		"bevat een datum met een dag; schrijf enkel de maand, zoals maart 2026, of een duur"),
	d("choose at least one theme", "kies minstens één thema"),
	d("must be PUBLISH or SEND_BACK", choose("rots.v1.PracticeDecision", "PUBLISH", "SEND_BACK")),
	d("must name a directory offer like organisations/…/offers/…", "is geen aanbod uit de sociale kaart"),
	d("goes only with in_review: published practices are for every region", "kan enkel bij de praktijken ter nazicht"),
	d("at most %d kinds", "hoogstens ${1} soorten"),
	d("at most %d offers", "hoogstens ${1} aanbiedingen"),

	// services/signalservice
	d("choose at least one section of figures", "kies minstens één tabel"),
	d("at most %d sections", "hoogstens ${1} tabellen"),
	d("must be a known section, got %d", "onbekende tabel ${1}"),
	d("%s is chosen twice", "staat er twee keer in"),
	d("must be a region, or unset for all of Flanders; got %d", "kies een regio of heel Vlaanderen"),
	d("cannot go with a region", "kan niet samen met een regio"),
	d("must be a known state, got %d", "onbekende status ${1}"),
	d("name the fields to change (%s), or ask refresh_figures", "zeg wat er wijzigt, of vraag de cijfers opnieuw"),
	d("cannot change %q; only %s", "${1} kan niet gewijzigd worden"),
	d("must be CSV or HTML", "kies CSV of HTML"),
}

type description struct {
	english *regexp.Regexp
	dutch   string
}

// verbs match what fmt makes of a verb.
var verbs = strings.NewReplacer(`%d`, `(-?\d+)`, `%q`, `(".*")`, `%s`, `(.*)`, `%v`, `(.*)`)

func d(english, dutch string) description {
	return description{regexp.MustCompile("^" + verbs.Replace(regexp.QuoteMeta(english)) + "$"), dutch}
}

// choose asks to choose from values of an enum, by their Dutch names:
// "kies aanvaarden, een vraag stellen of weigeren".
func choose(enum protoreflect.FullName, stored ...string) string {
	var ns []string
	for _, s := range stored {
		ns = append(ns, enumNames[enum][s])
	}
	last := len(ns) - 1
	return "kies " + strings.Join(ns[:last], ", ") + " of " + ns[last]
}

// Violation says a violation of a request field in Dutch, as the API
// reports it (field path and English description): "Roepnaam of alias van
// de jongere: dit is verplicht". A description without a Dutch one is
// "<label>: ongeldige waarde".
func Violation(field, description string) string {
	for _, d := range descriptions {
		if m := d.english.FindStringSubmatchIndex(description); m != nil {
			return Field(field) + ": " + string(d.english.ExpandString(nil, d.dutch, description, m))
		}
	}
	return Field(field) + ": ongeldige waarde"
}
