package dutch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func TestField(t *testing.T) {
	for path, want := range map[string]string{
		"young_person.alias":     "Roepnaam of alias van de jongere",
		"contact.email":          "E-mailadres van de contactpersoon",
		"tried":                  "Wat al geprobeerd is",
		"tried[1]":               "Wat al geprobeerd is (2)",
		"themes":                 "Thema's",
		"themes[0]":              "Thema (1)",
		"attestation.clb_stuck":  "Het CLB loopt vast",
		"question":               "Vraag aan de aanmelder",
		"decline_reason":         "Reden van de weigering",
		"advice":                 "Advies",
		"agreements[0].due_date": "Uiterste datum van de afspraak (1)",
		"participants[2].email":  "E-mailadres van de deelnemer (3)",
		"start_time":             "Begin van de overlegtafel",
		"reason":                 "Reden",
		"answer":                 "Antwoord op de vraag",
		"something_new":          "something_new",
	} {
		if got := Field(path); got != want {
			t.Errorf("Field(%s) = %q, want %q", path, got, want)
		}
	}
}

// Every field of the requests of the case, consultation and report services has a
// label, so a field added to the API is caught here.
func TestEveryRequestFieldHasALabel(t *testing.T) {
	var paths []string
	var walk func(md protoreflect.MessageDescriptor, prefix string)
	walk = func(md protoreflect.MessageDescriptor, prefix string) {
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			path := prefix + string(fd.Name())
			paths = append(paths, path)
			if fd.IsList() {
				path += "[0]"
				paths = append(paths, path)
			}
			if fd.Kind() == protoreflect.MessageKind && fd.Message().ParentFile().Package() == "rots.v1" {
				walk(fd.Message(), path+".")
			}
		}
	}
	for _, f := range []protoreflect.FileDescriptor{rotsv1.File_rots_v1_case_service_proto, rotsv1.File_rots_v1_consultation_service_proto,
		rotsv1.File_rots_v1_report_service_proto, rotsv1.File_rots_v1_admin_service_proto, rotsv1.File_rots_v1_directory_service_proto,
		rotsv1.File_rots_v1_audit_service_proto} {
		for i := range f.Services().Len() {
			ms := f.Services().Get(i).Methods()
			for j := range ms.Len() {
				walk(ms.Get(j).Input(), "")
			}
		}
	}
	if len(paths) < 50 {
		t.Fatalf("only %d request fields walked", len(paths))
	}
	for _, p := range paths {
		if Field(p) == p {
			t.Errorf("no label for request field %s", p)
		}
	}
}

