package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The value types of a case that travel in the case workflow's payloads are
// package vocab's, so that a change of storage never changes a history.

// YoungPerson is the pupil in pseudonymous form.
type YoungPerson struct {
	Alias        string
	BirthYear    int
	BirthMonth   int
	SchoolLevel  string
	Grade        int
	School       string
	Municipality string
}

// Case is the stored record of a case and its current stage.
type Case struct {
	ID        string
	RequestID string
	// Reference names the case for people ("ROTS-1A2B3C4D"); CreateCase
	// sets it.
	Reference      string
	Region         string
	Stage          string
	OrgName        string
	OrgKind        string
	ContactName    string
	ContactEmail   string
	ContactPhone   string
	YoungPerson    YoungPerson
	Blocked        string
	Tried          []string
	Themes         []string
	CLBStuck       bool
	YouthCareStuck bool
	Informed       bool
	OpenQuestion   string
	Advice         string
	Offer          string
	Agreements     []vocab.Agreement
	ClosureReason  string
	ClosureNote    string
	SubmittedAt    time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
	Escalation     Escalation
	// ConsentWithdrawnAt is set once the young person or the parents
	// withdrew consent.
	ConsentWithdrawnAt *time.Time
	Meeting            vocab.Meeting
	Participants       []vocab.Participant
	ConsultExperts     []string
	ConsultDate        *time.Time
	OffersUsed         []string
}

// Event is one entry on a case's timeline.
type Event struct {
	ID        int64
	CaseID    string
	RequestID string
	Kind      string
	FromStage string
	ToStage   string
	Actor     string
	Summary   string
	At        time.Time
}

// caseInsertColumns are the columns CreateCase writes.
const caseInsertColumns = `id, request_id, region, stage, org_name, org_kind,
	contact_name, contact_email, contact_phone,
	yp_alias, yp_birth_year, yp_birth_month, yp_school_level, yp_grade, yp_school, yp_municipality,
	blocked, tried, themes, clb_stuck, youth_care_stuck, informed,
	open_question, advice, offer, closure_reason, closure_note,
	submitted_at, updated_at, closed_at, rung, breakthrough, deadlines, consent_withdrawn_at, reference`

// caseColumns are the columns scanCase reads.
const caseColumns = caseInsertColumns + `, meeting_at, meeting_minutes, meeting_location, meeting_sequence,
	consult_experts, consult_date, offers_used`

// scanCase reads a case row and opens its sealed texts.
func (db *DB) scanCase(row pgx.Row) (*Case, error) {
	var c Case
	yp := &c.YoungPerson
	err := row.Scan(&c.ID, &c.RequestID, &c.Region, &c.Stage, &c.OrgName, &c.OrgKind,
		&c.ContactName, &c.ContactEmail, &c.ContactPhone,
		&yp.Alias, &yp.BirthYear, &yp.BirthMonth, &yp.SchoolLevel, &yp.Grade, &yp.School, &yp.Municipality,
		&c.Blocked, &c.Tried, &c.Themes, &c.CLBStuck, &c.YouthCareStuck, &c.Informed,
		&c.OpenQuestion, &c.Advice, &c.Offer, &c.ClosureReason, &c.ClosureNote,
		&c.SubmittedAt, &c.UpdatedAt, &c.ClosedAt, &c.Escalation.Rung, &c.Escalation.Breakthrough, &c.Escalation.Deadlines, &c.ConsentWithdrawnAt, &c.Reference,
		&c.Meeting.At, &c.Meeting.Minutes, &c.Meeting.Location, &c.Meeting.Sequence,
		&c.ConsultExperts, &c.ConsultDate, &c.OffersUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	// Empty lists read back as none, as they were given.
	if len(c.ConsultExperts) == 0 {
		c.ConsultExperts = nil
	}
	if len(c.OffersUsed) == 0 {
		c.OffersUsed = nil
	}
	return &c, db.openCase(&c)
}

// CreateCase records a submitted case and its first event in one transaction.
// When a case with the same RequestID exists, it returns that case and
// created=false: a retried submission never makes a second case. The case
// gets a fresh random reference; one already taken is drawn again.
func (db *DB) CreateCase(ctx context.Context, c *Case) (_ *Case, created bool, err error) {
	for range 5 {
		c.Reference = NewReference()
		err = db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			if created, err = db.createCase(ctx, tx, c); err != nil || !created {
				return err
			}
			// The new case counts in the reports.
			return addReportRows(ctx, tx, c.ID)
		})
		if !isUniqueViolation(err, "cases_reference_idx") {
			break
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("store.CreateCase: %w", err)
	}
	got, err := db.caseBy(ctx, "request_id", c.RequestID)
	if err != nil {
		return nil, false, fmt.Errorf("store.CreateCase: %w", err)
	}
	return got, created, nil
}

