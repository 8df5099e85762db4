package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// caseArg is a case as someone named it: by its resource name, or by its
// reference, which only the server can turn into a name.
type caseArg struct {
	name      string // "cases/<id>"
	reference string // "ROTS-1A2B3C4D"
}

var (
	// referencePattern is a case reference as the mails print it, in any
	// case: 8 hex digits, or 32 for the few older cases whose first 8 were
	// taken.
	referencePattern = regexp.MustCompile(`^(?i)ROTS-([0-9a-f]{8}|[0-9a-f]{32})$`)
	uuidPattern      = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// parseCaseArg reads how a person names a case: a reference
// (ROTS-1A2B3C4D, in any case), "cases/<id>" or a bare id.
func parseCaseArg(s string) (caseArg, error) {
	s = strings.TrimSpace(s)
	switch {
	case referencePattern.MatchString(s):
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

// resolveCase turns how a person named a case into its resource name; a
// reference is looked up with ListCases. Partners and auditors may not
// list cases: a partner's reference is found in their own inbox (the
// invitation names the case), an auditor needs the name.
func (c *client) resolveCase(ctx context.Context, s string) (string, error) {
	a, err := parseCaseArg(s)
	if err != nil {
		return "", usageErr(err)
	}
	if a.name != "" {
		return a.name, nil
	}
	resp, err := c.cases.ListCases(ctx, &rotsv1.ListCasesRequest{Reference: a.reference, PageSize: 2})
	if status.Code(err) == codes.PermissionDenied {
		if name := c.caseFromInbox(ctx, a.reference); name != "" {
			return name, nil
		}
		return "", fmt.Errorf("%s opzoeken mag uw rol niet (ListCases): noem het dossier met zijn naam, cases/<id>; die staat in elke e-mail over het dossier", a.reference)
	}
	if err != nil {
		return "", err
	}
	switch cs := resp.GetCases(); len(cs) {
	case 0:
		return "", fmt.Errorf("geen dossier %s, of niet een dat u mag zien", a.reference)
	case 1:
		return cs[0].GetName(), nil
	default:
		return "", fmt.Errorf("meer dan één dossier heeft referentie %s: noem het met zijn naam (cases/<id>)", a.reference)
	}
}

// caseFromInbox finds the case a reference names among the caller's own
// notifications, for roles that may not list cases.
func (c *client) caseFromInbox(ctx context.Context, reference string) string {
	if c.notifications == nil {
		return ""
	}
	mentions := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(reference) + `\b`)
	token := ""
	for range 20 {
		resp, err := c.notifications.ListNotifications(ctx, &rotsv1.ListNotificationsRequest{PageSize: 100, PageToken: token})
		if err != nil {
			return ""
		}
		for _, n := range resp.GetNotifications() {
			if mentions.MatchString(n.GetSubject()+"\n"+n.GetBody()) && n.GetCase() != "" {
				return n.GetCase()
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			return ""
		}
	}
	return ""
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
