package directoryservice

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Limits of the directory's fields.
const (
	maxName        = 200
	maxDescription = 4000
	maxHowToReach  = 1000
	maxContacts    = 20
	maxContactText = 100
	maxCapacity    = 100000
	maxWaitWeeks   = 520 // ten years: anything longer is a typo
	maxQuery       = 500
)

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// parseOrgName reads "organisations/{id}".
func parseOrgName(v *rpc.Violations, field, name string) string {
	id, ok := strings.CutPrefix(name, orgPrefix)
	if !ok || !isUUID(id) {
		v.Add(field, "must name an organisation like organisations/0b9e3a5c-…, got %q", name)
		return ""
	}
	return id
}

// parseOfferName reads "organisations/{org}/offers/{offer}".
func parseOfferName(v *rpc.Violations, field, name string) (orgID, id string) {
	rest, ok := strings.CutPrefix(name, orgPrefix)
	org, offer, ok2 := strings.Cut(rest, "/offers/")
	if !ok || !ok2 || !isUUID(org) || !isUUID(offer) {
		v.Add(field, "must name an offer like organisations/0b9e3a5c-…/offers/5d2f…, got %q", name)
		return "", ""
	}
	return org, offer
}

// enumIn checks a required or optional enum value against its known values.
func enumIn[E vocab.ProtoEnum](v *rpc.Violations, field string, e E, required bool, what string) {
	switch {
	case e == 0 && required:
		v.Add(field, "is required")
	case e != 0 && vocab.Stored(e) == "":
		v.Add(field, "unknown %s %d", what, e)
	}
}

// enumList checks repeated enum values: each known, none twice.
func enumList[E vocab.ProtoEnum](v *rpc.Violations, field string, es []E, what string) {
	for i, e := range es {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case vocab.Stored(e) == "":
			v.Add(f, "unknown %s %d", what, e)
		case slices.Index(es, e) < i:
			v.Add(f, "%s is listed twice", vocab.Stored(e))
		}
	}
}

// validateOrganisation checks every field of an organisation as it would
// be stored; prefix is the path of the message, e.g. "organisation.".
func validateOrganisation(v *rpc.Violations, prefix string, o *rotsv1.PartnerOrganisation) {
	v.Text(prefix+"display_name", o.GetDisplayName(), true, maxName)
	enumIn(v, prefix+"kind", o.GetKind(), true, "organisation kind")
	if len(o.GetRegions()) == 0 {
		v.Add(prefix+"regions", "at least one region is required")
	}
	enumList(v, prefix+"regions", o.GetRegions(), "region")
	if n := len(o.GetContacts()); n > maxContacts {
		v.Add(prefix+"contacts", "at most %d contact persons, got %d", maxContacts, n)
	}
	for i, c := range o.GetContacts() {
		f := fmt.Sprintf("%scontacts[%d].", prefix, i)
		v.Text(f+"display_name", c.GetDisplayName(), true, maxContactText)
		v.Text(f+"role", c.GetRole(), false, maxContactText)
		v.Email(f+"email", c.GetEmail())
	}
}

// validateOffer checks every field of an offer as it would be stored.
func validateOffer(v *rpc.Violations, prefix string, f *rotsv1.Offer) {
	if f == nil {
		f = &rotsv1.Offer{}
	}
	v.Text(prefix+"display_name", f.GetDisplayName(), true, maxName)
	v.Text(prefix+"description", f.GetDescription(), true, maxDescription)
	enumIn(v, prefix+"age_band", f.GetAgeBand(), true, "age band")
	enumList(v, prefix+"school_levels", f.GetSchoolLevels(), "school level")
	if len(f.GetThemes()) == 0 {
		v.Add(prefix+"themes", "at least one theme is required")
	}
	enumList(v, prefix+"themes", f.GetThemes(), "theme")
	if f.Capacity != nil && (f.GetCapacity() < 0 || f.GetCapacity() > maxCapacity) {
		v.Add(prefix+"capacity", "must be 0 to %d places, got %d", maxCapacity, f.GetCapacity())
	}
	if f.WaitingWeeks != nil && (f.GetWaitingWeeks() < 0 || f.GetWaitingWeeks() > maxWaitWeeks) {
		v.Add(prefix+"waiting_weeks", "must be 0 to %d weeks, got %d", maxWaitWeeks, f.GetWaitingWeeks())
	}
	v.Text(prefix+"how_to_reach", f.GetHowToReach(), false, maxHowToReach)
}

// The fields an update may change, as update_mask paths.
var (
	orgFields   = []string{"display_name", "kind", "regions", "contacts", "active"}
	offerFields = []string{"display_name", "description", "age_band", "school_levels", "themes", "capacity", "waiting_weeks", "how_to_reach", "active"}
)

// maskPaths checks an update mask and returns the fields it changes: an
// empty mask every field but active, "*" every field.
func maskPaths(v *rpc.Violations, mask *fieldmaskpb.FieldMask, fields []string) []string {
	paths := mask.GetPaths()
	switch {
	case len(paths) == 0:
		return slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return f == "active" })
	case slices.Contains(paths, "*"):
		if len(paths) > 1 {
			v.Add("update_mask", `"*" must be the only path`)
		}
		return fields
	}
	for _, p := range paths {
		if !slices.Contains(fields, p) {
			v.Add("update_mask", "unknown or unchangeable field %q; changeable are %s", p, strings.Join(fields, ", "))
		}
	}
	return paths
}

// applyMask copies the named fields from src to dst; a field src leaves
// unset is cleared.
func applyMask(dst, src proto.Message, paths []string) {
	d, s := dst.ProtoReflect(), src.ProtoReflect()
	for _, p := range paths {
		fd := d.Descriptor().Fields().ByName(protoreflect.Name(p))
		if fd == nil {
			continue
		}
		if s.Has(fd) {
			d.Set(fd, s.Get(fd))
		} else {
			d.Clear(fd)
		}
	}
}

// query checks the free text of a search.
func query(v *rpc.Violations, s string) {
	if n := utf8.RuneCountInString(s); n > maxQuery {
		v.Add("query", "must be at most %d characters, got %d", maxQuery, n)
	}
}