func TestViolation(t *testing.T) {
	for _, tc := range []struct{ field, desc, want string }{
		{"young_person.alias", "is required", "Roepnaam of alias van de jongere: dit is verplicht"},
		{"blocked", "must be at most 4000 characters, got 4012", "Waar het vastloopt: hoogstens 4000 tekens (nu 4012)"},
		{"contact.email", "must be a plain e-mail address like naam@clb.be", "E-mailadres van de contactpersoon: geef een gewoon e-mailadres, zoals naam@clb.be"},
		{"tried[1]", "must not contain a national register number (rijksregisternummer) or BIS number; leave it out, the service does not keep one",
			"Wat al geprobeerd is (2): bevat een rijksregisternummer of BIS-nummer; laat het weg, ROTS roundtable bewaart er geen"},
		{"agreements[0].due_date", "must not be before today (2026-12-15), got 2026-12-01",
			"Uiterste datum van de afspraak (1): mag niet voor vandaag (2026-12-15) liggen (nu 2026-12-01)"},
		{"start_time", "must be in the future", "Begin van de overlegtafel: moet in de toekomst liggen"},
		{"decision", "must be ACCEPT, ASK_QUESTION or DECLINE", "Beslissing: kies aanvaarden, een vraag stellen of weigeren"},
		{"region", "must be one of antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen",
			"Regio: kies Antwerpen, Brussel, Limburg, Oost-Vlaanderen, Vlaams-Brabant of West-Vlaanderen"},
		{"question", "must be empty unless the decision is ASK_QUESTION", "Vraag aan de aanmelder: laat dit leeg, tenzij u de aanmelder een vraag stelt"},
		{"question", "must be empty for another reason", "Vraag aan de aanmelder: laat dit leeg"},
		{"young_person.birth_month", "must be 1 to 12, got 13", "Geboortemaand van de jongere: moet van 1 tot 12 zijn (nu 13)"},
		{"name", `must name a case like cases/0b9e3a5c-…, got "x"`, `Dossier: is geen geldige naam zoals cases/0b9e3a5c-… (nu "x")`},
		{"to_month", "the period may span at most 120 months, got 121", "Laatste maand: de periode telt hoogstens 120 maanden (nu 121)"},
		{"signal.figure_sections", "choose at least one section of figures", "Tabellen met cijfers: kies minstens één tabel"},
		{"policy.intake_days", "must be 1 to 60, got 0", "Intakebeslissing na de aanmelding (werkdagen): moet van 1 tot 60 zijn (nu 0)"},
		{"policy.tandem_emails[1]", `"tandem@" is not a plain e-mail address`,
			`E-mailadres van de tandem (2): "tandem@" is geen gewoon e-mailadres, zoals naam@clb.be`},
		{"policy.manager_emails", "at most 10 addresses, got 11", "E-mailadressen van de regionale manager: hoogstens 10 adressen (nu 11)"},
		{"offer.waiting_weeks", "must be 0 to 520 weeks, got -1", "Wachttijd in weken: moet van 0 tot 520 weken zijn (nu -1)"},
		{"organisation.regions", "at least one region is required", "Regio's waarin de organisatie werkt: kies minstens één regio"},
		{"organisation.kind", "unknown organisation kind 9", "Soort organisatie: onbekende waarde 9"},
		{"purpose", `must be behandeling, opvolging, inzage or audit, got "x"`, `Doel: kies behandeling, opvolging, inzage of audit (nu "x")`},
		{"to_time", "must be after from_time", "Tot: moet na het begin van de periode liggen"},
		{"answer", "is something new", "Antwoord op de vraag: ongeldige waarde"},
	} {
		if got := Violation(tc.field, tc.desc); got != tc.want {
			t.Errorf("Violation(%s, %q)\n = %q\nwant %q", tc.field, tc.desc, got, tc.want)
		}
	}
}

// The services' validation code is read for every description it can
// give and every field path it names literally: each has a Dutch one, so
// that a new English description is caught here. A description that is
// not a literal format at the call is not seen.
func TestEveryDescriptionIsDutch(t *testing.T) {
	var formats, whys, literalFields []string
	fset := token.NewFileSet()
	for _, dir := range []string{"caseservice", "consultationservice", "reportservice", "signalservice", "directoryservice", "auditservice", "rpc"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "services", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("services/%s: %v %v", dir, files, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				method := ""
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					method = fn.Sel.Name
				case *ast.Ident:
					method = fn.Name
				}
				arg := func(i int) (string, bool) {
					if i >= len(call.Args) {
						return "", false
					}
					lit, ok := call.Args[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return "", false
					}
					s, err := strconv.Unquote(lit.Value)
					return s, err == nil
				}
				fieldArg := 0
				switch method {
				case "Add":
					format, ok := arg(1)
					if !ok {
						return true
					}
					formats = append(formats, format)
				case "Forbidden":
					if why, ok := arg(2); ok {
						whys = append(whys, why)
					}
				case "Text", "Email":
				case "phone", "CaseID", "ID", "parseName", "checkRegion":
					fieldArg = 1
				default:
					return true
				}
				if f, ok := arg(fieldArg); ok {
					literalFields = append(literalFields, f)
				}
				return true
			})
		}
	}
	if len(formats) < 50 || len(whys) < 4 || len(literalFields) < 50 {
		t.Fatalf("found %d formats, %d reasons to leave a field empty, %d fields: is the validation elsewhere now?",
			len(formats), len(whys), len(literalFields))
	}
	sample := strings.NewReplacer("%d", "7", "%q", `"x"`, "%s", "x", "%v", "x")
	for _, f := range formats {
		if got := Violation("reason", sample.Replace(f)); strings.HasSuffix(got, ": ongeldige waarde") {
			t.Errorf("no Dutch for %q", f)
		}
	}
	generic := Violation("reason", "must be empty x")
	for _, why := range whys {
		if Violation("reason", "must be empty "+why) == generic {
			t.Errorf("no Dutch for %q", "must be empty "+why)
		}
	}
	for _, f := range literalFields {
		if Field(f) == f {
			t.Errorf("no label for field %s", f)
		}
	}
}
