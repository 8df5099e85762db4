package main

import (
	"strings"
	"testing"
)

const testID = "0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"

func TestParseCaseArg(t *testing.T) {
	for _, tc := range []struct {
		in        string
		name, ref string
		err       string
	}{
		{in: "ROTS-1A2B3C4D", ref: "ROTS-1A2B3C4D"},
		{in: "rots-1a2b3c4d", ref: "ROTS-1A2B3C4D"},
		{in: "Rots-1a2B3c4D", ref: "ROTS-1A2B3C4D"},
		{in: " ROTS-1A2B3C4D\n", ref: "ROTS-1A2B3C4D"},
		{in: "ROTS-0123456789ABCDEF0123456789ABCDEF", ref: "ROTS-0123456789ABCDEF0123456789ABCDEF"},
		{in: "cases/" + testID, name: "cases/" + testID},
		{in: testID, name: "cases/" + testID},
		{in: strings.ToUpper(testID), name: "cases/" + testID},
		{in: "ROTS-123", err: "geen dossierreferentie"},
		{in: "ROTS-1A2B3C4G", err: "geen dossierreferentie"},
		{in: "rots-", err: "geen dossierreferentie"},
		{in: "cases/", err: "geen dossier"},
		{in: "cases/ROTS-1A2B3C4D", err: "geen dossier"},
		{in: "1A2B3C4D", err: "geen dossier"},
		{in: "signals/" + testID, err: "geen dossier"},
		{in: "", err: "geen dossier gegeven"},
	} {
		got, err := parseCaseArg(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseCaseArg(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.name != tc.name || got.reference != tc.ref {
			t.Errorf("parseCaseArg(%q) = %+v, %v; want name %q reference %q", tc.in, got, err, tc.name, tc.ref)
		}
	}
}

func TestNormaliseEtag(t *testing.T) {
	for in, want := range map[string]string{
		``:       ``,
		`3`:      `"3"`,
		` 3 `:    `"3"`,
		`"3"`:    `"3"`,
		`"12"`:   `"12"`,
		`W/"3"`:  `W/"3"`,
		`"3`:     `"3"`,
		`3"`:     `"3"`,
		`abc-17`: `"abc-17"`,
	} {
		if got := normaliseEtag(in); got != want {
			t.Errorf("normaliseEtag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveCase(t *testing.T) {
	for in, want := range map[string]string{
		"ROTS-1A2B3C4D": "cases/ROTS-1A2B3C4D", "rots-1a2b3c4d": "cases/ROTS-1A2B3C4D",
		testID: "cases/" + testID, "cases/" + testID: "cases/" + testID,
	} {
		if got, err := caseName(in); err != nil || got != want {
			t.Errorf("caseName(%q) = %q, %v; want %s", in, got, err, want)
		}
	}
	if _, err := caseName("ROTS-12"); err == nil {
		t.Error("caseName(ROTS-12) succeeded")
	} else if _, ok := err.(usageError); !ok {
		t.Errorf("caseName(ROTS-12) = %T, want a usage error", err)
	}
}
