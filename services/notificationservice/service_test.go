package notificationservice_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/notificationservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// Each test has its own recipients, so that tests in parallel do not see
// each other's notifications.

func newServer(t *testing.T) (*notificationservice.Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, dbURL)
	return notificationservice.New(db, slog.New(slog.DiscardHandler)), db
}

// as is the context of a call by the recipient, after the interceptor.
func as(email string) context.Context {
	return auth.NewContext(context.Background(), auth.Principal{Subject: email, Email: email, Role: auth.Coordinator, Region: "LIMBURG"})
}

func recipient(who string) string { return who + "-" + uuid.NewString()[:8] + "@clb-limburg.be" }

// newCase records a case for the notifications to be about (they need one:
// a foreign key), as SubmitCase would.
func newCase(t *testing.T, db *store.DB) string {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Microsecond)
	c, _, err := db.CreateCase(context.Background(), &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG", Stage: "SUBMITTED",
		OrgName: "Vrij CLB Limburg", OrgKind: "CLB", ContactName: "An Peeters", ContactEmail: "an@vclb-limburg.be",
		YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1,
			School: "Sint-Jan", Municipality: "Hasselt"},
		Blocked: "thuiszitter sinds september", Tried: []string{"gesprekken"}, Themes: []string{"ABSENCE"},
		CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: at, UpdatedAt: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// add writes notifications as the workflow's activity does and returns
// them with their IDs, in the order written.
func add(t *testing.T, db *store.DB, ns ...store.Notification) []store.Notification {
	t.Helper()
	for i := range ns {
		ns[i].CreatedAt = ns[i].CreatedAt.UTC().Truncate(time.Microsecond)
		ids, err := db.AddNotifications(context.Background(), ns[i:i+1])
		if err != nil || len(ids) != 1 {
			t.Fatalf("AddNotifications: %v, %v", ids, err)
		}
		ns[i].ID = ids[0]
	}
	return ns
}

// notes makes n notifications about a case for one recipient, a minute
// apart, oldest first.
func notes(caseID, to string, n int) []store.Notification {
	start := time.Now().Add(-time.Hour)
	var ns []store.Notification
	for i := range n {
		ns = append(ns, store.Notification{
			CaseID: caseID, Key: fmt.Sprintf("stage:%d", i), Recipient: to, Kind: "stage",
			Subject: fmt.Sprintf("[ROTS Limburg] ROTS-1A2B3C4D: actie gevraagd (%d)", i), Body: fmt.Sprintf("Dossier %d", i),
			CreatedAt: start.Add(time.Duration(i) * time.Minute),
		})
	}
	return ns
}

// names are the notifications' names in the order listed.
func names(ns []*rotsv1.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.GetName())
	}
	return out
}

// newestFirst is the names of ns, written oldest first, as the inbox lists
// them.
func newestFirst(ns ...store.Notification) []string {
	var out []string
	for _, n := range slices.Backward(ns) {
		out = append(out, fmt.Sprintf("notifications/%d", n.ID))
	}
	return out
}

func inbox(t *testing.T, s *notificationservice.Server, req *rotsv1.ListNotificationsRequest) *rotsv1.ListNotificationsResponse {
	t.Helper()
	resp, err := s.ListNotifications(as(req.GetRecipient()), req)
	if err != nil {
		t.Fatalf("ListNotifications(%v): %v", req, err)
	}
	return resp
}

func markRead(t *testing.T, s *notificationservice.Server, to, name string) *rotsv1.Notification {
	t.Helper()
	resp, err := s.MarkNotificationRead(as(to), &rotsv1.MarkNotificationReadRequest{RequestId: uuid.NewString(), Name: name})
	if err != nil {
		t.Fatalf("MarkNotificationRead(%s): %v", name, err)
	}
	return resp.GetNotification()
}

