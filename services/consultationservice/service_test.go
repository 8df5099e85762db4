package consultationservice_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/caseservice"
	"github.com/rots-vlaanderen/roundtable/services/consultationservice"
)

// The commands themselves run in the case's workflow and are tested end
// to end (internal/testbed/e2e/table_test.go). Here the server has no
// Temporal client at all: a request that got as far as the workflow would
// panic on the nil client and fail the test. So every refused request
// below shows that validation comes first, and the valid ones are sent to
// cases that stop before the workflow (closed, or not there).

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func newServer(t *testing.T) (*consultationservice.Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, dbURL)
	log := slog.New(slog.DiscardHandler)
	return consultationservice.New(caseservice.New(db, nil, log), db, log), db
}

// tandem is the context of a call by a coordinator of Limburg, after the
// interceptor.
var tandem = auth.NewContext(context.Background(), auth.Principal{
	Subject: "tandem", Email: "tandem.limburg@rots.local", Role: auth.Coordinator, Region: "LIMBURG",
})

var (
	partner     = rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER
	youngPerson = rotsv1.ParticipantKind_PARTICIPANT_KIND_YOUNG_PERSON
	parents     = rotsv1.ParticipantKind_PARTICIPANT_KIND_PARENTS
	context_    = rotsv1.ParticipantKind_PARTICIPANT_KIND_CONTEXT
)

// seated is who sits at the tables of these tests, as stored.
var seated = []vocab.Participant{
	{Kind: "PARTNER", Organisation: "Vzw Arktos", Name: "Bram Peeters", Email: "bram.peeters@arktos.example", Role: "time-outcoach"},
	{Kind: "PARENTS", Role: "moeder"},
	{Kind: "YOUNG_PERSON"},
}

// tableCase records a case as its workflow would have left it at the
// table with the participants seated, then moved to stage; it returns the
// case's name.
func tableCase(t *testing.T, db *store.DB, stage string) string {
	t.Helper()
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Microsecond)
	c, _, err := db.CreateCase(ctx, &store.Case{
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
	steps := []store.Transition{
		{Kind: "consult.convene_table", FromStage: "SUBMITTED", ToStage: "TABLE"},
		{Kind: "table.convened", FromStage: "TABLE", ToStage: "TABLE", Participants: seated},
	}
	if stage != "TABLE" {
		steps = append(steps, store.Transition{Kind: "withdrawn", FromStage: "TABLE", ToStage: stage})
	}
	for i, s := range steps {
		s.CaseID, s.RequestID, s.Actor, s.At = c.ID, fmt.Sprintf("setup-%d", i), "tandem.limburg@rots.local", at.Add(time.Duration(i+1)*time.Second)
		if err := db.ApplyTransition(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return "cases/" + c.ID
}

// check is one request and the fields it must be refused for; with no
// fields, the code it must get instead (the request is valid).
type check struct {
	name string
	call func() error
	want []string
	code codes.Code
}

func run(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if len(c.want) == 0 {
				if got := status.Code(err); got != c.code {
					t.Fatalf("code %v (%v), want %v", got, err, c.code)
				}
				return
			}
			want := slices.Sorted(slices.Values(c.want))
			if got := rpctest.Violated(t, err); !slices.Equal(got, want) {
				t.Errorf("fields %v, want %v", got, want)
			}
		})
	}
}

func repeat(n int) string { return strings.Repeat("x", n) }

// nationalNumber is a valid rijksregisternummer, which no free text may hold.
const nationalNumber = "85.07.30-033.28"

