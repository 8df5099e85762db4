package workflows

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The README shows the case path as the workflow has it.
func TestREADMEShowsThePath(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), PathTable()) {
		t.Errorf("README.md lacks the case path as workflows.Path has it; put this table in it:\n%s", PathTable())
	}
}

// Every command that is registered has a step, every step's stages exist,
// and every open stage can be left.
func TestPathIsWhole(t *testing.T) {
	commands := []string{UpdateDecideIntake, UpdateAnswerQuestion, UpdateRecordConsult, UpdateRecordTableOutcome, UpdateCloseCase,
		UpdateWithdrawCase, UpdateConveneTable, UpdateScheduleTableMeeting, UpdateReconveneTable, UpdateAgreement,
		UpdateRecordAttendance, UpdateRecordGap}
	for _, c := range commands {
		if len(fromStages(c)) == 0 {
			t.Errorf("%s has no step on the path", c)
		}
	}
	left := map[string]bool{}
	for _, s := range Path {
		if !slices.Contains(commands, s.Command) {
			t.Errorf("step of unknown command %s", s.Command)
		}
		for _, st := range append(slices.Clone(s.From), s.To) {
			if st != "" && !slices.Contains(vocab.Stages, st) {
				t.Errorf("%s: unknown stage %s", s.Command, st)
			}
		}
		if s.To != "" {
			for _, f := range s.From {
				left[f] = true
			}
		}
	}
	for _, st := range open {
		if !left[st] {
			t.Errorf("no command leaves %s", st)
		}
	}
}
