package dutch

import (
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// at is a moment in Brussels time.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Brussels)
}

func TestDates(t *testing.T) {
	// Whatever the machine's zone, dates are Brussels dates.
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("elsewhere", -7*3600)

	for _, tc := range []struct {
		at                      string
		date, dateTime, dueDate string
	}{
		// Winter time, UTC+1: a deadline at the end of Tuesday 15 December.
		{"2026-12-15T23:00:00Z", "woensdag 16 december 2026", "woensdag 16 december 2026 om 00:00", "dinsdag 15 december 2026"},
		{"2026-12-15T13:03:00Z", "dinsdag 15 december 2026", "dinsdag 15 december 2026 om 14:03", "dinsdag 15 december 2026 om 14:03"},
		{"2027-01-12T13:00:00Z", "dinsdag 12 januari 2027", "dinsdag 12 januari 2027 om 14:00", "dinsdag 12 januari 2027 om 14:00"},
		// Summer time, UTC+2.
		{"2026-07-01T12:00:00Z", "woensdag 1 juli 2026", "woensdag 1 juli 2026 om 14:00", "woensdag 1 juli 2026 om 14:00"},
		{"2026-06-30T22:00:00Z", "woensdag 1 juli 2026", "woensdag 1 juli 2026 om 00:00", "dinsdag 30 juni 2026"},
		// The night the clocks go forward (28 March 2027, 02:00 → 03:00)
		// and back (25 October 2026, 03:00 → 02:00: 02:30 happens twice).
		{"2027-03-28T00:59:00Z", "zondag 28 maart 2027", "zondag 28 maart 2027 om 01:59", "zondag 28 maart 2027 om 01:59"},
		{"2027-03-28T01:00:00Z", "zondag 28 maart 2027", "zondag 28 maart 2027 om 03:00", "zondag 28 maart 2027 om 03:00"},
		{"2026-10-25T00:30:00Z", "zondag 25 oktober 2026", "zondag 25 oktober 2026 om 02:30", "zondag 25 oktober 2026 om 02:30"},
		{"2026-10-25T01:30:00Z", "zondag 25 oktober 2026", "zondag 25 oktober 2026 om 02:30", "zondag 25 oktober 2026 om 02:30"},
		// Midnight after the clocks went forward is 22:00 UTC, not 23:00.
		{"2027-03-28T22:00:00Z", "maandag 29 maart 2027", "maandag 29 maart 2027 om 00:00", "zondag 28 maart 2027"},
		// Late in the evening in UTC is the next day in Brussels.
		{"2026-12-31T23:15:00Z", "vrijdag 1 januari 2027", "vrijdag 1 januari 2027 om 00:15", "vrijdag 1 januari 2027 om 00:15"},
		{"2026-12-31T23:00:00Z", "vrijdag 1 januari 2027", "vrijdag 1 januari 2027 om 00:00", "donderdag 31 december 2026"},
	} {
		at := utc(tc.at)
		if got := Date(at); got != tc.date {
			t.Errorf("Date(%s) = %q, want %q", tc.at, got, tc.date)
		}
		if got := DateTime(at); got != tc.dateTime {
			t.Errorf("DateTime(%s) = %q, want %q", tc.at, got, tc.dateTime)
		}
		if got := DueDate(at); got != tc.dueDate {
			t.Errorf("DueDate(%s) = %q, want %q", tc.at, got, tc.dueDate)
		}
	}
	// The end of the days summer time starts (23 hours) and ends (25).
	for _, tc := range []struct {
		deadline time.Time
		want     string
	}{
		{calendar.EndOfDay(at(2027, 3, 28, 12, 0)), "zondag 28 maart 2027"},
		{calendar.EndOfDay(at(2026, 10, 25, 12, 0)), "zondag 25 oktober 2026"},
		{at(2026, 12, 5, 0, 0), "vrijdag 4 december 2026"},
	} {
		if got := DueDate(tc.deadline); got != tc.want {
			t.Errorf("DueDate(%v) = %q, want %q", tc.deadline, got, tc.want)
		}
	}
}

