package workflows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Step is one row of the case path: a command (with, for commands that
// decide, the decision), the stages it may come from, the stage it moves
// the case to ("" when the case stays where it is) and the kind of event
// it writes on the timeline ("" for none).
type Step struct {
	Command  string
	Decision string
	From     []string
	To       string
	Event    string
}

// open is every stage a case can be withdrawn from.
var open = []string{vocab.StageIntake, vocab.StageNeedsInfo, vocab.StageConsult, vocab.StageTable, vocab.StageFollowUp}

// Path is the case path, whole. The handlers read their stages and events
// from it, the validators refuse a command whose stage is not in From, and
// the README's table of the path is checked against it.
var Path = []Step{
	{UpdateDecideIntake, "ACCEPT", []string{vocab.StageIntake}, vocab.StageConsult, "intake.accepted"},
	{UpdateDecideIntake, "ASK_QUESTION", []string{vocab.StageIntake}, vocab.StageNeedsInfo, "intake.question_asked"},
	{UpdateDecideIntake, "DECLINE", []string{vocab.StageIntake}, vocab.StageClosed, "intake.declined"},
	{UpdateAnswerQuestion, "", []string{vocab.StageNeedsInfo}, vocab.StageIntake, "question.answered"},
	{UpdateRecordConsult, "ADVICE_ONLY", []string{vocab.StageConsult}, vocab.StageFollowUp, "consult.advice"},
	{UpdateRecordConsult, "CONVENE_TABLE", []string{vocab.StageConsult}, vocab.StageTable, "consult.convene_table"},
	{UpdateConveneTable, "", []string{vocab.StageTable}, "", "table.convened"},
	{UpdateScheduleTableMeeting, "", []string{vocab.StageTable}, "", "table.scheduled"},
	{UpdateScheduleTableMeeting, "MOVE", []string{vocab.StageTable}, "", "table.rescheduled"},
	{UpdateRecordTableOutcome, "", []string{vocab.StageTable}, vocab.StageFollowUp, "table.outcome"},
	{UpdateAgreement, "", []string{vocab.StageFollowUp}, "", "agreement.updated"},
	{UpdateRecordAttendance, "", []string{vocab.StageTable, vocab.StageFollowUp}, "", ""},
	{UpdateRecordGap, "", []string{vocab.StageConsult, vocab.StageTable, vocab.StageFollowUp}, "", ""},
	{UpdateReconveneTable, "", []string{vocab.StageFollowUp}, vocab.StageTable, "table.reconvened"},
	{UpdateCloseCase, "", []string{vocab.StageFollowUp}, vocab.StageClosed, "closed"},
	{UpdateWithdrawCase, "", open, vocab.StageClosed, "withdrawn"},
}

// pathStep is the row of a command and decision; it panics on one the path
// does not have, which is a programming error caught by the tests.
func pathStep(command, decision string) Step {
	for _, s := range Path {
		if s.Command == command && s.Decision == decision {
			return s
		}
	}
	panic(fmt.Sprintf("workflows: no step %s %s on the case path", command, decision))
}

// fromStages is every stage a command may come from, whatever it decides.
func fromStages(command string) []string {
	var from []string
	for _, s := range Path {
		if s.Command == command {
			for _, st := range s.From {
				if !slices.Contains(from, st) {
					from = append(from, st)
				}
			}
		}
	}
	return from
}

// PathTable is the path as a Markdown table, as the README shows it.
func PathTable() string {
	var b strings.Builder
	b.WriteString("| command | decision | from | to | event |\n|---|---|---|---|---|\n")
	for _, s := range Path {
		to := s.To
		if to == "" {
			to = "(stays)"
		}
		from := strings.Join(s.From, ", ")
		if slices.Equal(s.From, open) {
			from = "any open stage"
		}
		event := "(none)"
		if s.Event != "" {
			event = "`" + s.Event + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", s.Command, s.Decision, from, to, event)
	}
	return b.String()
}
