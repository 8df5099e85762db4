package vocab

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// The constants are the API's enums, stored.
func TestConstantsAreTheAPIs(t *testing.T) {
	if got := StoredNames[rotsv1.Stage](); !slices.Equal(got, Stages) {
		t.Errorf("stages %v, the API has %v", Stages, got)
	}
	if got := StoredNames[rotsv1.Region](); !slices.Equal(got, Regions) {
		t.Errorf("regions %v, the API has %v", Regions, got)
	}
	if got := StoredNames[rotsv1.ClosureReason](); !slices.Equal(got, ClosureReasons) {
		t.Errorf("closure reasons %v, the API has %v", ClosureReasons, got)
	}
	for _, st := range Stages {
		if _, ok := stageNames[st]; !ok {
			t.Errorf("stage %s has no Dutch name", st)
		}
	}
	for _, r := range ClosureReasons {
		if _, ok := closureReasons[r]; !ok {
			t.Errorf("closure reason %s has no Dutch name", r)
		}
	}
	statuses := []string{AgreementOpen, AgreementInProgress, AgreementDone, AgreementBlocked}
	if got := StoredNames[rotsv1.AgreementStatus](); !slices.Equal(got, statuses) {
		t.Errorf("agreement statuses %v, the API has %v", statuses, got)
	}
	for _, r := range Regions {
		if RegionFromSlug(RegionSlug(r)) != r || RegionName(r) == "" {
			t.Errorf("region %s: slug %q, name %q", r, RegionSlug(r), RegionName(r))
		}
	}
	if RegionFromSlug(Flanders) != "" || RegionName("") != "Vlaanderen" {
		t.Error("all of Flanders is not the empty region")
	}
}

// No package but this one spells a stage, a region or a closure reason:
// they use the names here. ("OTHER" is also a theme and a kind of
// organisation, so it is not looked for.) Tests may spell them, as data.
func TestNoOtherPackageSpellsTheVocabulary(t *testing.T) {
	words := map[string]bool{}
	for _, w := range append(append(slices.Clone(Stages), Regions...),
		ClosedBackAtSchool, ClosedAlternativeTrajectory, ClosedReferredITP, ClosedMovedOutOfRegion, ClosedDeclined, ClosedWithdrawn) {
		words[strconv.Quote(w)] = true
	}
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "gen", "vocab", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && words[lit.Value] {
				found = append(found, path+": "+lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("spelled outside package vocab (use its constants):\n%s", strings.Join(found, "\n"))
	}
}