func TestConveneTable(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	open, closed, missing := tableCase(t, db, "TABLE"), tableCase(t, db, "CLOSED"), "cases/"+uuid.NewString()
	convene := func(name, requestID string, ps ...*rotsv1.Participant) func() error {
		return func() error {
			_, err := s.ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: requestID, Name: name, Participants: ps})
			return err
		}
	}
	bram := func() *rotsv1.Participant {
		return &rotsv1.Participant{Kind: partner, Organisation: "Vzw Arktos", Name: "Bram Peeters", Email: "bram.peeters@arktos.example", Role: "time-outcoach"}
	}
	// The most a table takes: partners and the young person's circle by role.
	thirty := []*rotsv1.Participant{{Kind: youngPerson}, {Kind: parents, Role: "moeder"}, {Kind: context_, Role: "grootvader"}}
	for len(thirty) < 30 {
		p := bram()
		p.Email = fmt.Sprintf("partner%d@arktos.example", len(thirty))
		thirty = append(thirty, p)
	}
	id := uuid.NewString

	run(t, []check{
		{name: "thirty", call: convene(closed, id(), thirty...), code: codes.FailedPrecondition},
		{name: "thirty, case not there", call: convene(missing, id(), thirty...), code: codes.NotFound},
		{name: "empty", call: convene("", ""), want: []string{"name", "participants", "request_id"}},
		{name: "nobody invited", call: convene(open, id()), want: []string{"participants"}},
		{name: "thirty-one", call: convene(open, id(), append(slices.Clone(thirty), bram())...), want: []string{"participants"}},
		{name: "partner without organisation, name and e-mail", call: convene(open, id(), &rotsv1.Participant{Kind: partner, Role: "coach"}),
			want: []string{"participants[0].email", "participants[0].name", "participants[0].organisation"}},
		{name: "partner fields wrong", call: convene(open, id(), bram(),
			&rotsv1.Participant{Kind: partner, Organisation: "Vzw " + nationalNumber, Name: repeat(201), Email: "Bram <bram@arktos.example>", Role: repeat(101)}),
			want: []string{"participants[1].email", "participants[1].name", "participants[1].organisation", "participants[1].role"}},
		// The young person's circle is kept by role only: no names, no
		// addresses, no organisation.
		{name: "young person and context by role only", call: convene(open, id(), bram(),
			&rotsv1.Participant{Kind: youngPerson, Name: "Jonas"},
			&rotsv1.Participant{Kind: parents, Email: "els.jacobs@example.be", Role: "moeder"},
			&rotsv1.Participant{Kind: context_, Organisation: "Jeugdhuis", Role: "begeleider"},
			&rotsv1.Participant{Kind: parents, Name: "Els Jacobs", Email: "els.jacobs@example.be", Organisation: "Thuis"}),
			want: []string{"participants[1].name", "participants[2].email", "participants[3].organisation",
				"participants[4].email", "participants[4].name", "participants[4].organisation"}},
		{name: "no kind", call: convene(open, id(), &rotsv1.Participant{Role: "coach"}, &rotsv1.Participant{Kind: 42, Name: "X"}),
			want: []string{"participants[0].kind", "participants[1].kind"}},
		{name: "role of the context too long", call: convene(open, id(), &rotsv1.Participant{Kind: context_, Role: repeat(101)}),
			want: []string{"participants[0].role"}},
		{name: "bad request_id", call: convene(open, "met spatie", bram()), want: []string{"request_id"}},
		{name: "reserved request_id", call: convene(open, "workflow:1", bram()), want: []string{"request_id"}},
		{name: "bad name", call: convene("cases/ROTS", id(), bram()), want: []string{"name"}},
	})
}

func TestScheduleTableMeeting(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	open, closed := tableCase(t, db, "TABLE"), tableCase(t, db, "CLOSED")
	type meeting struct {
		start    *timestamppb.Timestamp
		minutes  int32
		location string
		reason   string
	}
	next := timestamppb.New(time.Now().Add(7 * 24 * time.Hour))
	schedule := func(name string, m meeting) func() error {
		return func() error {
			_, err := s.ScheduleTableMeeting(tandem, &rotsv1.ScheduleTableMeetingRequest{
				RequestId: uuid.NewString(), Name: name, StartTime: m.start, DurationMinutes: m.minutes, Location: m.location, Reason: m.reason,
			})
			return err
		}
	}
	run(t, []check{
		{name: "valid", call: schedule(closed, meeting{next, 90, "CLB Genk", ""}), code: codes.FailedPrecondition},
		{name: "shortest and longest", call: schedule(closed, meeting{next, 15, "https://meet.example/rots", repeat(1000)}), code: codes.FailedPrecondition},
		{name: "a whole day", call: schedule(closed, meeting{timestamppb.New(time.Now().AddDate(1, 0, -1)), 480, repeat(300), ""}), code: codes.FailedPrecondition},
		{name: "nothing", call: schedule(open, meeting{}), want: []string{"duration_minutes", "location", "start_time"}},
		{name: "in the past", call: schedule(open, meeting{timestamppb.New(time.Now().Add(-time.Hour)), 90, "CLB Genk", ""}), want: []string{"start_time"}},
		{name: "more than a year ahead", call: schedule(open, meeting{timestamppb.New(time.Now().AddDate(1, 0, 1)), 90, "CLB Genk", ""}), want: []string{"start_time"}},
		{name: "too short", call: schedule(open, meeting{next, 14, "CLB Genk", ""}), want: []string{"duration_minutes"}},
		{name: "too long", call: schedule(open, meeting{next, 481, "CLB Genk", ""}), want: []string{"duration_minutes"}},
		{name: "negative", call: schedule(open, meeting{next, -90, "CLB Genk", ""}), want: []string{"duration_minutes"}},
		{name: "blank location", call: schedule(open, meeting{next, 90, "  \n", ""}), want: []string{"location"}},
		{name: "texts too long", call: schedule(open, meeting{next, 90, repeat(301), repeat(1001)}), want: []string{"location", "reason"}},
		{name: "national number in the reason", call: schedule(open, meeting{next, 90, "CLB Genk", "Moeder " + nationalNumber + " kan niet"}), want: []string{"reason"}},
		{name: "everything and the name", call: schedule("cases/x", meeting{timestamppb.New(time.Now().Add(-time.Minute)), 0, "", ""}),
			want: []string{"duration_minutes", "location", "name", "start_time"}},
	})
}