func TestInboxNewestFirst(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, to := newCase(t, db), recipient("tandem")
	ns := add(t, db, notes(caseID, to, 3)...)
	// Someone else's notification about the same case stays out.
	add(t, db, notes(caseID, recipient("manager"), 1)...)
	if err := db.MarkMailSent(context.Background(), ns[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	got := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to}).GetNotifications()
	if want := newestFirst(ns...); !slices.Equal(names(got), want) {
		t.Fatalf("inbox %v, want %v", names(got), want)
	}
	// The newest, in full: every stored field shows, none read or mailed.
	newest := ns[2]
	want := &rotsv1.Notification{
		Name: fmt.Sprintf("notifications/%d", newest.ID), Case: "cases/" + caseID, Recipient: to, Kind: "stage",
		Subject: newest.Subject, Body: newest.Body, CreateTime: timestamppb.New(newest.CreatedAt),
	}
	if diff := cmp.Diff(want, got[0], protocmp.Transform()); diff != "" {
		t.Errorf("newest notification (-want +got):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].GetCreateTime().AsTime().Before(got[i-1].GetCreateTime().AsTime()) {
			t.Errorf("%s created %v is listed after the older %s", got[i-1].GetName(), got[i-1].GetCreateTime().AsTime(), got[i].GetName())
		}
	}
	// The mail of the oldest was accepted by the mail server.
	if got[2].GetMailTime() == nil || got[1].GetMailTime() != nil {
		t.Errorf("mail_time: oldest %v, middle %v; want only the oldest set", got[2].GetMailTime(), got[1].GetMailTime())
	}
}

