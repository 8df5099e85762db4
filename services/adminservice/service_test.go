package adminservice_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/adminservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"google.golang.org/grpc"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// The tests share one database and a policy is per region, so each test
// owns its regions: west-vlaanderen and oost-vlaanderen are never changed,
// limburg is changed by TestUpdateReadBack, antwerpen by TestRetry and
// brussel only ever sees refused updates.

func newServer(t *testing.T) *adminservice.Server {
	t.Helper()
	return adminservice.New(storetest.Open(t, dbURL), slog.New(slog.DiscardHandler))
}

// admin is the context of a call by a functional administrator, as the
// interceptor leaves it.
func admin() context.Context {
	return auth.NewContext(context.Background(), auth.Principal{
		Subject: "admin-" + uuid.NewString()[:8], Email: "beheer@rots-vlaanderen.be", Role: auth.Admin,
	})
}

// defaults is the policy of a region nobody changed, as the proto's
// comments give it.
func defaults(name string) *rotsv1.EscalationPolicy {
	return &rotsv1.EscalationPolicy{
		Name: name, IntakeDays: 5, AnswerDays: 10, AutoWithdrawDays: 20, ConsultDays: 10, TableDateDays: 15,
		TableOutcomeDays: 2, AgreementGraceDays: 5, ReviewDays: 30, OfferMonths: 3, RetentionMonths: 24, RungIntervalDays: 5,
	}
}

// changed is a valid policy with every field away from its default.
func changed(name string) *rotsv1.EscalationPolicy {
	return &rotsv1.EscalationPolicy{
		Name: name, IntakeDays: 3, AnswerDays: 7, AutoWithdrawDays: 14, ConsultDays: 8, TableDateDays: 12,
		TableOutcomeDays: 1, AgreementGraceDays: 4, ReviewDays: 25, OfferMonths: 2, RetentionMonths: 36, RungIntervalDays: 2,
		SkipSchoolHolidays: true,
		TandemEmails:       []string{"tandem@clb-limburg.be", "tweede@clb-limburg.be"},
		ManagerEmails:      []string{"manager@rots-limburg.be"},
	}
}

func get(t *testing.T, s *adminservice.Server, name string) *rotsv1.EscalationPolicy {
	t.Helper()
	resp, err := s.GetEscalationPolicy(admin(), &rotsv1.GetEscalationPolicyRequest{Name: name})
	if err != nil {
		t.Fatalf("GetEscalationPolicy(%s): %v", name, err)
	}
	return resp.GetPolicy()
}

