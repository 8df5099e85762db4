package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// jsonOptions is rotsctl's one JSON style: the proto's own field names
// (snake_case, as the server's export uses), unset fields left out.
var jsonOptions = protojson.MarshalOptions{UseProtoNames: true}

// marshalJSON encodes a message in rotsctl's JSON style, indented the same
// way every time (protojson alone varies its spacing on purpose).
func marshalJSON(m proto.Message) ([]byte, error) {
	b, err := jsonOptions.Marshal(m)
	if err != nil {
		return nil, err
	}
	return indentJSON(b)
}

func indentJSON(b []byte) ([]byte, error) {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// printJSON writes a message as JSON.
func (c *client) printJSON(m proto.Message) error {
	b, err := marshalJSON(m)
	if err != nil {
		return err
	}
	_, err = c.out.Write(b)
	return err
}

// jsonObject writes an object of messages and lists of messages, in the
// order given, in rotsctl's JSON style.
func jsonObject(w io.Writer, fields ...any) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(fields[i].(string))
		b.Write(key)
		b.WriteByte(':')
		switch v := fields[i+1].(type) {
		case proto.Message:
			m, err := jsonOptions.Marshal(v)
			if err != nil {
				return err
			}
			b.Write(m)
		case []proto.Message:
			b.WriteByte('[')
			for j, e := range v {
				if j > 0 {
					b.WriteByte(',')
				}
				m, err := jsonOptions.Marshal(e)
				if err != nil {
					return err
				}
				b.Write(m)
			}
			b.WriteByte(']')
		default:
			m, err := json.Marshal(v)
			if err != nil {
				return err
			}
			b.Write(m)
		}
	}
	b.WriteByte('}')
	out, err := indentJSON(b.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// snakeCaseKeys re-encodes a JSON document with every object key in
// snake_case, keeping the order of keys and every value as it is. The
// server's case export mixes key styles (its own snake_case, protojson's
// lowerCamelCase for the case, Go field names for the timeline, the
// notifications and the access log); rotsctl prints one.
func snakeCaseKeys(in []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var out bytes.Buffer
	if err := reencode(dec, &out); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("export: trailing data after the JSON document")
	}
	return indentJSON(out.Bytes())
}

func reencode(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := map[json.Delim]byte{'{': '}', '[': ']'}[t]
		out.WriteByte(byte(t))
		for first := true; dec.More(); first = false {
			if !first {
				out.WriteByte(',')
			}
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				writeJSONString(out, snakeCase(k.(string)))
				out.WriteByte(':')
			}
			if err := reencode(dec, out); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(closing)
	case string:
		writeJSONString(out, t)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		fmt.Fprint(out, t)
	case nil:
		out.WriteString("null")
	}
	return nil
}

func writeJSONString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out.Truncate(out.Len() - 1) // Encode's newline
}

// snakeCase turns submitTime, CaseID and MailSentAt into submit_time,
// case_id and mail_sent_at; snake_case stays.
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || acronymEnd {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// card is a list of labelled lines; empty values are left out, so that a
// restricted view shows no empty labels.
type card struct {
	tw *tabwriter.Writer
}

func newCard(w io.Writer) *card { return &card{tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)} }

func (c *card) line(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	for i, l := range strings.Split(strings.TrimRight(value, "\n"), "\n") {
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(c.tw, "%s\t%s\n", label, l)
	}
}

func (c *card) lines(label string, values []string) {
	for i, v := range values {
		if i > 0 {
			label = ""
		}
		c.line(label, v)
	}
}

func (c *card) flush() error { return c.tw.Flush() }

// join leaves out the empty parts.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// caseTitle is how a case is named to people: its reference, with the
// name for those who need it.
func caseTitle(cs *rotsv1.Case) string {
	if cs.GetReference() == "" {
		return cs.GetName()
	}
	return cs.GetReference() + " (" + cs.GetName() + ")"
}

