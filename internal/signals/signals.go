// Package signals keeps the signals to government (signaalfunctie) in
// PostgreSQL: a manager's draft with the dashboard's figures frozen in it,
// approved by another manager (four eyes: the author's token subject may
// not approve, and the database refuses it too), then marked sent; once
// approved, a trigger keeps what was approved from changing. Its tables are
// migrated with the rest by package store. It must not import the services
// or the workflows.
package signals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Store keeps the signals in the service's database.
type Store struct{ db *store.DB }

// New returns the signals kept in db.
func New(db *store.DB) *Store { return &Store{db: db} }

// requests remembers which request_id did what to a signal.
var requests = store.RequestLog{Table: "signal_requests", Resource: "signal_id"}

// The states of a signal to government.
const (
	SignalDraft    = "DRAFT"
	SignalApproved = "APPROVED"
	SignalSent     = "SENT"
)

var (
	// ErrOwnSignal means an author tried to approve their own signal.
	ErrOwnSignal = errors.New("the author of a signal cannot approve it")
	// ErrStaleSignal means the signal changed since the version the caller
	// read (its etag).
	ErrStaleSignal = errors.New("the signal changed since it was read")
)

// SignalStateError means a signal is not in the state a change needs.
type SignalStateError struct {
	State string // the signal's state
	Need  string // the state the change needs
}

func (e *SignalStateError) Error() string {
	return fmt.Sprintf("signal is %s; this needs %s", e.State, e.Need)
}

