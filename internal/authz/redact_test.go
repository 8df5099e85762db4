package authz

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// fill sets every field of m, down to depth levels of messages.
func fill(m protoreflect.Message, depth int) {
	fs := m.Descriptor().Fields()
	for i := range fs.Len() {
		fd := fs.Get(i)
		if fd.IsMap() {
			continue
		}
		value := func() protoreflect.Value {
			switch fd.Kind() {
			case protoreflect.StringKind:
				return protoreflect.ValueOfString("geheim " + string(fd.Name()))
			case protoreflect.BoolKind:
				return protoreflect.ValueOfBool(true)
			case protoreflect.EnumKind:
				return protoreflect.ValueOfEnum(1)
			case protoreflect.Int32Kind:
				return protoreflect.ValueOfInt32(7)
			case protoreflect.Int64Kind:
				return protoreflect.ValueOfInt64(7)
			case protoreflect.MessageKind:
				sub := m.NewField(fd)
				if fd.IsList() {
					sub = protoreflect.ValueOfMessage(m.NewField(fd).List().NewElement().Message())
				}
				if depth > 0 {
					fill(sub.Message(), depth-1)
				}
				return sub
			}
			return protoreflect.Value{}
		}
		if fd.Kind() == protoreflect.MessageKind && depth == 0 {
			continue
		}
		v := value()
		if !v.IsValid() {
			continue
		}
		if fd.IsList() {
			l := m.Mutable(fd).List()
			l.Append(v)
			continue
		}
		m.Set(fd, v)
	}
}

// leftOver lists the fields set anywhere in m that the view does not show.
func leftOver(m protoreflect.Message, list map[protoreflect.FullName][]protoreflect.Name) []string {
	var out []string
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if names, ok := list[m.Descriptor().FullName()]; ok && !slices.Contains(names, fd.Name()) {
			out = append(out, string(fd.FullName()))
		}
		if fd.Kind() == protoreflect.MessageKind && !fd.IsMap() {
			if fd.IsList() {
				for i := range val.List().Len() {
					out = append(out, leftOver(val.List().Get(i).Message(), list)...)
				}
			} else {
				out = append(out, leftOver(val.Message(), list)...)
			}
		}
		return true
	})
	return out
}

// Every field of every response, filled in, comes out of each restricted
// view with only the fields that view shows: a field added to the API is
// hidden until it is put in the view's list.
func TestRedactShowsOnlyListedFields(t *testing.T) {
	responses := []protoreflect.Message{
		(&rotsv1.GetCaseResponse{}).ProtoReflect(), (&rotsv1.ListCasesResponse{}).ProtoReflect(),
		(&rotsv1.ListCaseEventsResponse{}).ProtoReflect(), (&rotsv1.UpdateAgreementResponse{}).ProtoReflect(),
	}
	for _, view := range []View{Statistical, NeedToKnow} {
		for _, r := range responses {
			m := r.New()
			fill(m, 4)
			Redact(m.Interface(), view)
			if left := leftOver(m, shown[view]); len(left) > 0 {
				t.Errorf("view %d, %s keeps %v", view, m.Descriptor().FullName(), left)
			}
		}
	}
	// And what is listed does come through.
	c := &rotsv1.Case{}
	fill(c.ProtoReflect(), 4)
	Redact(&rotsv1.GetCaseResponse{Case: c}, NeedToKnow)
	if c.GetYoungPerson().GetAlias() == "" || c.GetBlocked() == "" || len(c.GetAgreements()) != 1 || c.GetReference() == "" {
		t.Errorf("need-to-know view lost what a partner needs: %v", c)
	}
	if c.GetContact() != nil || c.GetYoungPerson().GetMunicipality() != "" || c.GetSubmittingOrganisation().GetName() != "" {
		t.Errorf("need-to-know view shows the contact, the municipality or the organisation: %v", c)
	}
}

// Every RPC whose rule gives a role a restricted view returns case data
// only in messages that view has a list for.
func TestRestrictedViewsCoverTheirResponses(t *testing.T) {
	for method, roles := range Rules {
		// "/rots.v1.CaseService/GetCase" is rots.v1.CaseService.GetCase.
		desc, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(strings.Replace(method[1:], "/", ".", 1)))
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		out := desc.(protoreflect.MethodDescriptor).Output()
		for role, a := range roles {
			if a.View == Full {
				continue
			}
			for _, md := range reachable(out, map[protoreflect.FullName]bool{}) {
				if slices.Contains(caseData, md.FullName()) {
					if _, ok := shown[a.View][md.FullName()]; !ok {
						t.Errorf("%s for a %s returns %s, which view %d has no list for", method, role, md.FullName(), a.View)
					}
				}
			}
		}
	}
}

func reachable(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) []protoreflect.MessageDescriptor {
	if seen[md.FullName()] {
		return nil
	}
	seen[md.FullName()] = true
	out := []protoreflect.MessageDescriptor{md}
	fs := md.Fields()
	for i := range fs.Len() {
		if f := fs.Get(i); f.Kind() == protoreflect.MessageKind {
			out = append(out, reachable(f.Message(), seen)...)
		}
	}
	return out
}

// A search on the young person's alias (ListCases' query) is for the views
// that show the alias; a manager's may not probe for it.
func TestShowsAlias(t *testing.T) {
	for v, want := range map[View]bool{Full: true, NeedToKnow: true, Statistical: false} {
		if got := showsAlias(v); got != want {
			t.Errorf("showsAlias(%d) = %v, want %v", v, got, want)
		}
	}
}