// NewReference draws a case reference: "ROTS-" and 8 random hex digits.
// Unique only with the database's index behind it.
func NewReference() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "ROTS-" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// isUniqueViolation reports whether err is PostgreSQL refusing a duplicate
// in the named index or constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

func (db *DB) createCase(ctx context.Context, tx pgx.Tx, c *Case) (created bool, err error) {
	yp := c.YoungPerson
	tag, err := tx.Exec(ctx, `INSERT INTO cases (`+caseInsertColumns+`, age_band)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,'','','','','',$23,$23,NULL,0,false,'[]',NULL,$24,
			report_age_band($11, $12, $23))
		ON CONFLICT (request_id) DO NOTHING`,
		c.ID, c.RequestID, c.Region, c.Stage, c.OrgName, c.OrgKind,
		c.ContactName, c.ContactEmail, c.ContactPhone,
		yp.Alias, yp.BirthYear, yp.BirthMonth, yp.SchoolLevel, yp.Grade, yp.School, yp.Municipality,
		db.seal(c.Blocked, c.ID), db.sealAll(c.Tried, c.ID), c.Themes, c.CLBStuck, c.YouthCareStuck, c.Informed, c.SubmittedAt,
		c.Reference)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO case_events (case_id, request_id, kind, from_stage, to_stage, actor, summary, at)
		VALUES ($1, $2, 'submitted', '', $3, $4, 'Aangemeld door ' || $5, $6)`,
		c.ID, c.RequestID, c.Stage, c.ContactName, c.OrgName, c.SubmittedAt)
	return err == nil, err
}

// CaseIDByReference returns the ID of the case with the reference, or
// ErrNotFound.
func (db *DB) CaseIDByReference(ctx context.Context, reference string) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `SELECT id FROM cases WHERE reference = $1`, reference).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store.CaseIDByReference: %w", err)
	}
	return id, nil
}

// GetCase returns the case with the given ID, or ErrNotFound.
func (db *DB) GetCase(ctx context.Context, id string) (*Case, error) {
	c, err := db.caseBy(ctx, "id", id)
	if err != nil {
		return nil, fmt.Errorf("store.GetCase(%q): %w", id, err)
	}
	return c, nil
}

func (db *DB) caseBy(ctx context.Context, column, value string) (*Case, error) {
	c, err := db.scanCase(db.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE `+column+` = $1`, value))
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT action, owner_organisation, due_date, status, blocked_reason, person
		FROM agreements WHERE case_id = $1 ORDER BY position`, c.ID)
	if err != nil {
		return nil, err
	}
	c.Agreements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (vocab.Agreement, error) {
		var a vocab.Agreement
		if err := r.Scan(&a.Action, &a.OwnerOrganisation, &a.DueDate, &a.Status, &a.BlockedReason, &a.Person); err != nil {
			return a, err
		}
		action, err := db.texts.OpenText(a.Action, c.ID)
		a.Action = action
		if err == nil {
			a.BlockedReason, err = db.texts.OpenText(a.BlockedReason, c.ID)
		}
		return a, err
	})
	if err != nil {
		return nil, err
	}
	rows, err = db.pool.Query(ctx, `SELECT kind, organisation, name, email, role
		FROM table_participants WHERE case_id = $1 ORDER BY position`, c.ID)
	if err != nil {
		return nil, err
	}
	c.Participants, err = pgx.CollectRows(rows, pgx.RowToStructByPos[vocab.Participant])
	if len(c.Participants) == 0 {
		c.Participants = nil
	}
	return c, err
}

// CaseFilter narrows ListCases; empty fields match everything.
type CaseFilter struct {
	Region      string
	Stage       string
	OrgName     string
	OverdueOnly bool // rung 1 or higher
	MinRung     int
	Reference   string
	// OpenOnly leaves out closed cases.
	OpenOnly bool
	// Query is a search on the reference (QueryReference) or the young
	// person's alias, which must contain it in any case.
	Query string
	// InvitedOrg leaves only the cases whose table invites this
	// organisation and whose consent was not withdrawn: those shared with
	// that partner.
	InvitedOrg string
	// Order is the order of the list. It is not a filter, but a page
	// token goes with it as with the filters.
	Order CaseOrder
}

// CaseOrder is an order of ListCases.
type CaseOrder string

// The orders of ListCases.
const (
	// NewestFirst: by (SubmittedAt, ID), newest first.
	NewestFirst CaseOrder = ""
	// ByUrgency: by (Urgency, NextDeadline, SubmittedAt, ID), ascending:
	// the tandem's werkbak.
	ByUrgency CaseOrder = "urgency"
)

// Urgency ranks a case in the urgency order, the most urgent lowest: 0 to
// 4 a case that broke through, by rung, higher first; 5 to 9 the other open
// cases by rung (rung 1 or higher is overdue); ClosedUrgency a closed case.
// It is the SQL function case_urgency (migration 0015), which the index
// and the query use.
func Urgency(stage string, breakthrough bool, rung int) int {
	switch {
	case stage == vocab.StageClosed:
		return ClosedUrgency
	case breakthrough:
		return 4 - rung
	}
	return 9 - rung
}

// ClosedUrgency is the urgency of every closed case, after all open ones.
const ClosedUrgency = 10

// NextDeadline is when the earliest of the deadlines falls, cut to the
// microsecond as PostgreSQL keeps it, or nil when none runs: the column
// next_deadline ('infinity' for nil).
func NextDeadline(deadlines []escalation.Deadline) *time.Time {
	var next *time.Time
	for _, d := range deadlines {
		if due := d.Due.Truncate(time.Microsecond); next == nil || due.Before(*next) {
			next = &due
		}
	}
	return next
}

// Cursor is the position after which a page starts: newest first, by
// (SubmittedAt, ID); in urgency order by (Urgency, NextDeadline,
// SubmittedAt, ID). CursorOf makes it.
type Cursor struct {
	SubmittedAt time.Time
	ID          string
	// For ByUrgency only; a nil NextDeadline is none ('infinity').
	Urgency      int        `json:",omitempty"`
	NextDeadline *time.Time `json:",omitempty"`
}

// CursorOf is the position of a case that ListCases returned in the given
// order, to continue after it.
func CursorOf(c *Case, order CaseOrder) Cursor {
	cur := Cursor{SubmittedAt: c.SubmittedAt, ID: c.ID}
	if order == ByUrgency {
		cur.Urgency = Urgency(c.Stage, c.Escalation.Breakthrough, c.Escalation.Rung)
		cur.NextDeadline = NextDeadline(c.Escalation.Deadlines)
	}
	return cur
}

// Valid reports whether the cursor names a row ID and an urgency; a page
// token can be forged.
func (c Cursor) Valid() bool {
	return uuid.Validate(c.ID) == nil && c.Urgency >= 0 && c.Urgency <= ClosedUrgency
}

// urgencyKey is the urgency order, as the index cases_urgency_idx has it.
const urgencyKey = `case_urgency(stage, breakthrough, rung), next_deadline, submitted_at, id`

// QueryReference is the case reference a search text names, with or
// without "ROTS-", in any case ("rots-1a2b3c4d", "1A2B3C4D"), and whether it
// names one.
func QueryReference(query string) (string, bool) {
	ref := strings.ToUpper(strings.TrimSpace(query))
	if !strings.HasPrefix(ref, "ROTS-") {
		ref = "ROTS-" + ref
	}
	return ref, vocab.IsReference(ref)
}

// likeEscaper makes a text match itself in a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListCases returns up to limit cases matching f in f's order, starting
// after the cursor when one is given (see CursorOf). Agreements are not
// loaded.
func (db *DB) ListCases(ctx context.Context, f CaseFilter, after *Cursor, limit int) ([]*Case, error) {
	// Only the filters given are in the query: a generic plan for
	// "($1 = '' OR region = $1)" cannot use the indexes.
	var (
		conds []string
		args  Args
	)
	arg := args.Add
	if f.Region != "" {
		conds = append(conds, "region = "+arg(f.Region))
	}
	if f.Stage != "" {
		conds = append(conds, "stage = "+arg(f.Stage))
	}
	if f.OrgName != "" {
		conds = append(conds, "org_name = "+arg(f.OrgName))
	}
	if f.Reference != "" {
		conds = append(conds, "reference = "+arg(f.Reference))
	}
	if f.InvitedOrg != "" {
		// As Scope decides a partner's access to one case.
		conds = append(conds, "consent_withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM table_participants tp WHERE tp.case_id = cases.id AND tp.organisation = "+
			arg(f.InvitedOrg)+")")
	}
	if f.OpenOnly {
		conds = append(conds, "stage <> 'CLOSED'")
		if f.Order == ByUrgency {
			// The same, but as a bound of the index range: the scan ends
			// with the open cases instead of reading past the closed ones.
			conds = append(conds, fmt.Sprintf("case_urgency(stage, breakthrough, rung) < %d", ClosedUrgency))
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// The alias is stored in plain text (not sealed), so PostgreSQL
		// can match it.
		match := "yp_alias ILIKE " + arg("%"+likeEscaper.Replace(q)+"%")
		if ref, ok := QueryReference(q); ok {
			match = "(reference = " + arg(ref) + " OR " + match + ")"
		}
		conds = append(conds, match)
	}
	minRung := f.MinRung
	if f.OverdueOnly && minRung < 1 {
		minRung = 1
	}
	if minRung > 0 {
		// A literal, so the planner can use the partial index on rung > 0.
		conds = append(conds, fmt.Sprintf("rung >= %d AND rung > 0", minRung))
	}
	order := `submitted_at DESC, id DESC`
	if f.Order == ByUrgency {
		order = urgencyKey
		if after != nil {
			conds = append(conds, "("+urgencyKey+") > ("+arg(after.Urgency)+", COALESCE("+arg(after.NextDeadline)+
				"::timestamptz, 'infinity'), "+arg(after.SubmittedAt)+", "+arg(after.ID)+")")
		}
	} else if after != nil {
		conds = append(conds, "(submitted_at, id) < ("+arg(after.SubmittedAt)+", "+arg(after.ID)+")")
	}
	query := `SELECT ` + caseColumns + ` FROM cases`
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, " AND ")
	}
	query += ` ORDER BY ` + order + ` LIMIT ` + arg(limit)
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store.ListCases: %w", err)
	}
	cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Case, error) { return db.scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("store.ListCases: %w", err)
	}
	return cases, nil
}

// ListEvents returns up to limit events of a case in the order they
// happened, starting after the event with ID afterID.
func (db *DB) ListEvents(ctx context.Context, caseID string, afterID int64, limit int) ([]Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, case_id, request_id, kind, from_stage, to_stage, actor, summary, at
		FROM case_events WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3`, caseID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store.ListEvents: %w", err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
	for i := range events {
		if err == nil {
			events[i].Summary, err = db.texts.OpenText(events[i].Summary, caseID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store.ListEvents: %w", err)
	}
	return events, nil
}

// HasEvent reports whether the case has an event written by requestID,
// which means the command with that request_id was already carried out.
func (db *DB) HasEvent(ctx context.Context, caseID, requestID string) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_events WHERE case_id = $1 AND request_id = $2)`,
		caseID, requestID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store.HasEvent: %w", err)
	}
	return ok, nil
}

// Transition is a stage change with the fields it sets. Nil pointers and a
// nil Agreements slice leave the stored value alone.
type Transition struct {
	CaseID        string
	RequestID     string
	Kind          string
	FromStage     string
	ToStage       string
	Actor         string
	Summary       string
	At            time.Time
	OpenQuestion  *string
	Advice        *string
	Offer         *string
	Agreements    []vocab.Agreement
	ClosureReason *string
	ClosureNote   *string
	Escalation    *Escalation
	// Participants replaces the table's invitees when not nil.
	Participants []vocab.Participant
	Meeting      *vocab.Meeting
	Agreement    *AgreementUpdate
	// The consult's experts and date, and the offers a table's offer uses.
	ConsultExperts []string
	ConsultDate    *time.Time
	OffersUsed     []string
}

// AgreementUpdate sets one agreement's status.
type AgreementUpdate struct {
	Index         int
	Status        string
	BlockedReason string
}

// ApplyTransition writes the event and the new stage in one transaction. It
// is idempotent: a transition whose (case, request_id) event exists already
// changes nothing, so a retried activity is harmless.
func (db *DB) ApplyTransition(ctx context.Context, t Transition) error {
	t.Summary = db.seal(t.Summary, t.CaseID)
	for _, f := range []**string{&t.OpenQuestion, &t.Advice, &t.Offer, &t.ClosureNote} {
		if *f != nil {
			sealed := db.seal(**f, t.CaseID)
			*f = &sealed
		}
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Lock the case first: an unknown case is ErrNotFound rather than a
		// foreign-key violation on the event, and transitions of one case
		// are applied one at a time.
		rc, err := lockReportCase(ctx, tx, t.CaseID)
		if err != nil {
			return err
		}
		// The reports follow every change in this transaction.
		return withReports(ctx, tx, t.CaseID, func() error { return db.applyTransition(ctx, tx, rc, t) })
	})
	if err != nil {
		return fmt.Errorf("store.ApplyTransition(%q, %q): %w", t.CaseID, t.Kind, err)
	}
	return nil
}

// applyTransition writes a transition to a locked case.
func (db *DB) applyTransition(ctx context.Context, tx pgx.Tx, rc reportCase, t Transition) error {
	if t.Kind != "" {
		tag, err := tx.Exec(ctx, `INSERT INTO case_events (case_id, request_id, kind, from_stage, to_stage, actor, summary, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (case_id, request_id) DO NOTHING`,
			t.CaseID, t.RequestID, t.Kind, t.FromStage, t.ToStage, t.Actor, t.Summary, t.At)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		if err := updateStage(ctx, tx, t); err != nil {
			return err
		}
		if err := recordStay(ctx, tx, rc, t); err != nil {
			return fmt.Errorf("report durations: %w", err)
		}
	}
	if e := t.Escalation; e != nil {
		deadlines := e.Deadlines
		if deadlines == nil {
			deadlines = []escalation.Deadline{}
		}
		// next_deadline orders the werkbak (ListCases by urgency).
		if _, err := tx.Exec(ctx, `UPDATE cases SET rung = $2, breakthrough = $3, deadlines = $4,
				next_deadline = COALESCE($5::timestamptz, 'infinity') WHERE id = $1`,
			t.CaseID, e.Rung, e.Breakthrough, deadlines, NextDeadline(deadlines)); err != nil {
			return err
		}
	}
	return db.applyTable(ctx, tx, t)
}

// MarkWorkflowStarted records that the case's workflow runs, taking the
// case off the outbox.
//
// It does not wait for the disk: a mark lost in a crash only makes the
// relay start the workflow again, which does nothing.
func (db *DB) MarkWorkflowStarted(ctx context.Context, caseID string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE cases SET workflow_started = true WHERE id = $1`, caseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.MarkWorkflowStarted: %w", err)
	}
	return nil
}

