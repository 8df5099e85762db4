package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// caseArg is a case as someone named it: by its resource name, or by its
// reference.
type caseArg struct {
	name      string // "cases/<id>"
	reference string // "ROTS-1A2B3C4D"
}

var uuidPattern = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// parseCaseArg reads how a person names a case: a reference
// (ROTS-1A2B3C4D, in any case), "cases/<id>" or a bare id.
func parseCaseArg(s string) (caseArg, error) {
	s = strings.TrimSpace(s)
	switch {
	case vocab.IsReference(strings.ToUpper(s)):
		return caseArg{reference: strings.ToUpper(s)}, nil
	case strings.HasPrefix(strings.ToUpper(s), "ROTS-"):
		return caseArg{}, fmt.Errorf("%q is geen dossierreferentie: die is ROTS- met 8 tekens 0-9 of A-F, zoals ROTS-1A2B3C4D", s)
	case uuidPattern.MatchString(strings.TrimPrefix(s, "cases/")):
		return caseArg{name: "cases/" + strings.ToLower(strings.TrimPrefix(s, "cases/"))}, nil
	case s == "":
		return caseArg{}, fmt.Errorf("geen dossier gegeven: noem het met zijn referentie (ROTS-1A2B3C4D) of naam (cases/<id>)")
	}
	return caseArg{}, fmt.Errorf("%q is geen dossier: noem het met zijn referentie (ROTS-1A2B3C4D) of naam (cases/<id>)", s)
}

// caseName turns how a person named a case into the name the API takes:
// "cases/<id>", or "cases/ROTS-1A2B3C4D", which the API resolves for
// everyone who may see the case.
func caseName(s string) (string, error) {
	a, err := parseCaseArg(s)
	if err != nil {
		return "", usageErr(err)
	}
	if a.name != "" {
		return a.name, nil
	}
	return "cases/" + a.reference, nil
}

// resourceName accepts "<collection>/<id>" or a bare id.
func resourceName(collection, arg string) string {
	if strings.HasPrefix(arg, collection+"/") {
		return arg
	}
	return collection + "/" + arg
}

// normaliseEtag accepts an etag as shown ("3" in quotes) or bare (3): the
// shell eats the quotes of -etag "3", so both mean the same version.
func normaliseEtag(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, `W/"`), len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`):
		return s
	}
	return `"` + strings.Trim(s, `"`) + `"`
}
