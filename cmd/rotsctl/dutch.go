package main

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The words come from package dutch, which the mails and the web pages
// share; what is here is how rotsctl's flags and tables use them.

// regionName is a region in Dutch; unspecified is all of Flanders.
func regionName(r rotsv1.Region) string {
	if r == 0 {
		return vocab.RegionName("")
	}
	return dutch.Enum(r)
}

// flagValue is how a flag names an enum value: FOLLOW_UP is follow-up.
func flagValue(storedName string) string {
	return strings.ToLower(strings.ReplaceAll(storedName, "_", "-"))
}

// choices lists an enum's flag values with their Dutch names, in the
// enum's order: "absence (afwezigheid (thuiszitten)), mental-health (…)".
func choices(d protoreflect.EnumDescriptor, skip ...string) string {
	var out []string
	for _, c := range dutch.EnumValues(d) {
		if contains(skip, c.Stored) {
			continue
		}
		item := flagValue(c.Stored)
		if !strings.EqualFold(c.Dutch, item) {
			item += " (" + c.Dutch + ")"
		}
		out = append(out, item)
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// parseEnum reads a flag value like "youth-care" (or YOUTH_CARE) into the
// enum value named PREFIX_YOUTH_CARE; an error names the flag and the
// values it takes.
func parseEnum(d protoreflect.EnumDescriptor, flagName, s string, skip ...string) (protoreflect.EnumNumber, error) {
	key := strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(strings.TrimSpace(s)))
	for _, c := range dutch.EnumValues(d) {
		if c.Stored == key && !contains(skip, key) {
			return c.Number, nil
		}
	}
	return 0, fmt.Errorf("-%s %q: kies uit %s", flagName, s, choices(d, skip...))
}

// eventSentence is what an event says: its summary, or for a view without
// summaries a sentence made from its kind.
func eventSentence(e *rotsv1.CaseEvent) string {
	if s := strings.Join(strings.Fields(e.GetSummary()), " "); s != "" {
		return s
	}
	return dutch.Event(e.GetKind())
}

// stageChange says how an event moved the case: "intake → consult", just
// the stage for the first event, nothing when the stage stayed.
func stageChange(e *rotsv1.CaseEvent) string {
	from, to := e.GetFromStage(), e.GetToStage()
	switch {
	case to == 0 || to == from:
		return ""
	case from == 0:
		return dutch.Enum(to)
	}
	return dutch.Enum(from) + " → " + dutch.Enum(to)
}

// parseDay reads a date "2027-01-15" as that day in Brussels.
func parseDay(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, calendar.Brussels)
}
