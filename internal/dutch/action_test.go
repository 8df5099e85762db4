package dutch

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// Every RPC of the case and consultation services, whose calls the access
// log records, has Dutch words; another RPC is its own name.
func TestAction(t *testing.T) {
	for _, sd := range []protoreflect.ServiceDescriptor{
		rotsv1.File_rots_v1_case_service_proto.Services().ByName("CaseService"),
		rotsv1.File_rots_v1_consultation_service_proto.Services().ByName("ConsultationService"),
	} {
		ms := sd.Methods()
		for i := range ms.Len() {
			name := string(ms.Get(i).Name())
			if got := Action(name); got == name || got == "" {
				t.Errorf("Action(%s) = %q: no Dutch words", name, got)
			}
		}
	}
	if got := Action("GetCase"); got != "dossier bekeken" {
		t.Errorf("Action(GetCase) = %q", got)
	}
	if got := Action("SomethingNew"); got != "SomethingNew" {
		t.Errorf("Action(SomethingNew) = %q, want the name", got)
	}
}
