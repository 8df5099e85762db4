package rpc

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// A page token goes only with the listing and filters it was made for,
// and carries no filter in readable form.
func TestPageTokens(t *testing.T) {
	rows := []int64{9, 8, 7}
	var v Violations
	first := ReadPage[int64](&v, 2, "", "inbox", "an@clb.be", false)
	page, next := Trim(first, rows, func(n int64) int64 { return n })
	if len(v) != 0 || len(page) != 2 || next == "" {
		t.Fatalf("first page %v, next %q, violations %v", page, next, v)
	}
	if strings.Contains(next, "an@clb.be") || strings.Contains(next, "YW5AY2xiLmJl") {
		t.Errorf("the token carries the filter: %s", next)
	}
	second := ReadPage[int64](&v, 2, next, "inbox", "an@clb.be", false)
	if len(v) != 0 || second.After == nil || *second.After != 8 {
		t.Fatalf("second page starts after %v, violations %v", second.After, v)
	}
	if _, last := Trim(second, rows[2:], func(n int64) int64 { return n }); last != "" {
		t.Errorf("the last page has a next token %q", last)
	}
	for name, filters := range map[string][]any{
		"other recipient": {"inbox", "jan@clb.be", false},
		"other flag":      {"inbox", "an@clb.be", true},
		"other listing":   {"access log", "an@clb.be", false},
	} {
		var v Violations
		ReadPage[int64](&v, 2, next, filters...)
		if len(v) != 1 || v[0].GetField() != "page_token" {
			t.Errorf("%s: %v", name, v)
		}
	}
	for _, forged := range []string{"not a token!", Token(store.Cursor{ID: "not-a-uuid"}, "cases"), Token[*int64](nil, "inbox")} {
		var v Violations
		ReadPage[store.Cursor](&v, 2, forged, "cases")
		if len(v) != 1 {
			t.Errorf("forged token %q passed", forged)
		}
	}
	var ok Violations
	if p := ReadPage[store.Cursor](&ok, 0, Token(store.Cursor{ID: uuid.NewString()}, "cases"), "cases"); len(ok) != 0 || p.After == nil || p.Size != 20 {
		t.Errorf("a good cases token: %+v, %v", p, ok)
	}
}
