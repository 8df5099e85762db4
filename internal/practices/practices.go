// Package practices keeps the library of good practices (goede
// praktijken) in PostgreSQL, with Dutch full-text search. A practice keeps
// the ID of the case it was written from only for the rule of one practice
// per case: Practice has no field for it, so nothing read from here can
// lead a reader to the case, and the case's anonymisation clears it
// (store.Anonymise). Its tables are migrated with the rest by package
// store. It must not import the services or the workflows.
package practices

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// The states of a practice.
const (
	InReview  = "IN_REVIEW"
	SentBack  = "SENT_BACK"
	Published = "PUBLISHED"
)

// ErrCaseHasPractice means the case has a practice already.
var ErrCaseHasPractice = errors.New("the case has a practice already")

// Store keeps the practices in the service's database.
type Store struct{ db *store.DB }

// New returns the practices kept in db.
func New(db *store.DB) *Store { return &Store{db: db} }

var requests = store.RequestLog{Table: "practice_requests", Resource: "resource"}

// Practice is one good practice, as every reader may see it, plus who
// wrote and reviewed it (token subjects), for the four-eyes rule.
type Practice struct {
	ID                string
	Region            string
	State             string
	Title             string
	Offer             string
	Agreements        string
	Difference        string
	OrganisationKinds []string
	Themes            []string
	AgeBand           string
	SchoolLevel       string
	DirectoryOffers   []string
	AuthorSubject     string
	ReviewerSubject   string
	ReviewNote        string
	PublishMonth      *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Rank is the full-text rank Search found, 0 without query text.
	Rank float32
}

func resource(id string) string { return "practices/" + id }

const columns = `id, region, state, title, offer, agreements, difference, organisation_kinds, themes, age_band, school_level,
	directory_offers, author_subject, reviewer_subject, review_note, publish_month, created_at, updated_at`