func TestReconveneTable(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	open, closed := tableCase(t, db, "FOLLOW_UP"), tableCase(t, db, "CLOSED")
	reconvene := func(name, requestID, reason string) func() error {
		return func() error {
			_, err := s.ReconveneTable(tandem, &rotsv1.ReconveneTableRequest{RequestId: requestID, Name: name, Reason: reason})
			return err
		}
	}
	run(t, []check{
		{name: "valid", call: reconvene(closed, uuid.NewString(), "De afspraken lopen vast"), code: codes.FailedPrecondition},
		{name: "no reason", call: reconvene(open, uuid.NewString(), ""), want: []string{"reason"}},
		{name: "reason too long", call: reconvene(open, uuid.NewString(), repeat(2001)), want: []string{"reason"}},
		{name: "national number", call: reconvene(open, uuid.NewString(), "Zie "+nationalNumber), want: []string{"reason"}},
		{name: "no request_id", call: reconvene(open, "", "De afspraken lopen vast"), want: []string{"request_id"}},
	})
}

func TestUpdateAgreement(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	open, closed := tableCase(t, db, "FOLLOW_UP"), tableCase(t, db, "CLOSED")
	const (
		unset      = rotsv1.AgreementStatus_AGREEMENT_STATUS_UNSPECIFIED
		openStatus = rotsv1.AgreementStatus_AGREEMENT_STATUS_OPEN
		inProgress = rotsv1.AgreementStatus_AGREEMENT_STATUS_IN_PROGRESS
		done       = rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE
		blocked    = rotsv1.AgreementStatus_AGREEMENT_STATUS_BLOCKED
	)
	update := func(name string, index int32, st rotsv1.AgreementStatus, reason string) func() error {
		return func() error {
			_, err := s.UpdateAgreement(tandem, &rotsv1.UpdateAgreementRequest{RequestId: uuid.NewString(), Name: name, Index: index, Status: st, BlockedReason: reason})
			return err
		}
	}
	run(t, []check{
		{name: "done", call: update(closed, 0, done, ""), code: codes.FailedPrecondition},
		{name: "last one blocked", call: update(closed, 49, blocked, "Wachtlijst bij het CGG"), code: codes.FailedPrecondition},
		{name: "index below", call: update(open, -1, done, ""), want: []string{"index"}},
		{name: "index above", call: update(open, 50, inProgress, ""), want: []string{"index"}},
		{name: "no status", call: update(open, 0, unset, ""), want: []string{"status"}},
		{name: "unknown status", call: update(open, 0, 9, ""), want: []string{"status"}},
		{name: "blocked without reason", call: update(open, 0, blocked, " "), want: []string{"blocked_reason"}},
		{name: "blocked reason too long", call: update(open, 0, blocked, repeat(1001)), want: []string{"blocked_reason"}},
		{name: "reason while open", call: update(open, 0, openStatus, "Wachtlijst"), want: []string{"blocked_reason"}},
		{name: "reason while in progress", call: update(open, 0, inProgress, "Wachtlijst"), want: []string{"blocked_reason"}},
		{name: "reason while done", call: update(open, 0, done, "Wachtlijst"), want: []string{"blocked_reason"}},
		{name: "all wrong", call: update("", 51, blocked, ""), want: []string{"blocked_reason", "index", "name"}},
	})
}

