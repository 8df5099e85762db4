// Package directory keeps the partner directory (sociale kaart) in
// PostgreSQL: organisations, the regions they serve, their contacts and
// their offers, with Dutch full-text search over the offers. Enums are
// stored by their proto name without the type prefix (SCHOOL, UNDER_12,
// LIMBURG, ABSENCE, …), as for cases. Its tables are migrated with the
// rest by package store. It must not import the services or the workflows.
package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Store keeps the directory in the service's database.
type Store struct{ db *store.DB }

// New returns the directory kept in db.
func New(db *store.DB) *Store { return &Store{db: db} }

// requests remembers which request_id did what to the directory.
var requests = store.RequestLog{Table: "directory_requests", Resource: "resource"}

// Organisation is an entry of the partner directory.
type Organisation struct {
	ID        string
	RequestID string
	Name      string
	Kind      string
	Regions   []string
	Contacts  []OrganisationContact
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrganisationContact is a contact person of an organisation.
type OrganisationContact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Email string `json:"email"`
}

// Offer is something an organisation offers.
type Offer struct {
	ID             string
	OrganisationID string
	RequestID      string
	Name           string
	Description    string
	AgeBand        string
	SchoolLevels   []string
	Themes         []string
	Capacity       *int // places; nil when unknown
	WaitingWeeks   *int // nil when unknown, 0 for no waiting list
	HowToReach     string
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Read only: the organisation's name and whether it is active.
	OrganisationName   string
	OrganisationActive bool
	// Rank is the full-text rank SearchOffers found, 0 without query text.
	Rank float32
}

// The methods recorded with a request_id.
const (
	methodCreateOrganisation     = "CreateOrganisation"
	methodUpdateOrganisation     = "UpdateOrganisation"
	methodDeactivateOrganisation = "DeactivateOrganisation"
	methodCreateOffer            = "CreateOffer"
	methodUpdateOffer            = "UpdateOffer"
	methodDeactivateOffer        = "DeactivateOffer"
)

func organisationResource(id string) string { return "organisations/" + id }

func offerResource(orgID, id string) string { return organisationResource(orgID) + "/offers/" + id }

const organisationColumns = `id, request_id, name, kind, regions, contacts, active, created_at, updated_at`

