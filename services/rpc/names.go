package rpc

import (
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// CaseID is the ID in a case name "cases/{case_id}"; a name that is not
// one is a violation of field, and "".
func CaseID(v *Violations, field, name string) string {
	return ID(v, field, "case", name)
}

// ID is the UUID in a resource name "{kind}s/{id}", e.g. "signals/…"; a
// name that is not one is a violation of field, and "".
func ID(v *Violations, field, kind, name string) string {
	id, ok := strings.CutPrefix(name, kind+"s/")
	if !ok || uuid.Validate(id) != nil {
		v.Add(field, "must name a %s like %ss/0b9e3a5c-…, got %q", kind, kind, name)
		return ""
	}
	return id
}

var offerName = regexp.MustCompile(`^organisations/[0-9a-f-]{36}/offers/[0-9a-f-]{36}$`)

// IsOfferName reports whether name is a directory offer's resource name,
// "organisations/{id}/offers/{id}".
func IsOfferName(name string) bool { return offerName.MatchString(name) }