// Figure is one figure after disclosure control: a count, a measure, or
// hidden. A hidden figure has no value, here or in the database. The zero
// Figure means "not applicable".
type Figure struct {
	Count      *int64   `json:"count,omitempty"`
	Measure    *float64 `json:"measure,omitempty"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// Valid reports whether the figure is at most one of count, measure or
// hidden.
func (f Figure) Valid() bool {
	n := 0
	for _, set := range []bool{f.Count != nil, f.Measure != nil, f.Suppressed} {
		if set {
			n++
		}
	}
	return n <= 1
}

// String is the figure as published: the count, the measure with a
// decimal point (as few digits as it needs), "x" when hidden, "" when not
// applicable.
func (f Figure) String() string {
	switch {
	case f.Suppressed:
		return "x"
	case f.Count != nil:
		return strconv.FormatInt(*f.Count, 10)
	case f.Measure != nil:
		return strconv.FormatFloat(*f.Measure, 'f', -1, 64)
	}
	return ""
}

// FigureRow is one row of a figure table.
type FigureRow struct {
	Label string   `json:"label"`
	Cells []Figure `json:"cells"`
	Total *Figure  `json:"total,omitempty"`
}

// FigureTable is one table of a signal's figures, after disclosure control.
type FigureTable struct {
	Section      string      `json:"section"` // e.g. STAGE
	Title        string      `json:"title"`
	Unit         string      `json:"unit,omitempty"`
	RowHeader    string      `json:"row_header,omitempty"`
	Columns      []string    `json:"columns"`
	Rows         []FigureRow `json:"rows"`
	ColumnTotals []Figure    `json:"column_totals,omitempty"`
	Total        *Figure     `json:"total,omitempty"`
	Note         string      `json:"note,omitempty"`
}

// Validate reports the first way the table is malformed.
func (t FigureTable) Validate() error {
	check := func(f *Figure, where string) error {
		if f != nil && !f.Valid() {
			return fmt.Errorf("figure table %q: %s holds more than one value", t.Section, where)
		}
		return nil
	}
	for i, r := range t.Rows {
		if len(r.Cells) != len(t.Columns) {
			return fmt.Errorf("figure table %q: row %d has %d cells for %d columns", t.Section, i, len(r.Cells), len(t.Columns))
		}
		for j := range r.Cells {
			if err := check(&r.Cells[j], fmt.Sprintf("cell (%d, %d)", i, j)); err != nil {
				return err
			}
		}
		if err := check(r.Total, fmt.Sprintf("row total %d", i)); err != nil {
			return err
		}
	}
	if len(t.ColumnTotals) != 0 && len(t.ColumnTotals) != len(t.Columns) {
		return fmt.Errorf("figure table %q: %d column totals for %d columns", t.Section, len(t.ColumnTotals), len(t.Columns))
	}
	for j := range t.ColumnTotals {
		if err := check(&t.ColumnTotals[j], fmt.Sprintf("column total %d", j)); err != nil {
			return err
		}
	}
	return check(t.Total, "the total")
}

// Signal is a signal to government.
type Signal struct {
	ID        string
	RequestID string
	State     string // DRAFT, APPROVED or SENT
	// Region is the stored region name, "" for all of Flanders.
	Region string
	// StartMonth and EndMonth are the first days (UTC) of the period's first
	// and last month.
	StartMonth, EndMonth time.Time
	Title                string
	Text                 string
	Sections             []string
	Figures              []FigureTable
	FiguresAt            time.Time
	// Author and Approver are display names; the subjects are the stable
	// identities that four eyes compare.
	Author, AuthorSubject     string
	Approver, ApproverSubject string
	ApprovedAt                *time.Time
	Recipient, Sender         string
	SentAt                    *time.Time
	Revision                  int
	CreatedAt, UpdatedAt      time.Time
}

// Etag names the signal's current version.
func (s *Signal) Etag() string { return `"` + strconv.Itoa(s.Revision) + `"` }

// The methods recorded with a request_id.
const (
	methodCreateSignal   = "CreateSignal"
	methodUpdateSignal   = "UpdateSignal"
	methodApproveSignal  = "ApproveSignal"
	methodMarkSignalSent = "MarkSignalSent"
)

const signalColumns = `id, request_id, state, region, start_month, end_month, title, body, sections, figures, figures_at,
	author, author_subject, approver, approver_subject, approved_at, recipient, sender, sent_at, revision, created_at, updated_at`

// signalListColumns are signalColumns but the frozen figures, which a
// listing leaves out.
var signalListColumns = strings.Replace(signalColumns, ", figures,", ", '[]'::jsonb,", 1)

func scanSignal(row pgx.Row) (*Signal, error) {
	var (
		s   Signal
		raw []byte
	)
	err := row.Scan(&s.ID, &s.RequestID, &s.State, &s.Region, &s.StartMonth, &s.EndMonth, &s.Title, &s.Text, &s.Sections, &raw, &s.FiguresAt,
		&s.Author, &s.AuthorSubject, &s.Approver, &s.ApproverSubject, &s.ApprovedAt, &s.Recipient, &s.Sender, &s.SentAt, &s.Revision, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &s.Figures); err != nil {
		return nil, fmt.Errorf("figures of signal %s: %w", s.ID, err)
	}
	return &s, nil
}

func marshalFigures(tables []FigureTable) ([]byte, error) {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return nil, err
		}
	}
	return json.Marshal(store.NonNil(tables))
}

// SignalByRequest returns the signal that CreateSignal made with requestID,
// store.ErrNotFound when none did, or store.ErrRequestIDReused when the request_id was
// used for another call.
func (st *Store) SignalByRequest(ctx context.Context, requestID string) (*Signal, error) {
	var method, id string
	err := st.db.Pool().QueryRow(ctx, `SELECT method, signal_id FROM signal_requests WHERE request_id = $1`, requestID).Scan(&method, &id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, store.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("signals.SignalByRequest: %w", err)
	case method != methodCreateSignal:
		return nil, fmt.Errorf("signals.SignalByRequest: %w", store.ErrRequestIDReused)
	}
	return st.GetSignal(ctx, id)
}

// CreateSignal stores a new DRAFT signal, or, when its request ID was used
// by a CreateSignal before, returns that signal with created false.
func (st *Store) CreateSignal(ctx context.Context, s *Signal) (_ *Signal, created bool, err error) {
	if !store.ValidID(s.ID) {
		return nil, false, fmt.Errorf("signals.CreateSignal: ID %q is not a UUID", s.ID)
	}
	figures, err := marshalFigures(s.Figures)
	if err != nil {
		return nil, false, fmt.Errorf("signals.CreateSignal: %w", err)
	}
	at := store.Stamp(s.CreatedAt)
	var id string
	err = st.db.Tx(ctx, func(tx pgx.Tx) error {
		fresh, before, err := store.ClaimRequest(ctx, tx, requests, s.RequestID, methodCreateSignal, s.ID, at)
		if err != nil || !fresh {
			id = before
			return err
		}
		id, created = s.ID, true
		_, err = tx.Exec(ctx, `INSERT INTO signals (id, request_id, state, region, start_month, end_month, title, body, sections,
				figures, figures_at, author, author_subject, revision, created_at, updated_at)
			VALUES ($1, $2, 'DRAFT', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)`,
			s.ID, s.RequestID, s.Region, s.StartMonth, s.EndMonth, s.Title, s.Text, store.NonNil(s.Sections),
			figures, store.Stamp(s.FiguresAt), s.Author, s.AuthorSubject, at)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("signals.CreateSignal: %w", err)
	}
	got, err := st.GetSignal(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("signals.CreateSignal: %w", err)
	}
	return got, created, nil
}

// GetSignal returns one signal with its figures.
func (st *Store) GetSignal(ctx context.Context, id string) (*Signal, error) {
	if !store.ValidID(id) {
		return nil, fmt.Errorf("signals.GetSignal(%q): %w", id, store.ErrNotFound)
	}
	s, err := scanSignal(st.db.Pool().QueryRow(ctx, `SELECT `+signalColumns+` FROM signals WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("signals.GetSignal(%q): %w", id, err)
	}
	return s, nil
}