func scanOrganisation(row pgx.Row) (*Organisation, error) {
	var o Organisation
	err := row.Scan(&o.ID, &o.RequestID, &o.Name, &o.Kind, &o.Regions, &o.Contacts, &o.Active, &o.CreatedAt, &o.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	o.Contacts = store.NonNil(o.Contacts)
	return &o, nil
}

// CreateOrganisation adds an active organisation with the given ID. When
// the RequestID was used by an earlier CreateOrganisation, it returns that
// organisation and created=false: a retry never creates a second one.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation) (_ *Organisation, created bool, err error) {
	at := store.Stamp(o.CreatedAt)
	err = s.db.Tx(ctx, func(tx pgx.Tx) error {
		fresh, _, err := store.ClaimRequest(ctx, tx, requests, o.RequestID, methodCreateOrganisation, organisationResource(o.ID), at)
		if err != nil || !fresh {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO organisations (`+organisationColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, true, $7, $7)`,
			o.ID, o.RequestID, o.Name, o.Kind, store.NonNil(o.Regions), store.NonNil(o.Contacts), at)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("directory.CreateOrganisation: %w", err)
	}
	got, err := scanOrganisation(s.db.Pool().QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE request_id = $1`, o.RequestID))
	if err != nil {
		return nil, false, fmt.Errorf("directory.CreateOrganisation: %w", err)
	}
	return got, created, nil
}

// GetOrganisation returns the organisation with the given ID, or store.ErrNotFound.
func (s *Store) GetOrganisation(ctx context.Context, id string) (*Organisation, error) {
	if !store.ValidID(id) {
		return nil, fmt.Errorf("directory.GetOrganisation(%q): %w", id, store.ErrNotFound)
	}
	o, err := scanOrganisation(s.db.Pool().QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("directory.GetOrganisation(%q): %w", id, err)
	}
	return o, nil
}

// OrganisationRegions returns the regions an organisation serves, for
// deciding whether a caller may see it or its offers.
func (s *Store) OrganisationRegions(ctx context.Context, id string) ([]string, error) {
	if !store.ValidID(id) {
		return nil, fmt.Errorf("directory.OrganisationRegions(%q): %w", id, store.ErrNotFound)
	}
	var regions []string
	err := s.db.Pool().QueryRow(ctx, `SELECT regions FROM organisations WHERE id = $1`, id).Scan(&regions)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("directory.OrganisationRegions(%q): %w", id, err)
	}
	return regions, nil
}

// OrganisationFilter narrows ListOrganisations; empty fields match all.
type OrganisationFilter struct {
	Region       string // organisations that serve this region
	Kind         string
	ShowInactive bool
}

// OrganisationCursor is the position after which a page of organisations
// starts: they are ordered by name, then ID.
type OrganisationCursor struct {
	Name string
	ID   string
}

// Valid reports whether the cursor names a row ID; a page token can be
// forged.
func (c OrganisationCursor) Valid() bool { return uuid.Validate(c.ID) == nil }

// ListOrganisations returns up to limit organisations matching f, by name
// then ID, starting after the cursor when one is given.
func (s *Store) ListOrganisations(ctx context.Context, f OrganisationFilter, after *OrganisationCursor, limit int) ([]*Organisation, error) {
	where := `WHERE ($1 = '' OR regions @> ARRAY[$1]::text[]) AND ($2 = '' OR kind = $2) AND ($3 OR active)`
	args := []any{f.Region, f.Kind, f.ShowInactive, limit}
	if after != nil {
		if !store.ValidID(after.ID) {
			return nil, fmt.Errorf("directory.ListOrganisations: cursor ID %q is not a UUID", after.ID)
		}
		where += ` AND (name, id) > ($5, $6)`
		args = append(args, after.Name, after.ID)
	}
	rows, err := s.db.Pool().Query(ctx, `SELECT `+organisationColumns+` FROM organisations `+where+`
		ORDER BY name, id LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("directory.ListOrganisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Organisation, error) { return scanOrganisation(r) })
	if err != nil {
		return nil, fmt.Errorf("directory.ListOrganisations: %w", err)
	}
	return orgs, nil
}

// UpdateOrganisation changes an organisation with change, which gets the
// stored organisation and may refuse by returning an error; that error is
// returned as it is and nothing is stored. A retry with the same requestID
// calls nothing and returns the organisation as it is now.
func (s *Store) UpdateOrganisation(ctx context.Context, id, requestID string, at time.Time, change func(*Organisation) error) (*Organisation, error) {
	return s.changeOrganisation(ctx, methodUpdateOrganisation, id, requestID, at, change)
}

// DeactivateOrganisation marks an organisation inactive: it and its offers
// leave lists and searches. It is idempotent.
func (s *Store) DeactivateOrganisation(ctx context.Context, id, requestID string, at time.Time) (*Organisation, error) {
	return s.changeOrganisation(ctx, methodDeactivateOrganisation, id, requestID, at, func(o *Organisation) error {
		o.Active = false
		return nil
	})
}

func (s *Store) changeOrganisation(ctx context.Context, method, id, requestID string, at time.Time, apply func(*Organisation) error) (*Organisation, error) {
	if !store.ValidID(id) {
		return nil, fmt.Errorf("directory.%s(%q): %w", method, id, store.ErrNotFound)
	}
	return store.Change(ctx, s.db, requests, method, organisationResource(id), requestID, at,
		func(tx pgx.Tx) (*Organisation, error) {
			return scanOrganisation(tx.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1 FOR UPDATE`, id))
		},
		apply,
		func(tx pgx.Tx, o *Organisation, at time.Time) error {
			o.ID, o.UpdatedAt = id, at
			o.Regions, o.Contacts = store.NonNil(o.Regions), store.NonNil(o.Contacts)
			_, err := tx.Exec(ctx, `UPDATE organisations SET name = $2, kind = $3, regions = $4, contacts = $5,
				active = $6, updated_at = $7 WHERE id = $1`,
				id, o.Name, o.Kind, o.Regions, o.Contacts, o.Active, at)
			return err
		})
}

const offerColumns = `f.id, f.organisation_id, f.request_id, f.name, f.description, f.age_band,
	f.school_levels, f.themes, f.capacity, f.waiting_weeks, f.how_to_reach, f.active, f.created_at, f.updated_at,
	o.name AS organisation_name, o.active AS organisation_active`

const offerFrom = ` FROM offers f JOIN organisations o ON o.id = f.organisation_id`

func scanOffer(row pgx.Row, extra ...any) (*Offer, error) {
	var f Offer
	dest := append([]any{&f.ID, &f.OrganisationID, &f.RequestID, &f.Name, &f.Description, &f.AgeBand,
		&f.SchoolLevels, &f.Themes, &f.Capacity, &f.WaitingWeeks, &f.HowToReach, &f.Active, &f.CreatedAt, &f.UpdatedAt,
		&f.OrganisationName, &f.OrganisationActive}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	f.SchoolLevels, f.Themes = store.NonNil(f.SchoolLevels), store.NonNil(f.Themes)
	return &f, nil
}

// CreateOffer adds an active offer with the given ID to its organisation,
// store.ErrNotFound when that does not exist. When the RequestID was used by an
// earlier CreateOffer for the same organisation, it returns that offer and
// created=false.
func (s *Store) CreateOffer(ctx context.Context, f *Offer) (_ *Offer, created bool, err error) {
	if !store.ValidID(f.OrganisationID) {
		return nil, false, fmt.Errorf("directory.CreateOffer: %w", store.ErrNotFound)
	}
	at := store.Stamp(f.CreatedAt)
	err = s.db.Tx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM organisations WHERE id = $1 FOR KEY SHARE`, f.OrganisationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		fresh, before, err := store.ClaimRequest(ctx, tx, requests, f.RequestID, methodCreateOffer, offerResource(f.OrganisationID, f.ID), at)
		if err != nil {
			return err
		}
		if !fresh {
			if !strings.HasPrefix(before, offerResource(f.OrganisationID, "")) {
				return store.ErrRequestIDReused
			}
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO offers (id, organisation_id, request_id, name, description, age_band,
				school_levels, themes, capacity, waiting_weeks, how_to_reach, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true, $12, $12)`,
			f.ID, f.OrganisationID, f.RequestID, f.Name, f.Description, f.AgeBand,
			store.NonNil(f.SchoolLevels), store.NonNil(f.Themes), f.Capacity, f.WaitingWeeks, f.HowToReach, at)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("directory.CreateOffer: %w", err)
	}
	got, err := scanOffer(s.db.Pool().QueryRow(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.request_id = $1`, f.RequestID))
	if err != nil {
		return nil, false, fmt.Errorf("directory.CreateOffer: %w", err)
	}
	return got, created, nil
}

// GetOffer returns an offer of an organisation, or store.ErrNotFound.
func (s *Store) GetOffer(ctx context.Context, orgID, id string) (*Offer, error) {
	if !store.ValidID(orgID) || !store.ValidID(id) {
		return nil, fmt.Errorf("directory.GetOffer(%q): %w", id, store.ErrNotFound)
	}
	f, err := scanOffer(s.db.Pool().QueryRow(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.id = $1 AND f.organisation_id = $2`, id, orgID))
	if err != nil {
		return nil, fmt.Errorf("directory.GetOffer(%q): %w", id, err)
	}
	return f, nil
}

// UpdateOffer changes an offer as UpdateOrganisation changes an
// organisation. change may not move the offer to another organisation.
func (s *Store) UpdateOffer(ctx context.Context, orgID, id, requestID string, at time.Time, change func(*Offer) error) (*Offer, error) {
	return s.changeOffer(ctx, methodUpdateOffer, orgID, id, requestID, at, change)
}

// DeactivateOffer marks an offer inactive: it leaves searches. It is
// idempotent.
func (s *Store) DeactivateOffer(ctx context.Context, orgID, id, requestID string, at time.Time) (*Offer, error) {
	return s.changeOffer(ctx, methodDeactivateOffer, orgID, id, requestID, at, func(f *Offer) error {
		f.Active = false
		return nil
	})
}

func (s *Store) changeOffer(ctx context.Context, method, orgID, id, requestID string, at time.Time, apply func(*Offer) error) (*Offer, error) {
	if !store.ValidID(orgID) || !store.ValidID(id) {
		return nil, fmt.Errorf("directory.%s(%q): %w", method, id, store.ErrNotFound)
	}
	return store.Change(ctx, s.db, requests, method, offerResource(orgID, id), requestID, at,
		func(tx pgx.Tx) (*Offer, error) {
			return scanOffer(tx.QueryRow(ctx, `SELECT `+offerColumns+offerFrom+`
				WHERE f.id = $1 AND f.organisation_id = $2 FOR UPDATE OF f`, id, orgID))
		},
		apply,
		func(tx pgx.Tx, f *Offer, at time.Time) error {
			f.ID, f.OrganisationID, f.UpdatedAt = id, orgID, at
			f.SchoolLevels, f.Themes = store.NonNil(f.SchoolLevels), store.NonNil(f.Themes)
			_, err := tx.Exec(ctx, `UPDATE offers SET name = $2, description = $3, age_band = $4, school_levels = $5,
				themes = $6, capacity = $7, waiting_weeks = $8, how_to_reach = $9, active = $10, updated_at = $11
				WHERE id = $1`,
				id, f.Name, f.Description, f.AgeBand, f.SchoolLevels, f.Themes,
				f.Capacity, f.WaitingWeeks, f.HowToReach, f.Active, at)
			return err
		})
}

// OfferQuery says which offers SearchOffers finds; empty fields match all.
type OfferQuery struct {
	// OrganisationID limits the search to one organisation's offers.
	OrganisationID string
	// Text is Dutch free text in web-search syntax (websearch_to_tsquery):
	// words, "quoted phrases", or, -word. Words are stemmed ("wachtlijsten"
	// finds "wachtlijst") and, from three letters, also match the start of a
	// longer word, stemmed or as written, so that "time-out" finds
	// "time-outtraject" and "school" finds "schoolverzuim" (Dutch glues
	// words together); a whole word ranks higher than a prefix. Text without
	// any searchable Dutch word (only stop words like "de") filters nothing.
	Text string
	// Region: offers of organisations that serve it.
	Region string
	// Themes: offers with at least one of them.
	Themes []string
	// AgeBand UNDER_12 or TWELVE_AND_OVER: offers for that band or for ALL;
	// ALL: offers for all ages only.
	AgeBand string
	// SchoolLevel: offers for that level or that list no level.
	SchoolLevel string
	// ShowInactive includes deactivated offers and the offers of
	// deactivated organisations.
	ShowInactive bool
}

// OfferCursor is the position after which a page of search results
// starts: results are ordered by rank, highest first, then by ID.
type OfferCursor struct {
	Rank float32
	ID   string
}

// Valid reports whether the cursor names a row ID; a page token can be
// forged.
func (c OfferCursor) Valid() bool { return uuid.Validate(c.ID) == nil }

// SearchOffers returns up to limit offers matching q, best first, starting
// after the cursor when one is given.
//
// The order is ts_rank (a real) descending, then the offer ID ascending, and
// a page starts after the last (rank, ID) of the previous one: no offset, so
// offers added or changed between pages never shift the others, and an
// offer appears on two pages only if its own text changed in between.
// ts_rank depends on the offer's text and the query alone, not on the other
// rows, so ranks are the same on every page.
func (s *Store) SearchOffers(ctx context.Context, q OfferQuery, after *OfferCursor, limit int) ([]*Offer, error) {
	var (
		args  store.Args
		conds []string
		rank  = `0::real`
	)
	arg := args.Add
	if strings.TrimSpace(q.Text) != "" {
		var dutch, simple string
		if err := s.db.Pool().QueryRow(ctx, `SELECT websearch_to_tsquery('dutch', $1)::text, websearch_to_tsquery('simple', $1)::text`,
			q.Text).Scan(&dutch, &simple); err != nil {
			return nil, fmt.Errorf("directory.SearchOffers: %w", err)
		}
		if dutch != "" {
			// Stems, or words as written, whole or as the start of a longer
			// word; a whole stem counts a second time in the rank.
			exact := arg(dutch) + `::tsquery`
			prefix := `(` + arg(prefixQuery(dutch)) + `::tsquery || ` + arg(prefixQuery(simple)) + `::tsquery)`
			conds = append(conds, `f.search @@ `+prefix)
			rank = `ts_rank(f.search, ` + exact + `) + ts_rank(f.search, ` + prefix + `)`
		}
	}
	if q.OrganisationID != "" {
		if !store.ValidID(q.OrganisationID) {
			return nil, nil
		}
		conds = append(conds, `f.organisation_id = `+arg(q.OrganisationID))
	}
	if q.Region != "" {
		conds = append(conds, `o.regions @> ARRAY[`+arg(q.Region)+`]::text[]`)
	}
	if len(q.Themes) > 0 {
		conds = append(conds, `f.themes && `+arg(q.Themes)+`::text[]`)
	}
	switch q.AgeBand {
	case "":
	case "ALL":
		conds = append(conds, `f.age_band = 'ALL'`)
	default:
		conds = append(conds, `f.age_band IN (`+arg(q.AgeBand)+`, 'ALL')`)
	}
	if q.SchoolLevel != "" {
		conds = append(conds, `(f.school_levels @> ARRAY[`+arg(q.SchoolLevel)+`]::text[] OR f.school_levels = '{}')`)
	}
	if !q.ShowInactive {
		conds = append(conds, `f.active AND o.active`)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	page := ""
	if after != nil {
		if !store.ValidID(after.ID) {
			return nil, fmt.Errorf("directory.SearchOffers: cursor ID %q is not a UUID", after.ID)
		}
		r, id := arg(after.Rank), arg(after.ID)
		page = ` WHERE s.rank < ` + r + `::real OR (s.rank = ` + r + `::real AND s.id > ` + id + `::uuid)`
	}
	sql := `SELECT s.* FROM (SELECT ` + offerColumns + `, ` + rank + ` AS rank` + offerFrom + where + `) s` +
		page + ` ORDER BY s.rank DESC, s.id LIMIT ` + arg(limit)
	rows, err := s.db.Pool().Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("directory.SearchOffers: %w", err)
	}
	offers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Offer, error) {
		var rank float32
		f, err := scanOffer(r, &rank)
		if f != nil {
			f.Rank = rank
		}
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("directory.SearchOffers: %w", err)
	}
	return offers, nil
}

// prefixQuery makes every lexeme of at least three characters in a tsquery
// (in its text form, lexemes quoted with ' and inner quotes doubled) match
// as a prefix too: 'wachtlijst' & !'jeugdhulp' becomes
// 'wachtlijst':* & !'jeugdhulp':*.
func prefixQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); {
		if q[i] != '\'' {
			b.WriteByte(q[i])
			i++
			continue
		}
		j := i + 1
		for j < len(q) {
			if q[j] == '\'' {
				if j+1 < len(q) && q[j+1] == '\'' {
					j += 2
					continue
				}
				break
			}
			j++
		}
		if j >= len(q) { // unbalanced: cannot come from PostgreSQL; leave it be
			b.WriteString(q[i:])
			break
		}
		b.WriteString(q[i : j+1])
		if utf8.RuneCountInString(strings.ReplaceAll(q[i+1:j], "''", "'")) >= 3 {
			b.WriteString(":*")
		}
		i = j + 1
	}
	return b.String()
}