func TestMarkReadAndUnreadOnly(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, to := newCase(t, db), recipient("tandem")
	ns := add(t, db, notes(caseID, to, 3)...)
	name := fmt.Sprintf("notifications/%d", ns[1].ID)

	before := time.Now().Add(-time.Second)
	read := markRead(t, s, to, name)
	readAt := read.GetReadTime().AsTime()
	if read.GetName() != name || read.GetReadTime() == nil || readAt.Before(before) || readAt.After(time.Now().Add(time.Second)) {
		t.Fatalf("marked %s: name %s, read_time %v; want about now", name, read.GetName(), read.GetReadTime())
	}
	// Marking again, as a retry or a second click does, keeps the first
	// read time.
	again := markRead(t, s, to, name)
	if diff := cmp.Diff(read, again, protocmp.Transform()); diff != "" {
		t.Errorf("marked again (-first +again):\n%s", diff)
	}

	unread := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to, UnreadOnly: true}).GetNotifications()
	if want := newestFirst(ns[0], ns[2]); !slices.Equal(names(unread), want) {
		t.Errorf("unread %v, want %v", names(unread), want)
	}
	all := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to}).GetNotifications()
	if want := newestFirst(ns...); !slices.Equal(names(all), want) {
		t.Fatalf("all %v, want %v", names(all), want)
	}
	for _, n := range all {
		if isRead := n.GetReadTime() != nil; isRead != (n.GetName() == name) {
			t.Errorf("%s: read_time %v", n.GetName(), n.GetReadTime())
		}
	}
	if !all[1].GetReadTime().AsTime().Equal(readAt) {
		t.Errorf("listed read_time %v, want %v", all[1].GetReadTime().AsTime(), readAt)
	}

	// All read: the unread inbox is empty.
	markRead(t, s, to, all[0].GetName())
	markRead(t, s, to, all[2].GetName())
	if left := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to, UnreadOnly: true}); len(left.GetNotifications()) != 0 || left.GetNextPageToken() != "" {
		t.Errorf("unread after reading all: %v, next %q", names(left.GetNotifications()), left.GetNextPageToken())
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, to, other := newCase(t, db), recipient("tandem"), recipient("ander")
	ns := add(t, db, notes(caseID, to, 5)...)
	add(t, db, notes(caseID, other, 3)...)
	markRead(t, s, to, fmt.Sprintf("notifications/%d", ns[3].ID))

	// pages walks a listing in pages of two and returns the names and the
	// next-page tokens it met.
	pages := func(unreadOnly bool) (got, tokens []string) {
		token := ""
		for range 10 {
			resp := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to, UnreadOnly: unreadOnly, PageSize: 2, PageToken: token})
			if len(resp.GetNotifications()) > 2 {
				t.Fatalf("a page of %d", len(resp.GetNotifications()))
			}
			got = append(got, names(resp.GetNotifications())...)
			if token = resp.GetNextPageToken(); token == "" {
				return got, tokens
			}
			tokens = append(tokens, token)
		}
		t.Fatal("no last page after 10 pages")
		return nil, nil
	}
	all, allTokens := pages(false)
	if want := newestFirst(ns...); !slices.Equal(all, want) || len(allTokens) != 2 {
		t.Errorf("all in pages: %v with %d tokens, want %v with 2", all, len(allTokens), want)
	}
	unread, unreadTokens := pages(true)
	if want := newestFirst(ns[0], ns[1], ns[2], ns[4]); !slices.Equal(unread, want) || len(unreadTokens) != 1 {
		t.Errorf("unread in pages: %v with %d tokens, want %v with 1", unread, len(unreadTokens), want)
	}

	// A token is bound to the recipient and the unread flag it was made for.
	refused := []struct {
		name string
		req  *rotsv1.ListNotificationsRequest
	}{
		{"all's token for unread only", &rotsv1.ListNotificationsRequest{Recipient: to, UnreadOnly: true, PageToken: allTokens[0]}},
		{"unread's token for all", &rotsv1.ListNotificationsRequest{Recipient: to, PageToken: unreadTokens[0]}},
		{"another recipient", &rotsv1.ListNotificationsRequest{Recipient: other, PageToken: allTokens[0]}},
		{"another listing's token", &rotsv1.ListNotificationsRequest{Recipient: to, PageToken: rpc.Token(ns[2].ID, "access log", to, false)}},
		{"not a token", &rotsv1.ListNotificationsRequest{Recipient: to, PageToken: "!!"}},
	}
	for _, c := range refused {
		_, err := s.ListNotifications(as(c.req.GetRecipient()), c.req)
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"page_token"}) {
			t.Errorf("%s: fields %v, want [page_token]", c.name, got)
		}
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	to := recipient("tandem")
	ctx := as(to)

	for _, bad := range []string{"", "tandem", "Tandem Limburg <" + to + ">", to + " ", strings.Repeat("a", 250) + "@clb.be"} {
		_, err := s.ListNotifications(ctx, &rotsv1.ListNotificationsRequest{Recipient: bad})
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"recipient"}) {
			t.Errorf("recipient %q: fields %v, want [recipient]", bad, got)
		}
	}
	_, err := s.ListNotifications(ctx, &rotsv1.ListNotificationsRequest{Recipient: "geen adres", PageSize: -1, PageToken: "%%"})
	if got, want := rpctest.Violated(t, err), []string{"page_size", "page_token", "recipient"}; !slices.Equal(got, want) {
		t.Errorf("all wrong: fields %v, want %v", got, want)
	}

	for _, bad := range []string{"", "notifications/", "notifications/abc", "notifications/0", "notifications/-3",
		"notifications/1/x", "cases/" + uuid.NewString(), "1"} {
		_, err := s.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{RequestId: uuid.NewString(), Name: bad})
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"name"}) {
			t.Errorf("name %q: fields %v, want [name]", bad, got)
		}
	}
	_, err = s.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{Name: "notifications/x"})
	if got, want := rpctest.Violated(t, err), []string{"name", "request_id"}; !slices.Equal(got, want) {
		t.Errorf("no request_id, bad name: fields %v, want %v", got, want)
	}

	// A well-formed name of no notification is NotFound, and a refused
	// request marks nothing.
	_, err = s.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{RequestId: uuid.NewString(), Name: "notifications/9000000000000"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("unknown notification: %v, want NotFound", err)
	}
	ns := add(t, db, notes(newCase(t, db), to, 1)...)
	_, err = s.MarkNotificationRead(ctx, &rotsv1.MarkNotificationReadRequest{Name: fmt.Sprintf("notifications/%d", ns[0].ID)})
	if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"request_id"}) {
		t.Errorf("no request_id: fields %v", got)
	}
	if n, err := db.GetNotification(context.Background(), ns[0].ID); err != nil {
		t.Error(err)
	} else if n.ReadAt != nil {
		t.Errorf("after a refused mark: read at %v; want unread", *n.ReadAt)
	}
}

// A table's invitation comes with its notification, for the recipient to
// add to a calendar; other notifications have none.
func TestInvitation(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, to := newCase(t, db), recipient("partner")
	const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
	ns := notes(caseID, to, 2)
	ns[1].Kind, ns[1].Attachment = "stage", ics
	add(t, db, ns...)
	got := inbox(t, s, &rotsv1.ListNotificationsRequest{Recipient: to}).GetNotifications()
	if len(got) != 2 || got[0].GetInvitation() != ics || got[1].GetInvitation() != "" {
		t.Errorf("invitations %q, want the newest notification's only", []string{got[0].GetInvitation(), got[1].GetInvitation()})
	}
}
