package rpc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Page is one page of a listing: how many rows, and the position after
// which it starts (nil on the first page). P is the listing's position,
// such as a store cursor.
type Page[P any] struct {
	Size   int
	After  *P
	filter string
}

// pageToken is what an opaque page token holds: the last position of the
// page before, and the filters it was made for.
type pageToken[P any] struct {
	After  *P     `json:"a"`
	Filter string `json:"f"`
}

// Checker is a position that can tell whether it is well formed, so that a
// forged token is refused before it reaches the store.
type Checker interface{ Valid() bool }

// ReadPage checks a listing's page_size and page_token. filters are the
// listing's name and filters: a token made for another listing, or for
// the same one with other filters, is refused.
func ReadPage[P any](v *Violations, size int32, token string, filters ...any) Page[P] {
	p := Page[P]{Size: v.PageSize(size), filter: filterOf(filters)}
	if token == "" {
		return p
	}
	var t pageToken[P]
	b, err := base64.RawURLEncoding.DecodeString(token)
	ok := err == nil && json.Unmarshal(b, &t) == nil && t.After != nil && t.Filter == p.filter
	if c, checks := any(t.After).(Checker); ok && checks {
		ok = c.Valid()
	}
	if !ok {
		v.Add("page_token", "is not a token from this listing with these filters")
		return p
	}
	p.After = t.After
	return p
}

// Trim cuts rows, fetched as Size+1 to know whether more follow, to the
// page, and makes the next page's token from the last row's position; it
// is "" on the last page.
func Trim[T, P any](p Page[P], rows []T, position func(T) P) ([]T, string) {
	if len(rows) <= p.Size {
		return rows, ""
	}
	rows = rows[:p.Size]
	return rows, token(position(rows[len(rows)-1]), p.filter)
}

// Token is the page token of the page after position in the listing with
// these filters, as Trim makes it.
func Token[P any](position P, filters ...any) string { return token(position, filterOf(filters)) }

func token[P any](position P, filter string) string {
	b, _ := json.Marshal(pageToken[P]{After: &position, Filter: filter})
	return base64.RawURLEncoding.EncodeToString(b)
}

// filterOf is a digest of a listing's filters: different filters never
// match, and the token does not carry them (a search text, an e-mail
// address) into a URL.
func filterOf(filters []any) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", filters))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
