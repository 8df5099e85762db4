// Package reportservice implements rots.v1.ReportService: the managers'
// dashboard. It reads the report rollups of the store, never a case, and
// passes every figure through disclosure control before it leaves.
//
// It must not import the other services, the workflows or cmd/.
package reportservice

import (
	"context"
	"log/slog"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// MaxMonths is the longest period a dashboard covers.
const MaxMonths = 120

// Server implements rots.v1.ReportService.
type Server struct {
	rotsv1.UnimplementedReportServiceServer
	db      *store.DB
	log     *slog.Logger
	control disclosure.Control
	now     func() time.Time
}

var _ rotsv1.ReportServiceServer = (*Server)(nil)

// New returns a ReportService on the store that hides figures as control
// says.
func New(db *store.DB, log *slog.Logger, control disclosure.Control) *Server {
	return &Server{db: db, log: log, control: control, now: time.Now}
}

// GetDashboard returns the dashboard of a region or all of Flanders over a
// period. Who may ask for which scope is the access policy's business.
func (s *Server) GetDashboard(ctx context.Context, req *rotsv1.GetDashboardRequest) (*rotsv1.GetDashboardResponse, error) {
	region, period, err := validate(req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	y, m, d := now.In(calendar.Brussels).Date()
	r, err := s.db.Report(ctx, store.ReportQuery{Region: region, From: period.From, To: period.To, Today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetDashboard", "report", err)
	}
	dash, err := Dashboard(r, region, period, s.control, now)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetDashboard", "report", err)
	}
	return &rotsv1.GetDashboardResponse{Dashboard: dash}, nil
}

// scopeRequest is a request for a scope and period: the dashboard's or
// the kernkwadrant's.
type scopeRequest interface {
	GetRegion() rotsv1.Region
	GetFromMonth() string
	GetToMonth() string
}

// validate checks the scope and period, reporting every problem at once.
func validate(req scopeRequest) (string, Period, error) {
	var v rpc.Violations
	region := ""
	if req.GetRegion() != rotsv1.Region_REGION_UNSPECIFIED {
		if region = vocab.Stored(req.GetRegion()); region == "" {
			v.Add("region", "unknown region %d", req.GetRegion())
		}
	}
	from := Month(&v, "from_month", req.GetFromMonth())
	to := Month(&v, "to_month", req.GetToMonth())
	CheckPeriod(&v, "to_month", from, to)
	return region, Period{From: from, To: to}, v.Err()
}

// CheckPeriod checks that the months from and to, read with Month, make a
// period of one to MaxMonths months; a problem is the field toField's.
func CheckPeriod(v *rpc.Violations, toField string, from, to time.Time) {
	if from.IsZero() || to.IsZero() {
		return
	}
	switch months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1; {
	case months < 1:
		v.Add(toField, "must not be before from_month")
	case months > MaxMonths:
		v.Add(toField, "the period may span at most %d months, got %d", MaxMonths, months)
	}
}

// Month parses "YYYY-MM" into the first day of the month, UTC.
func Month(v *rpc.Violations, field, s string) time.Time {
	if s == "" {
		v.Add(field, "is required, as YYYY-MM")
		return time.Time{}
	}
	t, err := time.Parse(monthLayout, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		v.Add(field, "must be a month YYYY-MM from 2000 on, got %q", s)
		return time.Time{}
	}
	return t
}