func scan(row pgx.Row, extra ...any) (*Practice, error) {
	var p Practice
	err := row.Scan(append([]any{&p.ID, &p.Region, &p.State, &p.Title, &p.Offer, &p.Agreements, &p.Difference,
		&p.OrganisationKinds, &p.Themes, &p.AgeBand, &p.SchoolLevel, &p.DirectoryOffers, &p.AuthorSubject,
		&p.ReviewerSubject, &p.ReviewNote, &p.PublishMonth, &p.CreatedAt, &p.UpdatedAt}, extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return &p, err
}

// Create adds a practice in review for the case. A retry with the same
// request ID returns the practice it created (created=false); a second
// practice for the case is ErrCaseHasPractice.
func (s *Store) Create(ctx context.Context, requestID, caseID string, p *Practice) (_ *Practice, created bool, err error) {
	at := store.Stamp(p.CreatedAt)
	p.ID = uuid.NewString()
	err = s.db.Tx(ctx, func(tx pgx.Tx) error {
		fresh, before, err := store.ClaimRequest(ctx, tx, requests, requestID, "CreatePractice", resource(p.ID), at)
		if err != nil {
			return err
		}
		if !fresh {
			p, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM practices WHERE id = $1`, strings.TrimPrefix(before, "practices/")))
			return err
		}
		created = true
		_, err = tx.Exec(ctx, `INSERT INTO practices (id, request_id, case_id, region, state, title, offer, agreements, difference,
				organisation_kinds, themes, age_band, school_level, directory_offers, author_subject, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'IN_REVIEW', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
			p.ID, requestID, caseID, p.Region, p.Title, p.Offer, p.Agreements, p.Difference, store.NonNil(p.OrganisationKinds),
			store.NonNil(p.Themes), p.AgeBand, p.SchoolLevel, store.NonNil(p.DirectoryOffers), p.AuthorSubject, at)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "practices_case_id_key" {
			return ErrCaseHasPractice
		}
		if err != nil {
			return err
		}
		p, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM practices WHERE id = $1`, p.ID))
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("practices.Create: %w", err)
	}
	return p, created, nil
}

// Get returns one practice.
func (s *Store) Get(ctx context.Context, id string) (*Practice, error) {
	if !store.ValidID(id) {
		return nil, store.ErrNotFound
	}
	p, err := scan(s.db.Pool().QueryRow(ctx, `SELECT `+columns+` FROM practices WHERE id = $1`, id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("practices.Get: %w", err)
	}
	return p, err
}

// Scope is what the access policy needs of a practice: its region and
// state.
type Scope struct{ Region, State string }

// ScopeOf returns the region and state of a practice.
func (s *Store) ScopeOf(ctx context.Context, id string) (Scope, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return Scope{}, err
	}
	return Scope{Region: p.Region, State: p.State}, nil
}

// Change applies change to the practice once per request ID, in one
// transaction; what change refuses is returned as it is.
func (s *Store) Change(ctx context.Context, method, id, requestID string, at time.Time, change func(*Practice) error) (*Practice, error) {
	if !store.ValidID(id) {
		return nil, store.ErrNotFound
	}
	return store.Change(ctx, s.db, requests, method, resource(id), requestID, at,
		func(tx pgx.Tx) (*Practice, error) {
			return scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM practices WHERE id = $1 FOR UPDATE`, id))
		},
		change,
		func(tx pgx.Tx, p *Practice, at time.Time) error {
			_, err := tx.Exec(ctx, `UPDATE practices SET state = $2, title = $3, offer = $4, agreements = $5, difference = $6,
					organisation_kinds = $7, themes = $8, age_band = $9, school_level = $10, directory_offers = $11,
					reviewer_subject = $12, review_note = $13, publish_month = $14, updated_at = $15
				WHERE id = $1`, p.ID, p.State, p.Title, p.Offer, p.Agreements, p.Difference, store.NonNil(p.OrganisationKinds),
				store.NonNil(p.Themes), p.AgeBand, p.SchoolLevel, store.NonNil(p.DirectoryOffers), p.ReviewerSubject,
				p.ReviewNote, p.PublishMonth, at)
			p.UpdatedAt = at
			return err
		})
}

// Query is what Search looks for.
type Query struct {
	// Text is Dutch free text in web-search syntax.
	Text        string
	Themes      []string
	AgeBand     string
	SchoolLevel string
	// InReview: practices in review or sent back instead of published
	// ones, of Region ("" for all).
	InReview bool
	Region   string
}

// Cursor is the position after which a page of results starts.
type Cursor struct {
	Rank float32
	ID   string
}

// Valid reports whether the cursor names a row ID; a page token can be
// forged.
func (c Cursor) Valid() bool { return uuid.Validate(c.ID) == nil }

// Search returns up to limit practices matching q, best match first, then
// by ID, after the cursor when given.
func (s *Store) Search(ctx context.Context, q Query, after *Cursor, limit int) ([]*Practice, error) {
	var args store.Args
	arg := args.Add
	rank := `0::real`
	conds := []string{`state = 'PUBLISHED'`}
	if q.InReview {
		conds = []string{`state IN ('IN_REVIEW', 'SENT_BACK')`}
		if q.Region != "" {
			conds = append(conds, `region = `+arg(q.Region))
		}
	}
	if strings.TrimSpace(q.Text) != "" {
		tsq := `websearch_to_tsquery('dutch', ` + arg(q.Text) + `)`
		conds = append(conds, `(numnode(`+tsq+`) = 0 OR search @@ `+tsq+`)`)
		rank = `ts_rank(search, ` + tsq + `)`
	}
	if len(q.Themes) > 0 {
		conds = append(conds, `themes && `+arg(q.Themes)+`::text[]`)
	}
	if q.AgeBand != "" {
		conds = append(conds, `age_band = `+arg(q.AgeBand))
	}
	if q.SchoolLevel != "" {
		conds = append(conds, `school_level = `+arg(q.SchoolLevel))
	}
	page := ""
	if after != nil {
		r, id := arg(after.Rank), arg(after.ID)
		page = ` WHERE s.rank < ` + r + `::real OR (s.rank = ` + r + `::real AND s.id > ` + id + `::uuid)`
	}
	sql := `SELECT s.* FROM (SELECT ` + columns + `, ` + rank + ` AS rank FROM practices WHERE ` + strings.Join(conds, ` AND `) + `) s` +
		page + ` ORDER BY s.rank DESC, s.id LIMIT ` + arg(limit)
	rows, err := s.db.Pool().Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("practices.Search: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Practice, error) {
		var rank float32
		p, err := scan(r, &rank)
		if p != nil {
			p.Rank = rank
		}
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("practices.Search: %w", err)
	}
	return found, nil
}

// CaseAgeBand is the age band a case is counted in (UNDER_12 or
// TWELVE_AND_OVER, from the month of submission; "" when unknown).
func (s *Store) CaseAgeBand(ctx context.Context, caseID string) (string, error) {
	var band string
	err := s.db.Pool().QueryRow(ctx, `SELECT age_band FROM cases WHERE id = $1`, caseID).Scan(&band)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return band, err
}

// DirectoryPeople are the names of the directory's contact persons: a
// practice must not name them.
func (s *Store) DirectoryPeople(ctx context.Context) ([]string, error) {
	rows, err := s.db.Pool().Query(ctx, `SELECT DISTINCT c->>'name' FROM organisations, jsonb_array_elements(contacts) c
		WHERE coalesce(c->>'name', '') <> ''`)
	if err != nil {
		return nil, fmt.Errorf("practices.DirectoryPeople: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("practices.DirectoryPeople: %w", err)
	}
	return names, nil
}

// CaseOf is the case a practice was written from, "" once the case's
// anonymisation cleared the link. Only the service's own checks use it;
// no reader gets it.
func (s *Store) CaseOf(ctx context.Context, id string) (string, error) {
	var caseID *string
	err := s.db.Pool().QueryRow(ctx, `SELECT case_id::text FROM practices WHERE id = $1`, id).Scan(&caseID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err != nil || caseID == nil {
		return "", err
	}
	return *caseID, nil
}
