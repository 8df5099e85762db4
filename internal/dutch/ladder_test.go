package dutch

import (
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

func TestLadder(t *testing.T) {
	kinds := []string{escalation.KindIntake, escalation.KindAnswer, escalation.KindWithdraw, escalation.KindConsult,
		escalation.KindTable, escalation.KindReview, escalation.KindOffer, escalation.KindOutcome, escalation.KindAgreement}
	for _, k := range kinds {
		if _, ok := deadlines[k]; !ok || DeadlineName(k) == "" || DeadlineLabel(k) == "" {
			t.Errorf("deadline %s has no Dutch name (%q) or label (%q)", k, DeadlineName(k), DeadlineLabel(k))
		}
	}
	if len(deadlines) != len(kinds) {
		t.Errorf("%d deadline names for %d kinds", len(deadlines), len(kinds))
	}
	for _, tc := range []struct{ got, want string }{
		{DeadlineName(escalation.KindIntake), "de intakebeslissing"},
		{DeadlineLabel(escalation.KindIntake), "intakebeslissing"},
		{DeadlineLabel("new"), "new"},
		{RungName(escalation.RungTandem), "escalatie naar de tandem"},
		{RungName(5), ""},
		{Rung(0), ""},
		{Rung(2), "trede 2 (tandem)"},
		{Rung(4), "trede 4 (doorbraak)"},
		{Rung(5), "trede 5"},
		{ExpectedFrom(vocab.StageIntake), "de tandem: intakebeslissing"},
		{ExpectedFrom(vocab.StageNeedsInfo), "de aanmelder: antwoord op de vraag"},
		{ExpectedFrom(vocab.StageTable), "de tandem: overlegtafel"},
		{ExpectedFrom(vocab.StageClosed), ""},
		{Expected(vocab.StageClosed), ""},
		{Event("intake.accepted"), "Intake aanvaard"},
		{Event("escalation.rung2"), "Termijn verstreken: trede 2 (tandem)"},
		{Event("something.new"), "something.new"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for r := escalation.RungReminder; r <= escalation.RungBreakthrough; r++ {
		if RungName(r) == "" {
			t.Errorf("rung %d has no name", r)
		}
	}
	// Every open stage says what is expected and who acts next.
	for _, s := range vocab.Stages {
		if s == vocab.StageClosed {
			continue
		}
		if ExpectedFrom(s) == "" {
			t.Errorf("stage %s: nobody acts next", s)
		}
		if s != vocab.StageSubmitted && Expected(s) == "" {
			t.Errorf("stage %s: nothing expected", s)
		}
	}
}
