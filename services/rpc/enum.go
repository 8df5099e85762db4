package rpc

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// ProtoEnum is a generated protobuf enum. Enums are stored by their proto
// name without the type prefix, e.g. Stage INTAKE for STAGE_INTAKE, so that
// one list of values serves both.
type ProtoEnum interface {
	~int32
	Descriptor() protoreflect.EnumDescriptor
}

func enumPrefix[E ProtoEnum]() string {
	var e E
	name := string(e.Descriptor().Values().ByNumber(0).Name()) // e.g. STAGE_UNSPECIFIED
	return strings.TrimSuffix(name, "UNSPECIFIED")
}

// Stored is the stored name of a proto enum value, "" for UNSPECIFIED or
// an unknown number.
func Stored[E ProtoEnum](e E) string {
	if e == 0 {
		return ""
	}
	v := e.Descriptor().Values().ByNumber(protoreflect.EnumNumber(e))
	if v == nil {
		return ""
	}
	return strings.TrimPrefix(string(v.Name()), enumPrefix[E]())
}

// FromStored is the proto enum value of a stored name, 0 when unknown.
func FromStored[E ProtoEnum](s string) E {
	if s == "" {
		return 0
	}
	var e E
	v := e.Descriptor().Values().ByName(protoreflect.Name(enumPrefix[E]() + s))
	if v == nil {
		return 0
	}
	return E(v.Number())
}

// StoredNames lists the stored names of an enum's values but UNSPECIFIED,
// in number order.
func StoredNames[E ProtoEnum]() []string {
	var names []string
	for n := E(1); ; n++ {
		s := Stored(n)
		if s == "" {
			return names
		}
		names = append(names, s)
	}
}
