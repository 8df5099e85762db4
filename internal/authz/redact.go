package authz

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// shown lists, per restricted view, the fields of each message about a
// case that the view may see. It is the one place the views are written
// down: every RPC that returns case data is redacted through it, and a
// field not listed is hidden, so a field added to the API later stays
// hidden until someone decides who may see it.
var shown = map[View]map[protoreflect.FullName][]protoreflect.Name{
	// Statistical: the case's state and what reports count; nothing about
	// the young person beyond birth year and school level, no contact, no
	// organisation's name, no texts, no people.
	Statistical: {
		"rots.v1.Case": {"name", "reference", "region", "stage", "submitting_organisation", "young_person", "themes",
			"attestation", "submit_time", "update_time", "close_time", "closure_reason", "rung", "breakthrough",
			"deadlines", "consent_withdraw_time", "meeting_time", "consult_date"},
		"rots.v1.Organisation": {"kind"},
		"rots.v1.YoungPerson":  {"birth_year", "school_level"},
		"rots.v1.CaseEvent":    {"kind", "from_stage", "to_stage", "event_time"},
	},
	// NeedToKnow: what a partner at the table needs to work: the young
	// person's first name or initials, school and grade, what is blocked,
	// the offer, the agreements and the meeting; no contact person, no
	// history of texts, nobody's name on the timeline.
	NeedToKnow: {
		"rots.v1.Case": {"name", "reference", "region", "stage", "submitting_organisation", "young_person", "blocked",
			"themes", "submit_time", "update_time", "close_time", "closure_reason", "rung", "breakthrough", "deadlines",
			"consent_withdraw_time", "offer", "agreements", "meeting_time", "meeting_location", "invited_organisations"},
		"rots.v1.Organisation": {"kind"},
		"rots.v1.YoungPerson":  {"alias", "birth_year", "school_level", "grade", "school"},
		"rots.v1.Agreement":    {"action", "owner_organisation", "due_date", "status", "blocked_reason", "person"},
		"rots.v1.CaseEvent":    {"kind", "from_stage", "to_stage", "event_time"},
	},
}

// caseData are the messages that hold a case's data; a message that holds
// one of them holds case data too.
var caseData = []protoreflect.FullName{"rots.v1.Case", "rots.v1.CaseEvent"}

// Redact removes from a response what the view may not see. Messages that
// hold case data keep only the fields shown to the view; containers of
// them (responses) keep their structure and paging tokens.
func Redact(resp any, v View) {
	m, ok := resp.(proto.Message)
	if v == Full || !ok {
		return
	}
	redact(m.ProtoReflect(), shown[v])
}

func redact(m protoreflect.Message, fields map[protoreflect.FullName][]protoreflect.Name) {
	md := m.Descriptor()
	list, listed := fields[md.FullName()]
	if !listed && !holdsCaseData(md, nil) {
		return // figures, tokens: no case data
	}
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if listed && !contains(list, fd.Name()) {
			m.Clear(fd)
			return true
		}
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := val.List()
			for i := range l.Len() {
				redact(l.Get(i).Message(), fields)
			}
		} else {
			redact(val.Message(), fields)
		}
		return true
	})
}

// holdsCaseData reports whether messages of type md are, or contain, case
// data.
func holdsCaseData(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if contains(caseData, md.FullName()) {
		return true
	}
	if seen == nil {
		seen = map[protoreflect.FullName]bool{}
	}
	if seen[md.FullName()] {
		return false
	}
	seen[md.FullName()] = true
	fs := md.Fields()
	for i := range fs.Len() {
		if f := fs.Get(i); f.Kind() == protoreflect.MessageKind && holdsCaseData(f.Message(), seen) {
			return true
		}
	}
	return false
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}