// UnstartedCases returns up to limit cases, oldest first, submitted before
// the given time whose workflow is not known to be started.
func (db *DB) UnstartedCases(ctx context.Context, before time.Time, limit int) ([]*Case, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+caseColumns+` FROM cases
		WHERE NOT workflow_started AND submitted_at < $1 ORDER BY submitted_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store.UnstartedCases: %w", err)
	}
	cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Case, error) { return db.scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("store.UnstartedCases: %w", err)
	}
	return cases, nil
}

// updateStage sets the stage and the fields a transition carries.
func updateStage(ctx context.Context, tx pgx.Tx, t Transition) error {
	closed := t.ToStage == vocab.StageClosed
	_, err := tx.Exec(ctx, `UPDATE cases SET stage = $2, updated_at = $3,
			open_question = COALESCE($4, open_question),
			advice = COALESCE($5, advice),
			offer = COALESCE($6, offer),
			closure_reason = COALESCE($7, closure_reason),
			closure_note = COALESCE($8, closure_note),
			closed_at = CASE WHEN $9 THEN COALESCE(closed_at, $3) ELSE closed_at END,
			workflow_started = true
		WHERE id = $1`,
		t.CaseID, t.ToStage, t.At, t.OpenQuestion, t.Advice, t.Offer, t.ClosureReason, t.ClosureNote, closed)
	return err
}

// Anonymise removes a case's personal data: the contact person, the young
// person's name, month of birth, grade, school and municipality, every free
// text, and every person named about the case — the actors on its
// timeline, the people of its table and agreements, the consult's experts,
// who recorded its gaps — and its notifications, with their mails and
// invitations. What reports need stays: region, stage, organisation and its
// kind, birth year, school level, themes, times, closure reason,
// escalation, the gaps' theme, age band and wait. The access log keeps its
// entries (see the README, "Retention"). It is idempotent.
func (db *DB) Anonymise(ctx context.Context, caseID string, at time.Time) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE cases SET
				contact_name = '', contact_email = '', contact_phone = '',
				yp_alias = '', yp_birth_month = 0, yp_grade = 0, yp_school = '', yp_municipality = '',
				blocked = '', tried = '{}', open_question = '', advice = '', offer = '', closure_note = '',
				meeting_location = '', consult_experts = '{}',
				anonymised_at = COALESCE(anonymised_at, $2)
			WHERE id = $1`, caseID, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		for _, q := range []string{
			`UPDATE case_events SET summary = '', actor = CASE WHEN actor = 'systeem' THEN actor ELSE '' END WHERE case_id = $1`,
			`UPDATE agreements SET action = '', person = '', blocked_reason = '' WHERE case_id = $1`,
			`UPDATE table_participants SET name = '', email = '', role = '' WHERE case_id = $1`,
			`UPDATE gaps SET needed = '', recorded_by = '' WHERE case_id = $1`,
			// A good practice written from the case stays as published; only
			// its link to the case goes.
			`UPDATE practices SET case_id = NULL WHERE case_id = $1`,
			`DELETE FROM notifications WHERE case_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, caseID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store.Anonymise(%q): %w", caseID, err)
	}
	return nil
}

// TextSealer encrypts the free texts about a young person before they are
// stored, bound to their case.
type TextSealer interface {
	SealText(plain, context string) string
	OpenText(stored, context string) (string, error)
}

// plainTexts stores texts as they are: the store's own tests, and data
// written before encryption.
type plainTexts struct{}

func (plainTexts) SealText(plain, _ string) string           { return plain }
func (plainTexts) OpenText(stored, _ string) (string, error) { return stored, nil }

// SealTexts makes the store encrypt free texts with s from now on; texts
// stored before stay readable.
func (db *DB) SealTexts(s TextSealer) { db.texts = s }

func (db *DB) seal(plain, caseID string) string { return db.texts.SealText(plain, caseID) }

func (db *DB) sealAll(texts []string, caseID string) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = db.seal(t, caseID)
	}
	return out
}

// openCase decrypts a case's sealed texts in place.
func (db *DB) openCase(c *Case) error {
	var err error
	open := func(s *string) {
		if err == nil {
			*s, err = db.texts.OpenText(*s, c.ID)
		}
	}
	for _, f := range []*string{&c.Blocked, &c.OpenQuestion, &c.Advice, &c.Offer, &c.ClosureNote} {
		open(f)
	}
	for i := range c.Tried {
		open(&c.Tried[i])
	}
	return err
}

// WithdrawConsent records the withdrawal of consent with its event, once
// per request ID; the first withdrawal's time stays.
func (db *DB) WithdrawConsent(ctx context.Context, caseID, requestID, actor, summary string, at time.Time) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var stage string
		err := tx.QueryRow(ctx, `UPDATE cases SET consent_withdrawn_at = COALESCE(consent_withdrawn_at, $2)
			WHERE id = $1 RETURNING stage`, caseID, at).Scan(&stage)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO case_events (case_id, request_id, kind, from_stage, to_stage, actor, summary, at)
			VALUES ($1, $2, 'consent.withdrawn', $3, $3, $4, $5, $6) ON CONFLICT (case_id, request_id) DO NOTHING`,
			caseID, requestID, stage, actor, db.seal(summary, caseID), at)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.WithdrawConsent(%q): %w", caseID, err)
	}
	return nil
}

