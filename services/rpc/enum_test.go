package rpc

import (
	"slices"
	"testing"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func TestStoredNames(t *testing.T) {
	want := []string{"SUBMITTED", "INTAKE", "NEEDS_INFO", "CONSULT", "TABLE", "FOLLOW_UP", "CLOSED"}
	if got := StoredNames[rotsv1.Stage](); !slices.Equal(got, want) {
		t.Errorf("StoredNames[Stage]() = %v, want %v", got, want)
	}
	for _, name := range want {
		if Stored(FromStored[rotsv1.Stage](name)) != name {
			t.Errorf("%s does not survive FromStored and Stored", name)
		}
	}
}
