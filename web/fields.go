package web

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// field is what a template needs to draw one labelled input: its label
// from the message catalogue, what was typed and the API's objection.
type field struct {
	Name, ID, Label, Help, Value, Err string
	Type, Autocomplete, Min, Max      string
	Required                          bool
	Choices                           []choice
}

type choice struct {
	Value, Label string
	Checked      bool
}

// makeField builds a field named after its API field path. Options are
// "required", "help:…", "label:…", "type:email", "auto:email", "min:…",
// "max:…", "value:…" (a default when nothing was typed), "enum:rots.v1.Theme"
// (the enum's values as choices) and "choices:a=A|b=B".
func makeField(f *form, name string, opts ...string) field {
	fl := field{Name: name, ID: f.id(name), Label: dutch.Field(name), Type: "text", Value: f.Get(name), Err: f.Err(name)}
	posted := f != nil && len(f.Values) > 0
	for _, o := range opts {
		key, val, _ := strings.Cut(o, ":")
		switch key {
		case "required":
			fl.Required = true
		case "help":
			fl.Help = val
		case "label":
			fl.Label = val
		case "type":
			fl.Type = val
		case "auto":
			fl.Autocomplete = val
		case "min":
			fl.Min = val
		case "max":
			fl.Max = val
		case "value":
			if !posted {
				fl.Value = val
			}
		case "enum":
			if et, err := protoregistry.GlobalTypes.FindEnumByName(protoreflect.FullName(val)); err == nil {
				for _, c := range dutch.EnumValues(et.Descriptor()) {
					fl.Choices = append(fl.Choices, choice{Value: c.Stored, Label: c.Dutch})
				}
			}
		case "choices":
			for _, item := range strings.Split(val, "|") {
				v, label, _ := strings.Cut(item, "=")
				fl.Choices = append(fl.Choices, choice{Value: v, Label: label})
			}
		}
	}
	for i := range fl.Choices {
		fl.Choices[i].Checked = f.Has(name, fl.Choices[i].Value) || (!posted && fl.Value == fl.Choices[i].Value)
	}
	return fl
}

// enumOf reads a chosen value of enum E by its stored name:
// enumOf[rotsv1.SchoolLevel]("SECUNDAIR"). Nothing chosen is 0 and an
// unknown name -1; the API refuses both, naming the field.
func enumOf[E interface {
	~int32
	protoreflect.Enum
}](stored string) E {
	if stored == "" {
		return 0
	}
	var zero E
	for _, c := range dutch.EnumValues(zero.Descriptor()) {
		if c.Stored == stored {
			return E(c.Number)
		}
	}
	return -1
}

// storedName is an enum value's stored name, as a form sends it back.
func storedName(e protoreflect.Enum) string {
	for _, c := range dutch.EnumValues(e.Descriptor()) {
		if c.Number == e.Number() {
			return c.Stored
		}
	}
	return ""
}
