package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Gap is an offer a table needed and the region lacks, or only with too
// long a wait. What was needed is a short text without personal data.
type Gap struct {
	ID           int64
	CaseID       string
	Region       string
	Theme        string
	AgeBand      string
	Needed       string
	WaitingWeeks int
	RecordedAt   time.Time
	RecordedBy   string
}

// RecordGap stores a gap once per (case, request ID) and returns it.
func (db *DB) RecordGap(ctx context.Context, requestID string, g Gap) (*Gap, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockReportCase(ctx, tx, g.CaseID); err != nil {
			return err
		}
		return withReports(ctx, tx, g.CaseID, func() error { return recordGap(ctx, tx, requestID, &g) })
	})
	if err != nil {
		return nil, fmt.Errorf("store.RecordGap: %w", err)
	}
	return &g, nil
}

func recordGap(ctx context.Context, tx pgx.Tx, requestID string, g *Gap) error {
	err := tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO gaps (case_id, request_id, region, theme, age_band, needed, waiting_weeks, recorded_at, recorded_by)
			SELECT id, $2, region, $3, $4, $5, $6, $7, $8 FROM cases WHERE id = $1
			ON CONFLICT (case_id, request_id) DO NOTHING
			RETURNING id, region, recorded_at, recorded_by, theme, age_band, needed, waiting_weeks)
		SELECT * FROM ins
		UNION ALL SELECT id, region, recorded_at, recorded_by, theme, age_band, needed, waiting_weeks FROM gaps WHERE case_id = $1 AND request_id = $2`,
		g.CaseID, requestID, g.Theme, g.AgeBand, g.Needed, g.WaitingWeeks, g.RecordedAt, g.RecordedBy).
		Scan(&g.ID, &g.Region, &g.RecordedAt, &g.RecordedBy, &g.Theme, &g.AgeBand, &g.Needed, &g.WaitingWeeks)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	return err
}

// RecordAttendance marks which participants came: those at the positions
// given, the others not. Setting it again replaces it.
func (db *DB) RecordAttendance(ctx context.Context, caseID string, present []int) error {
	if _, err := db.pool.Exec(ctx, `UPDATE table_participants SET present = (position = ANY($2)) WHERE case_id = $1`, caseID, present); err != nil {
		return fmt.Errorf("store.RecordAttendance: %w", err)
	}
	return nil
}

// Attendance returns a table's participants and whether each came.
func (db *DB) Attendance(ctx context.Context, caseID string) ([]vocab.Participant, []bool, error) {
	rows, err := db.pool.Query(ctx, `SELECT kind, organisation, name, email, role, COALESCE(present, false)
		FROM table_participants WHERE case_id = $1 ORDER BY position`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("store.Attendance: %w", err)
	}
	defer rows.Close()
	var ps []vocab.Participant
	var came []bool
	for rows.Next() {
		var p vocab.Participant
		var here bool
		if err := rows.Scan(&p.Kind, &p.Organisation, &p.Name, &p.Email, &p.Role, &here); err != nil {
			return nil, nil, fmt.Errorf("store.Attendance: %w", err)
		}
		ps, came = append(ps, p), append(came, here)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store.Attendance: %w", err)
	}
	return ps, came, nil
}

// GapByRequest returns the gap a request recorded on a case, or ErrNotFound.
func (db *DB) GapByRequest(ctx context.Context, caseID, requestID string) (*Gap, error) {
	g := Gap{CaseID: caseID}
	err := db.pool.QueryRow(ctx, `SELECT id, region, recorded_at, recorded_by, theme, age_band, needed, waiting_weeks
		FROM gaps WHERE case_id = $1 AND request_id = $2`, caseID, requestID).
		Scan(&g.ID, &g.Region, &g.RecordedAt, &g.RecordedBy, &g.Theme, &g.AgeBand, &g.Needed, &g.WaitingWeeks)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store.GapByRequest: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store.GapByRequest: %w", err)
	}
	return &g, nil
}