// SignalRegion returns the region a signal is about, "" for all of
// Flanders: what access to it depends on.
func (st *Store) SignalRegion(ctx context.Context, id string) (string, error) {
	if !store.ValidID(id) {
		return "", fmt.Errorf("signals.SignalRegion(%q): %w", id, store.ErrNotFound)
	}
	var region string
	err := st.db.Pool().QueryRow(ctx, `SELECT region FROM signals WHERE id = $1`, id).Scan(&region)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("signals.SignalRegion(%q): %w", id, err)
	}
	return region, nil
}

// SignalFilter narrows ListSignals.
type SignalFilter struct {
	// AnyRegion: signals about every region and about all of Flanders.
	// Otherwise only those whose region is Region ("" for all of Flanders).
	AnyRegion bool
	Region    string
	State     string // "" for every state
}

// SignalCursor is the position after which a page starts, newest first.
type SignalCursor struct {
	CreatedAt time.Time
	ID        string
}

// Valid reports whether the cursor names a row ID; a page token can be
// forged.
func (c SignalCursor) Valid() bool { return uuid.Validate(c.ID) == nil }

// ListSignals returns up to limit signals matching f, newest first,
// starting after the cursor when one is given. Figures are not loaded.
func (st *Store) ListSignals(ctx context.Context, f SignalFilter, after *SignalCursor, limit int) ([]*Signal, error) {
	where := `WHERE ($1 OR region = $2) AND ($3 = '' OR state = $3)`
	args := []any{f.AnyRegion, f.Region, f.State, limit}
	if after != nil {
		if !store.ValidID(after.ID) {
			return nil, fmt.Errorf("signals.ListSignals: cursor ID %q is not a UUID", after.ID)
		}
		where += ` AND (created_at, id) < ($5, $6)`
		args = append(args, after.CreatedAt, after.ID)
	}
	rows, err := st.db.Pool().Query(ctx, `SELECT `+signalListColumns+` FROM signals `+where+` ORDER BY created_at DESC, id DESC LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("signals.ListSignals: %w", err)
	}
	signals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Signal, error) { return scanSignal(r) })
	if err != nil {
		return nil, fmt.Errorf("signals.ListSignals: %w", err)
	}
	return signals, nil
}

// UpdateSignal changes a DRAFT with edit, which gets the stored signal and
// may refuse by returning an error; that error is returned as it is and
// nothing is stored. Any other state is a *SignalStateError. A retry with
// the same requestID calls nothing and returns the signal as it is now.
func (st *Store) UpdateSignal(ctx context.Context, id, requestID string, at time.Time, edit func(*Signal) error) (*Signal, error) {
	return st.changeSignal(ctx, methodUpdateSignal, id, requestID, at, func(s *Signal) error {
		if s.State != SignalDraft {
			return &SignalStateError{State: s.State, Need: SignalDraft}
		}
		return edit(s)
	})
}

// Approver is who approves a signal.
type Approver struct {
	Name, Subject string
	// Etag, when not empty, must be the signal's etag (ErrStaleSignal).
	Etag string
}

// ApproveSignal approves a DRAFT on behalf of a, who must not be its author
// (ErrOwnSignal). A retry with the same requestID returns the signal as it
// is now.
func (st *Store) ApproveSignal(ctx context.Context, id, requestID string, a Approver, at time.Time) (*Signal, error) {
	at = store.Stamp(at)
	return st.changeSignal(ctx, methodApproveSignal, id, requestID, at, func(s *Signal) error {
		switch {
		case s.State != SignalDraft:
			return &SignalStateError{State: s.State, Need: SignalDraft}
		case a.Subject == "" || a.Subject == s.AuthorSubject:
			return ErrOwnSignal
		case a.Etag != "" && a.Etag != s.Etag():
			return ErrStaleSignal
		}
		s.State, s.Approver, s.ApproverSubject, s.ApprovedAt = SignalApproved, a.Name, a.Subject, &at
		return nil
	})
}

// MarkSignalSent records that an APPROVED signal went to recipient, by
// sender. A retry with the same requestID returns the signal as it is now.
func (st *Store) MarkSignalSent(ctx context.Context, id, requestID, sender, recipient string, at time.Time) (*Signal, error) {
	at = store.Stamp(at)
	return st.changeSignal(ctx, methodMarkSignalSent, id, requestID, at, func(s *Signal) error {
		if s.State != SignalApproved {
			return &SignalStateError{State: s.State, Need: SignalApproved}
		}
		s.State, s.Sender, s.Recipient, s.SentAt = SignalSent, sender, recipient, &at
		return nil
	})
}

func (st *Store) changeSignal(ctx context.Context, method, id, requestID string, at time.Time, apply func(*Signal) error) (*Signal, error) {
	if !store.ValidID(id) {
		return nil, fmt.Errorf("signals.%s(%q): %w", method, id, store.ErrNotFound)
	}
	return store.Change(ctx, st.db, requests, method, id, requestID, at,
		func(tx pgx.Tx) (*Signal, error) {
			return scanSignal(tx.QueryRow(ctx, `SELECT `+signalColumns+` FROM signals WHERE id = $1 FOR UPDATE`, id))
		},
		apply,
		func(tx pgx.Tx, s *Signal, at time.Time) error {
			figures, err := marshalFigures(s.Figures)
			if err != nil {
				return err
			}
			s.Revision++
			s.UpdatedAt = at
			_, err = tx.Exec(ctx, `UPDATE signals SET state = $2, start_month = $3, end_month = $4, title = $5, body = $6, sections = $7,
					figures = $8, figures_at = $9, approver = $10, approver_subject = $11, approved_at = $12, recipient = $13, sender = $14,
					sent_at = $15, revision = $16, updated_at = $17
				WHERE id = $1`,
				id, s.State, s.StartMonth, s.EndMonth, s.Title, s.Text, store.NonNil(s.Sections), figures, store.Stamp(s.FiguresAt),
				s.Approver, s.ApproverSubject, s.ApprovedAt, s.Recipient, s.Sender, s.SentAt, s.Revision, s.UpdatedAt)
			return err
		})
}