// writeCaseStatus shows where a case stands after a command: its stage,
// its rung and its deadlines (rotsctl show has the rest).
func writeCaseStatus(w io.Writer, cs *rotsv1.Case) error {
	k := newCard(w)
	writeCaseHead(k, cs)
	k.line("Open vraag", cs.GetOpenQuestion())
	if t := cs.GetMeetingTime(); t != nil {
		k.line("Overlegtafel", join(", ", dutch.ShortDateTime(t.AsTime()), cs.GetMeetingLocation()))
	}
	if cs.GetClosureReason() != 0 {
		k.line("Afgesloten", join(", ", dutch.Enum(cs.GetClosureReason()), cs.GetClosureNote()))
	}
	writeDeadlines(k, cs)
	return k.flush()
}

func writeCaseHead(k *card, cs *rotsv1.Case) {
	k.line("Dossier", caseTitle(cs))
	k.line("Regio", regionName(cs.GetRegion()))
	k.line("Fase", dutch.Enum(cs.GetStage()))
	k.line("Escalatie", dutch.Rung(int(cs.GetRung())))
	if cs.GetBreakthrough() {
		k.line("Doorbraak", "ja: gemarkeerd voor het signaal aan de overheid")
	}
}

func writeDeadlines(k *card, cs *rotsv1.Case) {
	for i, d := range cs.GetDeadlines() {
		label := ""
		if i == 0 {
			label = "Termijnen"
		}
		line := dutch.DeadlineLabel(d.GetKind()) + ": " + dutch.ShortDueDate(d.GetDueTime().AsTime())
		if d.GetRung() > 0 {
			line += ", " + dutch.Rung(int(d.GetRung())) + "; dan de volgende trede"
		}
		fmt.Fprintf(k.tw, "%s\t%s\n", label, line)
	}
}

// writeCase shows a case in Dutch, one labelled line per thing known; a
// view without personal data shows fewer lines.
func writeCase(w io.Writer, cs *rotsv1.Case) error {
	k := newCard(w)
	writeCaseHead(k, cs)
	org := cs.GetSubmittingOrganisation()
	kind := dutch.Enum(org.GetKind())
	if org.GetName() != "" && kind != "" {
		kind = "(" + kind + ")"
	}
	k.line("Aanmelder", join(" ", org.GetName(), kind))
	ct := cs.GetContact()
	k.line("Contactpersoon", join(", ", ct.GetName(), ct.GetEmail(), ct.GetPhone()))
	yp := cs.GetYoungPerson()
	born := dutch.Birth(yp.GetBirthYear(), yp.GetBirthMonth())
	if born != "" {
		born = "geboren " + born
	}
	k.line("Jongere", join(", ", yp.GetAlias(), born))
	grade := ""
	if yp.GetGrade() > 0 {
		grade = dutch.Ordinal(int(yp.GetGrade())) + " leerjaar"
	}
	k.line("School", join(", ", dutch.Enum(yp.GetSchoolLevel()), grade, yp.GetSchool()))
	k.line("Gemeente", yp.GetMunicipality())
	var themes []string
	for _, t := range cs.GetThemes() {
		themes = append(themes, dutch.Enum(t))
	}
	k.line("Thema's", strings.Join(themes, ", "))
	k.line("Wat vastzit", cs.GetBlocked())
	k.lines("Al geprobeerd", cs.GetTried())
	if a := cs.GetAttestation(); a != nil {
		var said []string
		if a.GetClbStuck() {
			said = append(said, "het CLB zit vast")
		}
		if a.GetYouthCareStuck() {
			said = append(said, "de jeugdhulp zit vast")
		}
		if a.GetYoungPersonAndParentsInformed() {
			said = append(said, "de jongere en de ouders weten het")
		}
		k.line("Verklaard", strings.Join(said, "; "))
	}
	if t := cs.GetSubmitTime(); t != nil {
		k.line("Aangemeld", dutch.ShortDateTime(t.AsTime()))
	}
	if t := cs.GetUpdateTime(); t != nil {
		k.line("Bijgewerkt", dutch.ShortDateTime(t.AsTime()))
	}
	k.line("Open vraag", cs.GetOpenQuestion())
	consult := ""
	if d := cs.GetConsultDate(); d != "" {
		consult = d
		if t, err := parseDay(d); err == nil {
			consult = dutch.ShortDate(t)
		}
	}
	if len(cs.GetConsultExperts()) > 0 {
		consult = join(", ", consult, "met "+strings.Join(cs.GetConsultExperts(), ", "))
	}
	k.line("Consult", consult)
	k.line("Advies", cs.GetAdvice())
	meeting := ""
	if t := cs.GetMeetingTime(); t != nil {
		meeting = dutch.ShortDateTime(t.AsTime())
	}
	k.line("Overlegtafel", join(", ", meeting, cs.GetMeetingLocation()))
	k.line("Uitgenodigd", strings.Join(cs.GetInvitedOrganisations(), ", "))
	k.line("Aanbod op maat", cs.GetOffer())
	k.lines("Aanbod gebruikt", cs.GetOffersUsed())
	for i, a := range cs.GetAgreements() {
		due := a.GetDueDate()
		if t, err := parseDay(due); err == nil {
			due = dutch.ShortDate(t)
		}
		owner := a.GetOwnerOrganisation()
		if a.GetPerson() != "" {
			owner += " (" + a.GetPerson() + ")"
		}
		status := dutch.Enum(a.GetStatus())
		if a.GetBlockedReason() != "" {
			status += ": " + a.GetBlockedReason()
		}
		k.line(fmt.Sprintf("Afspraak %d", i+1), join(" — ", a.GetAction(), join(", ", owner, "tegen "+due), status))
	}
	closed := ""
	if t := cs.GetCloseTime(); t != nil {
		closed = dutch.ShortDateTime(t.AsTime())
	}
	k.line("Afgesloten", join(", ", closed, dutch.Enum(cs.GetClosureReason()), cs.GetClosureNote()))
	if t := cs.GetConsentWithdrawTime(); t != nil {
		k.line("Toestemming", "ingetrokken op "+dutch.ShortDateTime(t.AsTime()))
	}
	writeDeadlines(k, cs)
	return k.flush()
}