func TestRecordGap(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	open, closed, missing := tableCase(t, db, "TABLE"), tableCase(t, db, "CLOSED"), "cases/"+uuid.NewString()
	valid := func() *rotsv1.Gap {
		return &rotsv1.Gap{Theme: rotsv1.Theme_THEME_MENTAL_HEALTH, AgeBand: rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER,
			Needed: "Kinderpsychiatrische opname", WaitingWeeks: 26}
	}
	with := func(change func(g *rotsv1.Gap)) *rotsv1.Gap {
		g := valid()
		change(g)
		return g
	}
	record := func(name, requestID string, g *rotsv1.Gap) func() error {
		return func() error {
			_, err := s.RecordGap(tandem, &rotsv1.RecordGapRequest{RequestId: requestID, Name: name, Gap: g})
			return err
		}
	}
	id := uuid.NewString
	run(t, []check{
		{name: "valid", call: record(closed, id(), valid()), code: codes.FailedPrecondition},
		{name: "no offer at all, under 12", call: record(closed, id(), with(func(g *rotsv1.Gap) {
			g.AgeBand, g.WaitingWeeks, g.Needed = rotsv1.AgeBand_AGE_BAND_UNDER_12, 0, repeat(300)
		})), code: codes.FailedPrecondition},
		{name: "five years' wait", call: record(closed, id(), with(func(g *rotsv1.Gap) { g.WaitingWeeks = 260 })), code: codes.FailedPrecondition},
		{name: "case not there", call: record(missing, id(), valid()), code: codes.NotFound},
		{name: "no gap", call: record(open, id(), nil), want: []string{"gap.age_band", "gap.needed", "gap.theme"}},
		{name: "unknown theme", call: record(open, id(), with(func(g *rotsv1.Gap) { g.Theme = 99 })), want: []string{"gap.theme"}},
		// A gap is for one age band; ALL is the directory's, not a gap's.
		{name: "all ages", call: record(open, id(), with(func(g *rotsv1.Gap) { g.AgeBand = rotsv1.AgeBand_AGE_BAND_ALL })), want: []string{"gap.age_band"}},
		{name: "needed too long", call: record(open, id(), with(func(g *rotsv1.Gap) { g.Needed = repeat(301) })), want: []string{"gap.needed"}},
		{name: "needed names someone", call: record(open, id(), with(func(g *rotsv1.Gap) { g.Needed = "Opname voor " + nationalNumber })), want: []string{"gap.needed"}},
		{name: "negative wait", call: record(open, id(), with(func(g *rotsv1.Gap) { g.WaitingWeeks = -1 })), want: []string{"gap.waiting_weeks"}},
		{name: "wait too long", call: record(open, id(), with(func(g *rotsv1.Gap) { g.WaitingWeeks = 261 })), want: []string{"gap.waiting_weeks"}},
		{name: "no request_id", call: record(open, "", valid()), want: []string{"request_id"}},
		{name: "bad name and gap", call: record("cases/123", id(), with(func(g *rotsv1.Gap) { g.Theme = 0 })), want: []string{"gap.theme", "name"}},
	})
}

func TestRecordAttendance(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	// Both tables seat three: positions 0 to 2.
	open, closed, missing := tableCase(t, db, "TABLE"), tableCase(t, db, "CLOSED"), "cases/"+uuid.NewString()
	attend := func(name, requestID string, present ...int32) func() error {
		return func() error {
			_, err := s.RecordAttendance(tandem, &rotsv1.RecordAttendanceRequest{RequestId: requestID, Name: name, Present: present})
			return err
		}
	}
	id := uuid.NewString
	run(t, []check{
		{name: "all three", call: attend(closed, id(), 0, 1, 2), code: codes.FailedPrecondition},
		{name: "nobody came", call: attend(closed, id()), code: codes.FailedPrecondition},
		{name: "case not there", call: attend(missing, id(), 0), code: codes.NotFound},
		{name: "no fourth participant", call: attend(open, id(), 0, 3), want: []string{"present[1]"}},
		{name: "negative and far out", call: attend(open, id(), -1, 2, 30), want: []string{"present[0]", "present[2]"}},
		{name: "no request_id", call: attend(open, "", 1), want: []string{"request_id"}},
		{name: "bad request_id and index", call: attend(open, "met spatie", 7), want: []string{"present[0]", "request_id"}},
		{name: "bad name", call: attend("cases/"+strings.Repeat("0", 36), id(), 0), want: []string{"name"}},
	})
}

// A command the workflow carried out already (its event is on the
// timeline) is answered from the store, without the workflow: that is how
// a retry after a lost answer finds it done.
func TestConveneTableRetryAnsweredFromTheStore(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	name := tableCase(t, db, "TABLE")
	// tableCase seated the table with request setup-1, as ConveneTable's
	// update would have.
	ps := []*rotsv1.Participant{
		{Kind: partner, Organisation: "Vzw Arktos", Name: "Bram Peeters", Email: "bram.peeters@arktos.example", Role: "time-outcoach"},
		{Kind: parents, Role: "moeder"},
		{Kind: youngPerson},
	}
	resp, err := s.ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: "setup-1", Name: name, Participants: ps})
	if err != nil {
		t.Fatal(err)
	}
	c := resp.GetCase()
	if c.GetName() != name || c.GetStage() != rotsv1.Stage_STAGE_TABLE || !slices.Equal(c.GetInvitedOrganisations(), []string{"Vzw Arktos"}) {
		t.Errorf("case %s in %v inviting %v; want %s at the table inviting Vzw Arktos", c.GetName(), c.GetStage(), c.GetInvitedOrganisations(), name)
	}
	if len(resp.GetParticipants()) != 3 {
		t.Errorf("%d participants, want 3", len(resp.GetParticipants()))
	}
}