func TestDefaultsUntilChanged(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, name := range []string{"regions/west-vlaanderen/escalationPolicy", "regions/oost-vlaanderen/escalationPolicy"} {
		got := get(t, s, name)
		if diff := cmp.Diff(defaults(name), got, protocmp.Transform()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
		// Never changed, so never updated.
		if got.GetUpdateTime() != nil {
			t.Errorf("%s: update_time %v on a default policy", name, got.GetUpdateTime().AsTime())
		}
	}
}

func TestUpdateReadBack(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const name = "regions/limburg/escalationPolicy"
	want := changed(name)
	before := time.Now().Add(-time.Second)
	resp, err := s.UpdateEscalationPolicy(admin(), &rotsv1.UpdateEscalationPolicyRequest{RequestId: uuid.NewString(), Policy: want})
	if err != nil {
		t.Fatal(err)
	}
	updated := resp.GetPolicy()
	if diff := cmp.Diff(want, updated, protocmp.Transform(), protocmp.IgnoreFields(&rotsv1.EscalationPolicy{}, "update_time")); diff != "" {
		t.Errorf("update answered (-want +got):\n%s", diff)
	}
	if at := updated.GetUpdateTime().AsTime(); updated.GetUpdateTime() == nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("update_time = %v, want about now", updated.GetUpdateTime())
	}
	// What the update answered is what is stored, update_time included.
	if diff := cmp.Diff(updated, get(t, s, name), protocmp.Transform()); diff != "" {
		t.Errorf("read back (-updated +read):\n%s", diff)
	}
	// Only that region changed.
	other := "regions/west-vlaanderen/escalationPolicy"
	if diff := cmp.Diff(defaults(other), get(t, s, other), protocmp.Transform()); diff != "" {
		t.Errorf("%s changed with limburg (-want +got):\n%s", other, diff)
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const name = "regions/antwerpen/escalationPolicy"
	req := &rotsv1.UpdateEscalationPolicyRequest{RequestId: uuid.NewString(), Policy: changed(name)}
	var answers []*rotsv1.EscalationPolicy
	for range 2 {
		resp, err := s.UpdateEscalationPolicy(admin(), proto.Clone(req).(*rotsv1.UpdateEscalationPolicyRequest))
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, resp.GetPolicy())
	}
	// Replacing is idempotent: the retry stores the very same policy.
	ignoreTime := protocmp.IgnoreFields(&rotsv1.EscalationPolicy{}, "update_time")
	if diff := cmp.Diff(answers[0], answers[1], protocmp.Transform(), ignoreTime); diff != "" {
		t.Errorf("retry answered another policy (-first +retry):\n%s", diff)
	}
	if diff := cmp.Diff(changed(name), get(t, s, name), protocmp.Transform(), ignoreTime); diff != "" {
		t.Errorf("stored after the retry (-want +got):\n%s", diff)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), admin()
	const name = "regions/brussel/escalationPolicy"
	with := func(change func(p *rotsv1.EscalationPolicy)) *rotsv1.EscalationPolicy {
		p := changed(name)
		change(p)
		return p
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("tandem%d@rots-brussel.be", i)
	}
	allDays := []string{
		"policy.agreement_grace_days", "policy.answer_days", "policy.auto_withdraw_days", "policy.consult_days",
		"policy.intake_days", "policy.offer_months", "policy.retention_months", "policy.review_days",
		"policy.rung_interval_days", "policy.table_date_days", "policy.table_outcome_days",
	}

	updates := []struct {
		name string
		req  *rotsv1.UpdateEscalationPolicyRequest
		want []string
	}{
		{"empty", &rotsv1.UpdateEscalationPolicyRequest{},
			append([]string{"policy.name", "request_id"}, allDays...)},
		{"reserved request_id", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "workflow:3", Policy: changed(name)},
			[]string{"request_id"}},
		{"unknown region", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "r1", Policy: changed("regions/vlaanderen/escalationPolicy")},
			[]string{"policy.name"}},
		{"region without the collection", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "r2", Policy: changed("brussel")},
			[]string{"policy.name"}},
		{"every bound just past", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "r3", Policy: with(func(p *rotsv1.EscalationPolicy) {
			p.IntakeDays, p.AnswerDays, p.AutoWithdrawDays, p.ConsultDays = 61, 0, 121, -1
			p.TableDateDays, p.TableOutcomeDays, p.AgreementGraceDays, p.ReviewDays = 61, 31, 61, 121
			p.OfferMonths, p.RetentionMonths, p.RungIntervalDays = 13, 121, 31
		})}, allDays},
		{"every bound just inside", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "r4", Policy: with(func(p *rotsv1.EscalationPolicy) {
			p.IntakeDays, p.AnswerDays, p.AutoWithdrawDays, p.ConsultDays = 60, 1, 120, 60
			p.TableDateDays, p.TableOutcomeDays, p.AgreementGraceDays, p.ReviewDays = 60, 30, 60, 120
			p.OfferMonths, p.RetentionMonths, p.RungIntervalDays = 12, 120, 30
			p.Name = "regions/nergens/escalationPolicy" // so that nothing is stored
		})}, []string{"policy.name"}},
		{"e-mail addresses", &rotsv1.UpdateEscalationPolicyRequest{RequestId: "r5", Policy: with(func(p *rotsv1.EscalationPolicy) {
			p.TandemEmails = eleven
			p.ManagerEmails = []string{"Jan Peeters <jan@rots-brussel.be>", "goed@rots-brussel.be", "geen-adres"}
		})}, []string{"policy.manager_emails[0]", "policy.manager_emails[2]", "policy.tandem_emails"}},
	}
	for _, c := range updates {
		_, err := s.UpdateEscalationPolicy(ctx, c.req)
		want := slices.Sorted(slices.Values(c.want))
		if got := rpctest.Violated(t, err); !slices.Equal(got, want) {
			t.Errorf("update %s: fields %v, want %v", c.name, got, want)
		}
	}

	for _, bad := range []string{
		"", "brussel", "regions/brussel", "regions//escalationPolicy", "regions/gent/escalationPolicy",
		"regions/vlaanderen/escalationPolicy", "regions/unspecified/escalationPolicy",
		"regions/region-brussel/escalationPolicy", "regions/brussel/escalationPolicy/x",
	} {
		_, err := s.GetEscalationPolicy(ctx, &rotsv1.GetEscalationPolicyRequest{Name: bad})
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"name"}) {
			t.Errorf("get %q: fields %v, want [name]", bad, got)
		}
	}

	// Nothing refused was stored.
	if diff := cmp.Diff(defaults(name), get(t, s, name), protocmp.Transform()); diff != "" {
		t.Errorf("brussel after refused updates (-want +got):\n%s", diff)
	}
}

// A late retry of a change, after a later change, puts nothing back: the
// policy stays the later one. Through the real request_id interceptor.
func TestLateRetryKeepsTheNewerPolicy(t *testing.T) {
	s := newServer(t)
	idem := rpc.Idempotency(storetest.Open(t, dbURL), slog.New(slog.DiscardHandler))
	info := &grpc.UnaryServerInfo{FullMethod: "/rots.v1.AdminService/UpdateEscalationPolicy"}
	h := func(ctx context.Context, req any) (any, error) {
		return s.UpdateEscalationPolicy(ctx, req.(*rotsv1.UpdateEscalationPolicyRequest))
	}
	ctx := admin()
	const name = "regions/vlaams-brabant/escalationPolicy"
	first := &rotsv1.UpdateEscalationPolicyRequest{RequestId: uuid.NewString(), Policy: changed(name)}
	first.Policy.IntakeDays = 3
	second := &rotsv1.UpdateEscalationPolicyRequest{RequestId: uuid.NewString(), Policy: changed(name)}
	second.Policy.IntakeDays = 7
	for _, r := range []*rotsv1.UpdateEscalationPolicyRequest{first, second, first} {
		if _, err := idem(ctx, r, info, h); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, s, name).GetIntakeDays(); got != 7 {
		t.Errorf("after a late retry of the first update, intake_days = %d, want 7 (the later update's)", got)
	}
}