// applyTable writes what a transition says about agreements, the table's
// participants and its meeting.
func (db *DB) applyTable(ctx context.Context, tx pgx.Tx, t Transition) error {
	if t.Agreements != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM agreements WHERE case_id = $1`, t.CaseID); err != nil {
			return err
		}
		for i, a := range t.Agreements {
			if _, err := tx.Exec(ctx, `INSERT INTO agreements (case_id, position, action, owner_organisation, due_date, status, person)
				VALUES ($1,$2,$3,$4,$5,COALESCE(NULLIF($6, ''), 'OPEN'),$7)`,
				t.CaseID, i, db.seal(a.Action, t.CaseID), a.OwnerOrganisation, a.DueDate, a.Status, a.Person); err != nil {
				return err
			}
		}
	}
	if u := t.Agreement; u != nil {
		if _, err := tx.Exec(ctx, `UPDATE agreements SET status = $3, blocked_reason = $4 WHERE case_id = $1 AND position = $2`,
			t.CaseID, u.Index, u.Status, db.seal(u.BlockedReason, t.CaseID)); err != nil {
			return err
		}
	}
	if t.Participants != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM table_participants WHERE case_id = $1`, t.CaseID); err != nil {
			return err
		}
		for i, p := range t.Participants {
			if _, err := tx.Exec(ctx, `INSERT INTO table_participants (case_id, position, kind, organisation, name, email, role)
				VALUES ($1,$2,$3,$4,$5,$6,$7)`, t.CaseID, i, p.Kind, p.Organisation, p.Name, p.Email, p.Role); err != nil {
				return err
			}
		}
	}
	if t.ConsultExperts != nil || t.ConsultDate != nil {
		if _, err := tx.Exec(ctx, `UPDATE cases SET consult_experts = COALESCE($2::text[], '{}'), consult_date = $3 WHERE id = $1`,
			t.CaseID, t.ConsultExperts, t.ConsultDate); err != nil {
			return err
		}
	}
	if t.OffersUsed != nil {
		if _, err := tx.Exec(ctx, `UPDATE cases SET offers_used = $2 WHERE id = $1`, t.CaseID, t.OffersUsed); err != nil {
			return err
		}
	}
	if m := t.Meeting; m != nil {
		if _, err := tx.Exec(ctx, `UPDATE cases SET meeting_at = $2, meeting_minutes = $3, meeting_location = $4, meeting_sequence = $5
			WHERE id = $1`, t.CaseID, m.At, m.Minutes, m.Location, m.Sequence); err != nil {
			return err
		}
	}
	return nil
}
