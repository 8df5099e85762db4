package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
)

// Escalation is the ladder's state of a case, as the workflow projects it.
type Escalation struct {
	Rung         int
	Breakthrough bool
	Deadlines    []escalation.Deadline
}

// GetPolicy returns the region's escalation policy, the default one when
// no admin changed it (updated is then zero).
func (db *DB) GetPolicy(ctx context.Context, region string) (p escalation.Policy, updated time.Time, err error) {
	// Fields a stored policy predates keep their defaults.
	p = escalation.Default()
	var raw []byte
	err = db.pool.QueryRow(ctx, `SELECT policy, updated_at FROM region_policies WHERE region = $1`, region).Scan(&raw, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return escalation.Default(), time.Time{}, nil
	}
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil {
		return p, updated, fmt.Errorf("store.GetPolicy(%q): %w", region, err)
	}
	return p, updated, nil
}

// PutPolicy replaces the region's policy, once per request ID: a retry of
// a change already made (the request_id is in policy_requests) changes
// nothing, so it cannot put back a policy changed since. A request_id used
// for another region is ErrRequestIDReused.
func (db *DB) PutPolicy(ctx context.Context, region, requestID string, p escalation.Policy, actor string, at time.Time) error {
	raw, err := json.Marshal(p)
	if err == nil {
		err = db.inTx(ctx, func(tx pgx.Tx) error {
			fresh, before, err := ClaimRequest(ctx, tx, policyRequests, requestID, "UpdateEscalationPolicy", region, at)
			switch {
			case err != nil:
				return err
			case !fresh && before != region:
				return ErrRequestIDReused
			case !fresh:
				return nil
			}
			_, err = tx.Exec(ctx, `INSERT INTO region_policies (region, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)
				ON CONFLICT (region) DO UPDATE SET policy = $2, updated_at = $3, updated_by = $4`, region, raw, at, actor)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("store.PutPolicy(%q): %w", region, err)
	}
	return nil
}

// policyRequests remembers which request_id changed which region's policy.
var policyRequests = RequestLog{Table: "policy_requests", Resource: "region"}

// Notification is one message to one recipient about a case.
type Notification struct {
	ID         int64
	CaseID     string
	Key        string
	Recipient  string
	Kind       string
	Subject    string
	Body       string
	CreatedAt  time.Time
	ReadAt     *time.Time
	MailSentAt *time.Time
	// Attachment is an iCalendar invitation, or empty.
	Attachment string
}

const notificationColumns = `id, case_id, key, recipient, kind, subject, body, created_at, read_at, mail_sent_at, attachment`

// AddNotifications inserts the notifications, skipping those whose (case,
// key, recipient) exists, and returns the IDs of all of them whose mail is
// not sent yet.
func (db *DB) AddNotifications(ctx context.Context, ns []Notification) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for _, n := range ns {
			var id int64
			var sent *time.Time
			err := tx.QueryRow(ctx, `WITH ins AS (
					INSERT INTO notifications (case_id, key, recipient, kind, subject, body, created_at, attachment)
					VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING id, mail_sent_at)
				SELECT id, mail_sent_at FROM ins
				UNION ALL SELECT id, mail_sent_at FROM notifications WHERE case_id = $1 AND key = $2 AND recipient = $3`,
				n.CaseID, n.Key, n.Recipient, n.Kind, n.Subject, n.Body, n.CreatedAt, n.Attachment).Scan(&id, &sent)
			if err != nil {
				return err
			}
			if sent == nil {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.AddNotifications: %w", err)
	}
	return ids, nil
}

// GetNotification returns one notification, or ErrNotFound.
func (db *DB) GetNotification(ctx context.Context, id int64) (*Notification, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store.GetNotification: %w", err)
	}
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByPos[Notification])
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store.GetNotification(%d): %w", id, err)
	}
	return n, nil
}

// ListNotifications returns up to limit notifications of a recipient,
// newest first, with IDs below beforeID when it is not 0.
func (db *DB) ListNotifications(ctx context.Context, recipient string, unreadOnly bool, beforeID int64, limit int) ([]*Notification, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE recipient = $1 AND (NOT $2 OR read_at IS NULL) AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, recipient, unreadOnly, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("store.ListNotifications: %w", err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByPos[Notification])
	if err != nil {
		return nil, fmt.Errorf("store.ListNotifications: %w", err)
	}
	return ns, nil
}

// MarkNotificationRead sets the read time once; later calls keep it.
func (db *DB) MarkNotificationRead(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $2) WHERE id = $1`, id, at)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store.MarkNotificationRead(%d): %w", id, err)
	}
	return nil
}

// MarkMailSent records that the mail server accepted the notification.
func (db *DB) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE notifications SET mail_sent_at = COALESCE(mail_sent_at, $2) WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("store.MarkMailSent(%d): %w", id, err)
	}
	return nil
}

// CaseNotifications returns every notification about a case, oldest first.
func (db *DB) CaseNotifications(ctx context.Context, caseID string) ([]*Notification, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store.CaseNotifications: %w", err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByPos[Notification])
	if err != nil {
		return nil, fmt.Errorf("store.CaseNotifications: %w", err)
	}
	return ns, nil
}