// writeTimeline shows a case's events as a table in Dutch. A view that
// does not see who acted (managers, partners) gets no empty column for it.
func writeTimeline(w io.Writer, events []*rotsv1.CaseEvent) error {
	if len(events) == 0 {
		_, err := fmt.Fprintln(w, "Nog niets op de tijdlijn.")
		return err
	}
	actors := false
	for _, e := range events {
		actors = actors || e.GetActor() != ""
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if actors {
		fmt.Fprintln(tw, "  WANNEER\tFASE\tWAT\tDOOR")
	} else {
		fmt.Fprintln(tw, "  WANNEER\tFASE\tWAT")
	}
	for _, e := range events {
		when := ""
		if t := e.GetEventTime(); t != nil {
			when = dutch.ShortDateTime(t.AsTime())
		}
		if actors {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", when, stageChange(e), eventSentence(e), e.GetActor())
		} else {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", when, stageChange(e), eventSentence(e))
		}
	}
	return tw.Flush()
}

// table writes rows under a header, leaving out the columns that are
// empty in every row (what a view does not show). A header ending in "!"
// is always kept.
func table(w io.Writer, header []string, rows [][]string) error {
	keep := make([]bool, len(header))
	header = append([]string(nil), header...)
	for i := range header {
		if h, ok := strings.CutSuffix(header[i], "!"); ok {
			header[i], keep[i] = h, true
			continue
		}
		for _, r := range rows {
			if i < len(r) && strings.TrimSpace(r[i]) != "" {
				keep[i] = true
				break
			}
		}
	}
	pick := func(cells []string) string {
		var out []string
		for i, c := range cells {
			if i < len(keep) && keep[i] {
				out = append(out, c)
			}
		}
		return strings.Join(out, "\t")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, pick(header))
	for _, r := range rows {
		fmt.Fprintln(tw, pick(r))
	}
	return tw.Flush()
}

// messages turns a list of one kind of message into a list of messages.
func messages[M proto.Message](list []M) []proto.Message {
	out := make([]proto.Message, len(list))
	for i, m := range list {
		out[i] = m
	}
	return out
}
