package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Access is one read or change of a case's personal data.
type Access struct {
	ID       int64
	At       time.Time
	Actor    string
	Role     string
	CaseID   string
	Action   string
	Purpose  string
	PrevHash []byte
	Hash     []byte
}

// chainHash is SHA-256 over the previous hash and the entry's fields, each
// length-prefixed so that no two entries encode alike.
func chainHash(prev []byte, a Access) []byte {
	h := sha256.New()
	h.Write(prev)
	for _, f := range []string{a.At.UTC().Format(time.RFC3339Nano), a.Actor, a.Role, a.CaseID, a.Action, a.Purpose} {
		binary.Write(h, binary.BigEndian, uint32(len(f)))
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

// LogAccess appends entries to the access log, chained to the last one.
// Appends are serialised so that the chain has no forks.
func (db *DB) LogAccess(ctx context.Context, entries []Access) error {
	if len(entries) == 0 {
		return nil
	}
	start := time.Now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7043105)`); err != nil {
			return err
		}
		prev := []byte{}
		err := tx.QueryRow(ctx, `SELECT hash FROM access_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// One statement for all entries (a page of cases is twenty): the
		// lock is held for one round trip, not one per entry.
		n := len(entries)
		var (
			at                                   = make([]time.Time, n)
			actor, role, caseID, action, purpose = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			prevs, hashes                        = make([][]byte, n), make([][]byte, n)
		)
		for i, a := range entries {
			a.At = a.At.UTC().Truncate(time.Microsecond)
			at[i], actor[i], role[i], caseID[i], action[i], purpose[i] = a.At, a.Actor, a.Role, a.CaseID, a.Action, a.Purpose
			prevs[i], hashes[i] = prev, chainHash(prev, a)
			prev = hashes[i]
		}
		_, err = tx.Exec(ctx, `INSERT INTO access_log (at, actor, role, case_id, action, purpose, prev_hash, hash)
			SELECT e.at, e.actor, e.role, NULLIF(e.case_id, '')::uuid, e.action, e.purpose, e.prev_hash, e.hash
			FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[])
				WITH ORDINALITY AS e(at, actor, role, case_id, action, purpose, prev_hash, hash, n)
			ORDER BY e.n`, at, actor, role, caseID, action, purpose, prevs, hashes)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.LogAccess: %w", err)
	}
	if db.accessLogged != nil {
		db.accessLogged(time.Since(start))
	}
	return nil
}

// ObserveAccessLog has f told how long each append to the access log
// takes (for the metrics); set it before the store is used.
func (db *DB) ObserveAccessLog(f func(time.Duration)) { db.accessLogged = f }

const accessColumns = `id, at, actor, role, COALESCE(case_id::text, ''), action, purpose, prev_hash, hash`

// AccessFilter says which entries ListAccess returns; an empty field
// matches every entry.
type AccessFilter struct {
	CaseID, Actor, Purpose string
	// From and To bound the entries' time: at or after From, before To.
	From, To time.Time
	// BeforeID pages: only entries with a lower ID.
	BeforeID int64
}

// AccessEntry is an entry as listed: with its case's reference.
type AccessEntry struct {
	Access
	Reference string
}

// ListAccess returns up to limit entries matching f, newest first.
func (db *DB) ListAccess(ctx context.Context, f AccessFilter, limit int) ([]AccessEntry, error) {
	var (
		conds []string
		args  Args
	)
	arg := args.Add
	// Only the filters given are in the query, so that the indexes on
	// (case_id, id) and (actor, id) serve.
	if f.CaseID != "" {
		conds = append(conds, "l.case_id = "+arg(f.CaseID)+"::uuid")
	}
	if f.Actor != "" {
		conds = append(conds, "l.actor = "+arg(f.Actor))
	}
	if f.Purpose != "" {
		conds = append(conds, "l.purpose = "+arg(f.Purpose))
	}
	if !f.From.IsZero() {
		conds = append(conds, "l.at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "l.at < "+arg(f.To))
	}
	if f.BeforeID != 0 {
		conds = append(conds, "l.id < "+arg(f.BeforeID))
	}
	query := `SELECT l.id, l.at, l.actor, l.role, COALESCE(l.case_id::text, ''), l.action, l.purpose, l.prev_hash, l.hash,
		COALESCE(c.reference, '') FROM access_log l LEFT JOIN cases c ON c.id = l.case_id`
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, " AND ")
	}
	query += ` ORDER BY l.id DESC LIMIT ` + arg(limit)
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store.ListAccess: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccessEntry, error) {
		var e AccessEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Role, &e.CaseID, &e.Action, &e.Purpose, &e.PrevHash, &e.Hash, &e.Reference)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store.ListAccess: %w", err)
	}
	return entries, nil
}

// ChainBreak is where VerifyAccessLog found the chain broken.
type ChainBreak struct {
	ID int64
	// Changed: the entry's contents do not match its hash; otherwise it
	// does not link to the entry before it.
	Changed bool
}

func (b *ChainBreak) Error() string {
	if b.Changed {
		return fmt.Sprintf("access log entry %d: its contents do not match its hash (it was changed)", b.ID)
	}
	return fmt.Sprintf("access log entry %d: does not link to the entry before it (an entry was removed or inserted)", b.ID)
}

// VerifyAccessLog walks the whole chain and reports the first entry whose
// hash or link does not match as a *ChainBreak, and how many entries it
// checked.
func (db *DB) VerifyAccessLog(ctx context.Context) (checked int, err error) {
	rows, err := db.pool.Query(ctx, `SELECT `+accessColumns+` FROM access_log ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("store.VerifyAccessLog: %w", err)
	}
	defer rows.Close()
	prev := []byte{}
	for rows.Next() {
		a, err := pgx.RowToStructByPos[Access](rows)
		if err != nil {
			return checked, fmt.Errorf("store.VerifyAccessLog: %w", err)
		}
		if !bytes.Equal(a.PrevHash, prev) {
			return checked, &ChainBreak{ID: a.ID}
		}
		if !bytes.Equal(chainHash(prev, a), a.Hash) {
			return checked, &ChainBreak{ID: a.ID, Changed: true}
		}
		prev = a.Hash
		checked++
	}
	if err := rows.Err(); err != nil {
		return checked, fmt.Errorf("store.VerifyAccessLog: %w", err)
	}
	return checked, nil
}

// CaseScope is what access checks need to know of a case.
type CaseScope struct {
	Region, Org      string
	ConsentWithdrawn bool
	// InvitedOrgs are the partner organisations invited to the table.
	InvitedOrgs []string
}

// Scope returns a case's scope, or ErrNotFound.
func (db *DB) Scope(ctx context.Context, id string) (s CaseScope, err error) {
	err = db.pool.QueryRow(ctx, `SELECT region, org_name, consent_withdrawn_at IS NOT NULL,
			ARRAY(SELECT DISTINCT organisation FROM table_participants WHERE case_id = cases.id AND organisation <> '')
		FROM cases WHERE id = $1`, id).
		Scan(&s.Region, &s.Org, &s.ConsentWithdrawn, &s.InvitedOrgs)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("store.Scope(%q): %w", id, err)
	}
	return s, nil
}
