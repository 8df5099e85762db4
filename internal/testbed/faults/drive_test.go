package faults

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// moveTo drives a case through the API along the table path — accepted at
// intake, a table convened at the consult, the table's outcome recorded,
// closed — until it is in stage want. Each command is sent again with its
// request_id until acknowledged, and recorded for check; a case whose
// workflow has not started yet is waited for.
func (h *harness) moveTo(caseID string, want rotsv1.Stage) error {
	name := "cases/" + caseID
	for wait := time.Now().Add(2 * time.Minute); ; {
		var c *rotsv1.Case
		_, err := call(time.Minute, func(ctx context.Context) error {
			resp, err := h.cases.GetCase(rotsdproc.WithToken(ctx, h.coordinator), &rotsv1.GetCaseRequest{Name: name})
			c = resp.GetCase()
			return err
		})
		if err != nil {
			return fmt.Errorf("GetCase %s: %w", caseID, err)
		}
		stage := c.GetStage()
		if stage == want {
			return nil
		}
		requestID := uuid.NewString()
		var command func(ctx context.Context) error
		switch stage {
		case rotsv1.Stage_STAGE_SUBMITTED: // the relay starts its workflow
			if time.Now().After(wait) {
				return fmt.Errorf("case %s: its workflow never started", caseID)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		case rotsv1.Stage_STAGE_INTAKE:
			command = func(ctx context.Context) error {
				_, err := h.cases.DecideIntake(ctx, &rotsv1.DecideIntakeRequest{RequestId: requestID, Name: name,
					Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
				return err
			}
		case rotsv1.Stage_STAGE_CONSULT:
			command = func(ctx context.Context) error {
				_, err := h.cases.RecordConsult(ctx, &rotsv1.RecordConsultRequest{RequestId: requestID, Name: name,
					Advice: "Overlegtafel nodig", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE})
				return err
			}
		case rotsv1.Stage_STAGE_TABLE:
			command = func(ctx context.Context) error {
				_, err := h.cases.RecordTableOutcome(ctx, &rotsv1.RecordTableOutcomeRequest{RequestId: requestID, Name: name,
					Offer: "Halve dagen school", Agreements: []*rotsv1.Agreement{{Action: "Time-outtraject starten",
						OwnerOrganisation: "Vzw Arktos", DueDate: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}}})
				return err
			}
		case rotsv1.Stage_STAGE_FOLLOW_UP:
			command = func(ctx context.Context) error {
				_, err := h.cases.CloseCase(ctx, &rotsv1.CloseCaseRequest{RequestId: requestID, Name: name,
					Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
				return err
			}
		default:
			return fmt.Errorf("case %s is in stage %s, not on the way to %s", caseID, stage, want)
		}
		if _, err := call(2*time.Minute, func(ctx context.Context) error {
			return command(rotsdproc.WithToken(ctx, h.coordinator))
		}); err != nil {
			return fmt.Errorf("case %s in stage %s: %w", caseID, stage, err)
		}
		h.mu.Lock()
		h.commanded[caseID] = append(h.commanded[caseID], requestID)
		h.mu.Unlock()
	}
}