func TestShortDates(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("elsewhere", -7*3600)

	for _, tc := range []struct {
		at                 string
		day, moment, dueTo string
	}{
		{"2026-12-15T23:00:00Z", "wo 16 dec 2026", "wo 16 dec 2026 00:00", "di 15 dec 2026"},
		{"2026-12-15T13:03:00Z", "di 15 dec 2026", "di 15 dec 2026 14:03", "di 15 dec 2026 14:03"},
		{"2026-07-01T12:00:00Z", "wo 1 jul 2026", "wo 1 jul 2026 14:00", "wo 1 jul 2026 14:00"},
		{"2026-06-30T22:00:00Z", "wo 1 jul 2026", "wo 1 jul 2026 00:00", "di 30 jun 2026"},
		{"2027-03-28T00:30:00Z", "zo 28 mrt 2027", "zo 28 mrt 2027 01:30", "zo 28 mrt 2027 01:30"},
		{"2027-03-28T01:30:00Z", "zo 28 mrt 2027", "zo 28 mrt 2027 03:30", "zo 28 mrt 2027 03:30"},
		{"2027-10-31T00:30:00Z", "zo 31 okt 2027", "zo 31 okt 2027 02:30", "zo 31 okt 2027 02:30"},
		{"2027-10-31T01:30:00Z", "zo 31 okt 2027", "zo 31 okt 2027 02:30", "zo 31 okt 2027 02:30"},
		{"2027-03-28T22:00:00Z", "ma 29 mrt 2027", "ma 29 mrt 2027 00:00", "zo 28 mrt 2027"},
		{"2027-03-28T23:00:00Z", "ma 29 mrt 2027", "ma 29 mrt 2027 01:00", "ma 29 mrt 2027 01:00"},
		{"2026-12-31T23:30:00Z", "vr 1 jan 2027", "vr 1 jan 2027 00:30", "vr 1 jan 2027 00:30"},
	} {
		at := utc(tc.at)
		if got := ShortDate(at); got != tc.day {
			t.Errorf("ShortDate(%s) = %q, want %q", tc.at, got, tc.day)
		}
		if got := ShortDateTime(at); got != tc.moment {
			t.Errorf("ShortDateTime(%s) = %q, want %q", tc.at, got, tc.moment)
		}
		if got := ShortDueDate(at); got != tc.dueTo {
			t.Errorf("ShortDueDate(%s) = %q, want %q", tc.at, got, tc.dueTo)
		}
	}
}

func TestEveryWeekdayAndMonth(t *testing.T) {
	// 4 January 2027 is a Monday.
	short := []string{"ma 4 jan 2027", "di 5 jan 2027", "wo 6 jan 2027", "do 7 jan 2027", "vr 8 jan 2027", "za 9 jan 2027", "zo 10 jan 2027"}
	long := []string{"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}
	for i := range short {
		day := at(2027, 1, 4+i, 12, 0)
		if got := ShortDate(day); got != short[i] {
			t.Errorf("ShortDate = %q, want %q", got, short[i])
		}
		if got := Date(day); !strings.HasPrefix(got, long[i]+" ") {
			t.Errorf("Date = %q, want %s", got, long[i])
		}
	}
	var ms, mss []string
	for m := 1; m <= 12; m++ {
		s := time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		ms, mss = append(ms, Month(s)), append(mss, ShortMonth(s))
	}
	if got := strings.Join(mss, ","); got != "jan 2026,feb 2026,mrt 2026,apr 2026,mei 2026,jun 2026,jul 2026,aug 2026,sep 2026,okt 2026,nov 2026,dec 2026" {
		t.Errorf("short months = %s", got)
	}
	if got := strings.Join(ms, ","); got != "januari 2026,februari 2026,maart 2026,april 2026,mei 2026,juni 2026,juli 2026,augustus 2026,september 2026,oktober 2026,november 2026,december 2026" {
		t.Errorf("months = %s", got)
	}
	if got := ShortMonth("UNKNOWN"); got != "UNKNOWN" {
		t.Errorf("ShortMonth(UNKNOWN) = %q", got)
	}
	if got := Month("2026-13"); got != "2026-13" {
		t.Errorf("Month(2026-13) = %q", got)
	}
	for _, tc := range []struct {
		year, month int32
		want        string
	}{{2012, 5, "mei 2012"}, {2012, 0, "2012"}, {2012, 13, "2012"}, {0, 5, ""}} {
		if got := Birth(tc.year, tc.month); got != tc.want {
			t.Errorf("Birth(%d, %d) = %q, want %q", tc.year, tc.month, got, tc.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "geen afspraken"}, {1, "1 afspraak"}, {2, "2 afspraken"}, {3, "3 afspraken"}, {12, "12 afspraken"}} {
		if got := Count(c.n, "afspraak", "afspraken"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Count(1, "deelnemer", "deelnemers"); got != "1 deelnemer" {
		t.Errorf("Count(1, deelnemer) = %q", got)
	}
	if got := Ordinal(2); got != "2e" {
		t.Errorf("Ordinal(2) = %q", got)
	}
}
