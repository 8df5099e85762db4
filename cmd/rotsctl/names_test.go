package main

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
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

// fakeCases answers ListCases from a list, or with an error.
type fakeCases struct {
	rotsv1.CaseServiceClient
	cases []*rotsv1.Case
	err   error
	asked []*rotsv1.ListCasesRequest
}

func (f *fakeCases) ListCases(_ context.Context, req *rotsv1.ListCasesRequest, _ ...grpc.CallOption) (*rotsv1.ListCasesResponse, error) {
	f.asked = append(f.asked, req)
	if f.err != nil {
		return nil, f.err
	}
	var out []*rotsv1.Case
	for _, c := range f.cases {
		if req.GetReference() == "" || c.GetReference() == req.GetReference() {
			out = append(out, c)
		}
	}
	return &rotsv1.ListCasesResponse{Cases: out}, nil
}

type fakeInbox struct {
	rotsv1.NotificationServiceClient
	notifications []*rotsv1.Notification
}

func (f *fakeInbox) ListNotifications(_ context.Context, req *rotsv1.ListNotificationsRequest, _ ...grpc.CallOption) (*rotsv1.ListNotificationsResponse, error) {
	if req.GetRecipient() != "" {
		return nil, status.Error(codes.PermissionDenied, "not your inbox")
	}
	return &rotsv1.ListNotificationsResponse{Notifications: f.notifications}, nil
}

func TestResolveCase(t *testing.T) {
	ctx := context.Background()
	cases := &fakeCases{cases: []*rotsv1.Case{
		{Name: "cases/" + testID, Reference: "ROTS-1A2B3C4D"},
		{Name: "cases/11111111-2222-3333-4444-555555555555", Reference: "ROTS-99999999"},
	}}
	c := &client{cases: cases}
	for _, in := range []string{"ROTS-1A2B3C4D", "rots-1a2b3c4d"} {
		got, err := c.resolveCase(ctx, in)
		if err != nil || got != "cases/"+testID {
			t.Errorf("resolveCase(%q) = %q, %v; want cases/%s", in, got, err, testID)
		}
	}
	if n := len(cases.asked); n != 2 || cases.asked[1].GetReference() != "ROTS-1A2B3C4D" {
		t.Errorf("ListCases asked %d times, last with %q; want twice with the reference in capitals", n, cases.asked[n-1].GetReference())
	}
	// A name needs no lookup.
	cases.asked = nil
	if got, err := c.resolveCase(ctx, testID); err != nil || got != "cases/"+testID || len(cases.asked) != 0 {
		t.Errorf("resolveCase(bare id) = %q, %v after %d lookups", got, err, len(cases.asked))
	}
	if _, err := c.resolveCase(ctx, "ROTS-ABABABAB"); err == nil || !strings.Contains(err.Error(), "geen dossier ROTS-ABABABAB") {
		t.Errorf("resolveCase(unknown) = %v, want geen dossier", err)
	}
	if _, err := c.resolveCase(ctx, "ROTS-12"); err == nil {
		t.Error("resolveCase(ROTS-12) succeeded")
	} else if _, ok := err.(usageError); !ok {
		t.Errorf("resolveCase(ROTS-12) = %T, want a usage error", err)
	}
}

func TestResolveCaseWithoutListCases(t *testing.T) {
	ctx := context.Background()
	denied := &fakeCases{err: status.Error(codes.PermissionDenied, "ListCases is not for partners")}
	inbox := &fakeInbox{notifications: []*rotsv1.Notification{
		{Name: "notifications/1", Case: "cases/other", Subject: "[ROTS Limburg] ROTS-99999999: uitnodiging overlegtafel"},
		// An older case whose reference begins the same is not it.
		{Name: "notifications/3", Case: "cases/longer", Subject: "[ROTS Limburg] ROTS-1A2B3C4D00000000000000000000000F: herinnering"},
		{Name: "notifications/2", Case: "cases/" + testID, Subject: "[ROTS Limburg] ROTS-1A2B3C4D: uitnodiging overlegtafel"},
	}}
	// A partner finds the case in the invitation.
	c := &client{cases: denied, notifications: inbox}
	if got, err := c.resolveCase(ctx, "rots-1a2b3c4d"); err != nil || got != "cases/"+testID {
		t.Errorf("partner: resolveCase = %q, %v; want the invitation's case", got, err)
	}
	// An auditor has no such mail: the error says to use the name.
	c = &client{cases: denied, notifications: &fakeInbox{}}
	if _, err := c.resolveCase(ctx, "ROTS-1A2B3C4D"); err == nil || !strings.Contains(err.Error(), "cases/<id>") {
		t.Errorf("auditor: resolveCase = %v; want a hint to use cases/<id>", err)
	}
}
