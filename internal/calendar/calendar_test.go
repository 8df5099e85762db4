package calendar

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	public = Calendar{}
	school = Calendar{SkipSchoolHolidays: true}
)

// at parses an RFC 3339 instant; its offset becomes a fixed zone, which lets
// the tables use instants that are not in Brussels.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// noon is midday in Brussels on the given date.
func noon(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, Brussels)
}

// days calls f for every Brussels date from first to last inclusive.
func days(first, last time.Time, f func(day time.Time)) {
	y, m, d := first.In(Brussels).Date()
	for day := noon(y, m, d); !day.After(last); {
		f(day)
		d++
		day = noon(y, m, d)
	}
}

// ranges collapses the consecutive dates for which name returns the same name
// into "first..last Name" strings.
func ranges(first, last time.Time, name func(time.Time) (string, bool)) []string {
	var out []string
	var cur string
	var start, prev time.Time
	flush := func() {
		if cur != "" {
			out = append(out, fmt.Sprintf("%s..%s %s", start.Format(time.DateOnly), prev.Format(time.DateOnly), cur))
		}
	}
	days(first, last, func(day time.Time) {
		n, ok := name(day)
		if !ok {
			n = ""
		}
		if n != cur {
			flush()
			cur, start = n, day
		}
		prev = day
	})
	flush()
	return out
}

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // earliest possible date
		{1943, "1943-04-25"}, // latest possible date
		{2001, "2001-04-15"},
		{2008, "2008-03-23"},
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2028, "2028-04-16"},
		{2029, "2029-04-01"},
		{2030, "2030-04-21"},
		{2038, "2038-04-25"},
		{2285, "2285-03-22"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.year), func(t *testing.T) {
			got := easter(tt.year).t.Format(time.DateOnly)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("easter(%d) (-want +got):\n%s", tt.year, diff)
			}
		})
	}
}

// TestHolidays2025To2030 checks every day of 2025-2030: exactly these dates,
// checked by hand, are public holidays. Easter Sundays: 20 Apr 2025, 5 Apr
// 2026, 28 Mar 2027, 16 Apr 2028, 1 Apr 2029, 21 Apr 2030; Easter Monday is
// Easter + 1, Ascension Easter + 39 (a Thursday), Whit Monday Easter + 50.
func TestHolidays2025To2030(t *testing.T) {
	fixed := func(y int) []string {
		return []string{
			fmt.Sprintf("%d-07-21 Nationale feestdag", y),
			fmt.Sprintf("%d-08-15 O.L.V. Hemelvaart", y),
			fmt.Sprintf("%d-11-01 Allerheiligen", y),
			fmt.Sprintf("%d-11-11 Wapenstilstand", y),
			fmt.Sprintf("%d-12-25 Kerstmis", y),
		}
	}
	spring := map[int][]string{
		2025: {"2025-01-01 Nieuwjaar", "2025-04-21 Paasmaandag", "2025-05-01 Dag van de Arbeid", "2025-05-29 O.L.H. Hemelvaart", "2025-06-09 Pinkstermaandag"},
		2026: {"2026-01-01 Nieuwjaar", "2026-04-06 Paasmaandag", "2026-05-01 Dag van de Arbeid", "2026-05-14 O.L.H. Hemelvaart", "2026-05-25 Pinkstermaandag"},
		2027: {"2027-01-01 Nieuwjaar", "2027-03-29 Paasmaandag", "2027-05-01 Dag van de Arbeid", "2027-05-06 O.L.H. Hemelvaart", "2027-05-17 Pinkstermaandag"},
		2028: {"2028-01-01 Nieuwjaar", "2028-04-17 Paasmaandag", "2028-05-01 Dag van de Arbeid", "2028-05-25 O.L.H. Hemelvaart", "2028-06-05 Pinkstermaandag"},
		2029: {"2029-01-01 Nieuwjaar", "2029-04-02 Paasmaandag", "2029-05-01 Dag van de Arbeid", "2029-05-10 O.L.H. Hemelvaart", "2029-05-21 Pinkstermaandag"},
		2030: {"2030-01-01 Nieuwjaar", "2030-04-22 Paasmaandag", "2030-05-01 Dag van de Arbeid", "2030-05-30 O.L.H. Hemelvaart", "2030-06-10 Pinkstermaandag"},
	}
	for y := 2025; y <= 2030; y++ {
		t.Run(strconv.Itoa(y), func(t *testing.T) {
			want := append(append([]string(nil), spring[y]...), fixed(y)...)
			var got []string
			days(noon(y, time.January, 1), noon(y, time.December, 31), func(day time.Time) {
				if name, ok := Holiday(day); ok {
					got = append(got, day.Format(time.DateOnly)+" "+name)
				}
			})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("holidays of %d (-want +got):\n%s", y, diff)
			}
		})
	}
}

func TestHoliday(t *testing.T) {
	tests := []struct {
		name     string
		day      string
		wantName string
		wantOK   bool
	}{
		{"Easter Monday 2027", "2027-03-29T12:00:00+02:00", "Paasmaandag", true},
		{"Good Friday is no public holiday", "2027-03-26T12:00:00+01:00", "", false},
		{"Easter Sunday is a Sunday, not a listed holiday", "2027-03-28T12:00:00+02:00", "", false},
		{"11 July is only a Flemish holiday", "2027-07-12T12:00:00+02:00", "", false},
		{"26 December is no public holiday", "2026-12-26T12:00:00+01:00", "", false},
		{"holiday on a Saturday is not moved", "2027-05-01T12:00:00+02:00", "Dag van de Arbeid", true},
		{"Monday after a Saturday holiday", "2027-05-03T12:00:00+02:00", "", false},
		// Easter 2008 was 23 March, so Ascension was 1 May.
		{"coinciding holidays", "2008-05-01T12:00:00+02:00", "Dag van de Arbeid en O.L.H. Hemelvaart", true},
		// 23:30 UTC on 31 December is 00:30 on 1 January in Brussels.
		{"UTC evening is New Year in Brussels", "2026-12-31T23:30:00Z", "Nieuwjaar", true},
		{"UTC evening of New Year is 2 January in Brussels", "2027-01-01T23:30:00Z", "", false},
		{"first instant of Christmas", "2026-12-25T00:00:00+01:00", "Kerstmis", true},
		{"last instant of Christmas", "2026-12-25T23:59:59.999999999+01:00", "Kerstmis", true},
		{"instant after Christmas", "2026-12-26T00:00:00+01:00", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, ok := Holiday(at(t, tt.day))
			if diff := cmp.Diff(tt.wantName, name); diff != "" {
				t.Errorf("Holiday(%s) name (-want +got):\n%s", tt.day, diff)
			}
			if ok != tt.wantOK {
				t.Errorf("Holiday(%s) ok = %v, want %v", tt.day, ok, tt.wantOK)
			}
		})
	}
}

// TestSchoolHolidays2025To2028 checks the school years 2025-26, 2026-27 and
// 2027-28 day by day against dates derived by hand from the rules:
//
//	2025-26: 1 Nov 2025 is a Saturday -> herfst Mon 27 Oct - Sun 2 Nov.
//	         25 Dec 2025 is a Thursday -> kerst Mon 22 Dec - Sun 4 Jan 2026.
//	         Easter 5 Apr 2026; -48 days -> krokus Mon 16 Feb - Sun 22 Feb.
//	         Easter in the first half of April -> paas starts on the first
//	         Monday of April, 6 Apr (= Easter Monday), until Sun 19 Apr.
//	2026-27: 1 Nov 2026 is a Sunday -> herfst Mon 2 Nov - Sun 8 Nov.
//	         25 Dec 2026 is a Friday -> kerst Mon 21 Dec - Sun 3 Jan 2027.
//	         Easter 28 Mar 2027; -48 days -> krokus Mon 8 Feb - Sun 14 Feb.
//	         Easter in March -> paas starts on Easter Monday 29 Mar, until
//	         Sun 11 Apr.
//	2027-28: 1 Nov 2027 is a Monday -> herfst Mon 1 Nov - Sun 7 Nov.
//	         25 Dec 2027 is a Saturday -> kerst Mon 27 Dec - Sun 9 Jan 2028.
//	         Easter 16 Apr 2028; -48 days (2028 is a leap year) -> krokus
//	         Mon 28 Feb - Sun 5 Mar.
//	         Easter after 15 April -> paas starts on the second Monday before
//	         Easter, 3 Apr (Mondays before Easter: 10 Apr, 3 Apr), two weeks
//	         until Sun 16 Apr, plus Easter Monday 17 Apr.
//	Zomervakantie: 1 Jul - 31 Aug every year.
func TestSchoolHolidays2025To2028(t *testing.T) {
	want := []string{
		"2025-10-27..2025-11-02 Herfstvakantie",
		"2025-12-22..2026-01-04 Kerstvakantie",
		"2026-02-16..2026-02-22 Krokusvakantie",
		"2026-04-06..2026-04-19 Paasvakantie",
		"2026-07-01..2026-08-31 Zomervakantie",
		"2026-11-02..2026-11-08 Herfstvakantie",
		"2026-12-21..2027-01-03 Kerstvakantie",
		"2027-02-08..2027-02-14 Krokusvakantie",
		"2027-03-29..2027-04-11 Paasvakantie",
		"2027-07-01..2027-08-31 Zomervakantie",
		"2027-11-01..2027-11-07 Herfstvakantie",
		"2027-12-27..2028-01-09 Kerstvakantie",
		"2028-02-28..2028-03-05 Krokusvakantie",
		"2028-04-03..2028-04-17 Paasvakantie",
		"2028-07-01..2028-08-31 Zomervakantie",
	}
	got := ranges(noon(2025, time.September, 1), noon(2028, time.August, 31), SchoolHoliday)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("school holidays 2025-2028 (-want +got):\n%s", diff)
	}
}

// TestSchoolHolidaysPublished compares with school calendars that Flemish
// schools published for 2018-19 to 2021-22 (paasvakantie 2019 and 2022 with
// Easter after 15 April: two weeks before Easter plus Easter Monday).
func TestSchoolHolidaysPublished(t *testing.T) {
	want := []string{
		"2018-10-29..2018-11-04 Herfstvakantie",
		"2018-12-24..2019-01-06 Kerstvakantie",
		"2019-03-04..2019-03-10 Krokusvakantie",
		"2019-04-08..2019-04-22 Paasvakantie",
		"2019-07-01..2019-08-31 Zomervakantie",
		"2019-10-28..2019-11-03 Herfstvakantie",
		"2019-12-23..2020-01-05 Kerstvakantie",
		"2020-02-24..2020-03-01 Krokusvakantie",
		"2020-04-06..2020-04-19 Paasvakantie",
		"2020-07-01..2020-08-31 Zomervakantie",
		"2020-11-02..2020-11-08 Herfstvakantie",
		"2020-12-21..2021-01-03 Kerstvakantie",
		"2021-02-15..2021-02-21 Krokusvakantie",
		"2021-04-05..2021-04-18 Paasvakantie",
		"2021-07-01..2021-08-31 Zomervakantie",
		"2021-11-01..2021-11-07 Herfstvakantie",
		"2021-12-27..2022-01-09 Kerstvakantie",
		"2022-02-28..2022-03-06 Krokusvakantie",
		"2022-04-04..2022-04-18 Paasvakantie",
	}
	got := ranges(noon(2018, time.September, 1), noon(2022, time.June, 30), SchoolHoliday)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("school holidays 2018-2022 (-want +got):\n%s", diff)
	}
}

// TestPaasvakantie covers each branch of the paasvakantie rule.
func TestPaasvakantie(t *testing.T) {
	tests := []struct {
		name string
		year int
		want string
	}{
		// Easter 31 Mar 2024 (March): from Easter Monday 1 Apr.
		{"Easter in March 2024", 2024, "2024-04-01..2024-04-14 Paasvakantie"},
		// Easter 28 Mar 2027 (March): from Easter Monday 29 Mar.
		{"Easter in March 2027", 2027, "2027-03-29..2027-04-11 Paasvakantie"},
		// Easter 1 Apr 2029: first Monday of April is 2 Apr = Easter Monday.
		{"Easter on 1 April 2029", 2029, "2029-04-02..2029-04-15 Paasvakantie"},
		// Easter 5 Apr 2026: first Monday of April is 6 Apr = Easter Monday.
		{"Easter early April 2026", 2026, "2026-04-06..2026-04-19 Paasvakantie"},
		// Easter 12 Apr 2020: first Monday of April is 6 Apr; Easter Monday
		// 13 Apr falls in the middle.
		{"Easter mid April 2020", 2020, "2020-04-06..2020-04-19 Paasvakantie"},
		// Easter 15 Apr 2001 is not after 15 April: first Monday of April
		// is 2 Apr; Easter Monday 16 Apr is only a public holiday.
		{"Easter on 15 April 2001", 2001, "2001-04-02..2001-04-15 Paasvakantie"},
		// Easter 20 Apr 2025 (after 15 Apr): second Monday before Easter is
		// 7 Apr; plus Easter Monday 21 Apr.
		{"Easter after 15 April 2025", 2025, "2025-04-07..2025-04-21 Paasvakantie"},
		// Easter 16 Apr 2028: 3 Apr to 16 Apr plus Easter Monday 17 Apr.
		{"Easter on 16 April 2028", 2028, "2028-04-03..2028-04-17 Paasvakantie"},
		// Easter 21 Apr 2030: 8 Apr to 21 Apr plus Easter Monday 22 Apr.
		{"Easter after 15 April 2030", 2030, "2030-04-08..2030-04-22 Paasvakantie"},
		// Easter 25 Apr 2038, the latest possible date: 12 Apr - 26 Apr.
		{"latest Easter 2038", 2038, "2038-04-12..2038-04-26 Paasvakantie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ranges(noon(tt.year, time.March, 15), noon(tt.year, time.April, 30), SchoolHoliday)
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("paasvakantie %d (-want +got):\n%s", tt.year, diff)
			}
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		name       string
		day        string
		wantPublic bool
		wantSchool bool
	}{
		{"ordinary Wednesday", "2027-01-13T09:00:00+01:00", true, true},
		{"Saturday", "2027-01-16T09:00:00+01:00", false, false},
		{"Sunday", "2027-01-17T09:00:00+01:00", false, false},
		{"Good Friday", "2027-03-26T09:00:00+01:00", true, true},
		{"Easter Monday", "2027-03-29T09:00:00+02:00", false, false},
		{"Tuesday in the paasvakantie", "2027-03-30T09:00:00+02:00", true, false},
		{"Monday after the paasvakantie", "2027-04-12T09:00:00+02:00", true, true},
		{"Ascension", "2027-05-06T09:00:00+02:00", false, false},
		{"Friday after Ascension", "2027-05-07T09:00:00+02:00", true, true},
		{"krokusvakantie", "2027-02-10T09:00:00+01:00", true, false},
		{"summer", "2027-07-15T09:00:00+02:00", true, false},
		{"1 September", "2027-09-01T09:00:00+02:00", true, true},
		{"herfstvakantie with 1 Nov on Sunday", "2026-11-02T09:00:00+01:00", true, false},
		{"week before that herfstvakantie", "2026-10-30T09:00:00+01:00", true, true},
		{"Christmas Eve 2027 before the kerstvakantie", "2027-12-24T09:00:00+01:00", true, true},
		{"end of kerstvakantie 2028", "2028-01-07T09:00:00+01:00", true, false},
		{"first school day 2028", "2028-01-10T09:00:00+01:00", true, true},
		// 23:30 UTC on Friday is Saturday 00:30 in Brussels.
		{"UTC Friday night is Saturday", "2027-01-15T23:30:00Z", false, false},
		// 07:00 on Saturday in Tokyo is Friday 23:00 in Brussels.
		{"Tokyo Saturday morning is Friday", "2027-01-16T07:00:00+09:00", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := at(t, tt.day)
			if got := public.IsWorkingDay(day); got != tt.wantPublic {
				t.Errorf("Calendar{}.IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.wantPublic)
			}
			if got := school.IsWorkingDay(day); got != tt.wantSchool {
				t.Errorf("Calendar{SkipSchoolHolidays}.IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.wantSchool)
			}
		})
	}
}

// checkDeadline checks that got is local midnight in Brussels and equals the
// instant want, comparing the RFC 3339 text so that the offset must match.
func checkDeadline(t *testing.T, what string, got time.Time, want string) {
	t.Helper()
	if got.Location() != Brussels {
		t.Errorf("%s: location = %v, want Europe/Brussels", what, got.Location())
	}
	if diff := cmp.Diff(want, got.Format(time.RFC3339Nano)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func TestEndOfDay(t *testing.T) {
	tests := []struct {
		name string
		t    string
		want string
	}{
		{"winter", "2027-01-13T15:00:00+01:00", "2027-01-14T00:00:00+01:00"},
		{"summer", "2027-06-13T15:00:00+02:00", "2027-06-14T00:00:00+02:00"},
		{"first instant of the day", "2027-01-13T00:00:00+01:00", "2027-01-14T00:00:00+01:00"},
		{"last instant of the day", "2027-01-13T23:59:59.999999999+01:00", "2027-01-14T00:00:00+01:00"},
		// DST starts on Sunday 28 March 2027 at 02:00 (+01:00 -> +02:00).
		{"Saturday before DST starts", "2027-03-27T23:00:00+01:00", "2027-03-28T00:00:00+01:00"},
		{"DST start day (23 h)", "2027-03-28T01:30:00+01:00", "2027-03-29T00:00:00+02:00"},
		{"DST start day after the change", "2027-03-28T12:00:00+02:00", "2027-03-29T00:00:00+02:00"},
		// DST ends on Sunday 31 October 2027 at 03:00 (+02:00 -> +01:00).
		{"Saturday before DST ends", "2027-10-30T12:00:00+02:00", "2027-10-31T00:00:00+02:00"},
		{"DST end day, first 02:30", "2027-10-31T02:30:00+02:00", "2027-11-01T00:00:00+01:00"},
		{"DST end day, second 02:30", "2027-10-31T02:30:00+01:00", "2027-11-01T00:00:00+01:00"},
		{"UTC evening, already next day in Brussels", "2027-01-13T23:30:00Z", "2027-01-15T00:00:00+01:00"},
		{"UTC evening, same day in Brussels", "2027-01-13T22:59:59Z", "2027-01-14T00:00:00+01:00"},
		{"New York evening, already next day in Brussels", "2027-01-13T19:00:00-05:00", "2027-01-15T00:00:00+01:00"},
		{"Tokyo morning, still previous day in Brussels", "2027-01-14T07:00:00+09:00", "2027-01-14T00:00:00+01:00"},
		{"New Year's Eve", "2026-12-31T20:00:00+01:00", "2027-01-01T00:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDeadline(t, "EndOfDay("+tt.t+")", EndOfDay(at(t, tt.t)), tt.want)
		})
	}

	// The local day of the DST changes is 23 or 25 hours long; adding 24 h
	// would be wrong.
	start := time.Date(2027, time.March, 28, 0, 0, 0, 0, Brussels)
	if got := EndOfDay(start).Sub(start); got != 23*time.Hour {
		t.Errorf("length of 28 March 2027 = %v, want 23h", got)
	}
	start = time.Date(2027, time.October, 31, 0, 0, 0, 0, Brussels)
	if got := EndOfDay(start).Sub(start); got != 25*time.Hour {
		t.Errorf("length of 31 October 2027 = %v, want 25h", got)
	}
}

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		name string
		cal  Calendar
		from string
		n    int
		want string
	}{
		// Weekends.
		{"Friday afternoon +5 is end of next Friday", public, "2027-01-15T15:00:00+01:00", 5, "2027-01-23T00:00:00+01:00"},
		{"Friday afternoon +5, school calendar", school, "2027-01-15T15:00:00+01:00", 5, "2027-01-23T00:00:00+01:00"},
		{"Friday +1 is end of Monday", public, "2027-01-15T15:00:00+01:00", 1, "2027-01-19T00:00:00+01:00"},
		{"Saturday +1 is end of Monday", public, "2027-01-16T10:00:00+01:00", 1, "2027-01-19T00:00:00+01:00"},
		{"Sunday +0 is end of Monday", public, "2027-01-17T10:00:00+01:00", 0, "2027-01-19T00:00:00+01:00"},
		{"Wednesday +0 is end of that day", public, "2027-01-13T09:00:00+01:00", 0, "2027-01-14T00:00:00+01:00"},
		{"midnight +0 is end of that day", public, "2027-01-13T00:00:00+01:00", 0, "2027-01-14T00:00:00+01:00"},
		{"last nanosecond +1 is end of next day", public, "2027-01-13T23:59:59.999999999+01:00", 1, "2027-01-15T00:00:00+01:00"},
		{"a deadline +0 is the end of the next working day", public, "2027-01-16T00:00:00+01:00", 0, "2027-01-19T00:00:00+01:00"},

		// Easter 2027: Good Friday 26 March is a working day, Easter Monday
		// 29 March is not; DST starts on Sunday 28 March.
		// +5: Tue 30 (1), Wed 31 (2), Thu 1 Apr (3), Fri 2 (4), Mon 5 (5).
		{"Good Friday 2027 +5", public, "2027-03-26T16:00:00+01:00", 5, "2027-04-06T00:00:00+02:00"},
		{"Good Friday 2027 +1 skips Easter Monday", public, "2027-03-26T16:00:00+01:00", 1, "2027-03-31T00:00:00+02:00"},
		{"Good Friday 2027 +0 (before DST)", public, "2027-03-26T16:00:00+01:00", 0, "2027-03-27T00:00:00+01:00"},
		{"Easter Sunday 2027 +0", public, "2027-03-28T12:00:00+02:00", 0, "2027-03-31T00:00:00+02:00"},
		// Paasvakantie 29 Mar - 11 Apr 2027: Mon 12 Apr (1) ... Fri 16 Apr (5).
		{"Good Friday 2027 +5, school calendar", school, "2027-03-26T16:00:00+01:00", 5, "2027-04-17T00:00:00+02:00"},
		{"Good Friday 2027 +0, school calendar", school, "2027-03-26T16:00:00+01:00", 0, "2027-03-27T00:00:00+01:00"},
		// Ascension Thu 6 May 2027: Fri 7 (1), Mon 10 (2).
		{"across Ascension 2027", public, "2027-05-05T10:00:00+02:00", 2, "2027-05-11T00:00:00+02:00"},
		// Whit Monday 17 May 2027: Tue 18 (1).
		{"across Whit Monday 2027", public, "2027-05-14T10:00:00+02:00", 1, "2027-05-19T00:00:00+02:00"},

		// Christmas 2026 (Friday) and New Year 2027 (Friday).
		// Thu 24 (1), Mon 28 (2), Tue 29 (3).
		{"Christmas 2026 +3", public, "2026-12-23T10:00:00+01:00", 3, "2026-12-30T00:00:00+01:00"},
		// ... Wed 30 (4), Thu 31 (5), Mon 4 Jan (6).
		{"Christmas 2026 +6 crosses New Year", public, "2026-12-23T10:00:00+01:00", 6, "2027-01-05T00:00:00+01:00"},
		// Kerstvakantie 21 Dec 2026 - 3 Jan 2027: Mon 4 (1), Tue 5 (2), Wed 6 (3).
		{"Christmas 2026 +3, school calendar", school, "2026-12-23T10:00:00+01:00", 3, "2027-01-07T00:00:00+01:00"},
		{"Christmas 2026 +0, school calendar", school, "2026-12-23T10:00:00+01:00", 0, "2027-01-05T00:00:00+01:00"},
		// Christmas and New Year 2027/28 fall on Saturdays and are not moved.
		{"Christmas Eve 2027 +1", public, "2027-12-24T10:00:00+01:00", 1, "2027-12-28T00:00:00+01:00"},
		{"New Year's Eve 2027 +1", public, "2027-12-31T10:00:00+01:00", 1, "2028-01-04T00:00:00+01:00"},
		// Kerstvakantie 27 Dec 2027 - 9 Jan 2028: Mon 10 Jan (1).
		{"Christmas Eve 2027 +1, school calendar", school, "2027-12-24T10:00:00+01:00", 1, "2028-01-11T00:00:00+01:00"},

		// Zomervakantie: Wed 30 Jun (1), then Wed 1 Sep (2), Thu 2 Sep (3).
		{"into the summer, school calendar", school, "2027-06-29T10:00:00+02:00", 3, "2027-09-03T00:00:00+02:00"},
		{"into the summer", public, "2027-06-29T10:00:00+02:00", 3, "2027-07-03T00:00:00+02:00"},

		// Daylight saving changes of 2026: Sunday 29 March, Sunday 25 October.
		{"over DST start 2026", public, "2026-03-27T17:00:00+01:00", 1, "2026-03-31T00:00:00+02:00"},
		{"Saturday before DST start 2026 +0", public, "2026-03-28T17:00:00+01:00", 0, "2026-03-31T00:00:00+02:00"},
		{"over DST end 2026", public, "2026-10-23T16:00:00+02:00", 1, "2026-10-27T00:00:00+01:00"},
		{"second 02:30 of DST end day +0", public, "2026-10-25T02:30:00+01:00", 0, "2026-10-27T00:00:00+01:00"},
		{"Friday before DST end 2027 +0", public, "2027-10-29T16:00:00+02:00", 0, "2027-10-30T00:00:00+02:00"},

		// Submissions whose Brussels date differs from their UTC date.
		// 23:30 UTC Friday is 00:30 Saturday in Brussels.
		{"UTC Friday 23:30 is Saturday in Brussels", public, "2027-01-15T23:30:00Z", 0, "2027-01-19T00:00:00+01:00"},
		{"UTC Friday 22:30 is still Friday in Brussels", public, "2027-01-15T22:30:00Z", 0, "2027-01-16T00:00:00+01:00"},
		// In summer Brussels is UTC+2: Thu 22:30 UTC is Fri 00:30.
		{"UTC Thursday 22:30 in summer is Friday", public, "2027-06-10T22:30:00Z", 1, "2027-06-15T00:00:00+02:00"},
		{"UTC Thursday 21:59 in summer is Thursday", public, "2027-06-10T21:59:59Z", 1, "2027-06-12T00:00:00+02:00"},
		{"New York Friday evening is Saturday", public, "2027-01-15T19:00:00-05:00", 0, "2027-01-19T00:00:00+01:00"},
		{"Tokyo Saturday morning is Friday", public, "2027-01-16T07:00:00+09:00", 0, "2027-01-16T00:00:00+01:00"},

		// Long spans. 2026 has 261 weekdays and 8 weekday holidays (1 Jan,
		// 6 Apr, 1 May, 14 May, 25 May, 21 Jul, 11 Nov, 25 Dec): 253 working
		// days. 2027 has 261 weekdays and 7 weekday holidays (1 Jan, 29 Mar,
		// 6 May, 17 May, 21 Jul, 1 Nov, 11 Nov): 254. The last working day of
		// 2027 is Friday 31 December.
		{"a whole year", public, "2026-12-31T12:00:00+01:00", 254, "2028-01-01T00:00:00+01:00"},
		{"two whole years", public, "2025-12-31T12:00:00+01:00", 253 + 254, "2028-01-01T00:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.AddWorkingDays(at(t, tt.from), tt.n)
			checkDeadline(t, fmt.Sprintf("%+v.AddWorkingDays(%s, %d)", tt.cal, tt.from, tt.n), got, tt.want)
		})
	}
}

func TestAddWorkingDaysNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AddWorkingDays(-1) did not panic")
		}
	}()
	public.AddWorkingDays(noon(2027, time.January, 13), -1)
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		name     string
		cal      Calendar
		from, to string
		want     int
	}{
		{"same instant", public, "2027-01-13T10:00:00+01:00", "2027-01-13T10:00:00+01:00", 0},
		{"same day", public, "2027-01-13T00:00:00+01:00", "2027-01-13T23:59:59+01:00", 0},
		{"to before from", public, "2027-01-20T10:00:00+01:00", "2027-01-13T10:00:00+01:00", 0},
		{"next day", public, "2027-01-13T23:59:59+01:00", "2027-01-14T00:00:00+01:00", 1},
		{"Friday to Sunday", public, "2027-01-15T10:00:00+01:00", "2027-01-17T10:00:00+01:00", 0},
		{"Saturday to Monday", public, "2027-01-16T10:00:00+01:00", "2027-01-18T10:00:00+01:00", 1},
		{"Friday to next Friday", public, "2027-01-15T10:00:00+01:00", "2027-01-22T10:00:00+01:00", 5},
		{"Good Friday to Sunday 4 April 2027", public, "2027-03-26T10:00:00+01:00", "2027-04-04T10:00:00+02:00", 4},
		{"Good Friday to Monday 5 April 2027", public, "2027-03-26T10:00:00+01:00", "2027-04-05T10:00:00+02:00", 5},
		{"Good Friday to Friday 16 April 2027, school calendar", school, "2027-03-26T10:00:00+01:00", "2027-04-16T10:00:00+02:00", 5},
		{"whole year 2026", public, "2025-12-31T10:00:00+01:00", "2026-12-31T10:00:00+01:00", 253},
		{"whole year 2027", public, "2026-12-31T10:00:00+01:00", "2027-12-31T10:00:00+01:00", 254},
		// 23:30 UTC on Thursday is Friday 00:30 in Brussels: Friday counts.
		{"to is next day in Brussels only", public, "2027-01-14T12:00:00+01:00", "2027-01-14T23:30:00Z", 1},
		{"to is same day in Brussels", public, "2027-01-14T12:00:00+01:00", "2027-01-14T22:30:00Z", 0},
		{"from is next day in Brussels only", public, "2027-01-14T23:30:00Z", "2027-01-15T12:00:00+01:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.WorkingDaysBetween(at(t, tt.from), at(t, tt.to))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%+v.WorkingDaysBetween(%s, %s) (-want +got):\n%s", tt.cal, tt.from, tt.to, diff)
			}
		})
	}
}

// startOfDay is 00:00 in Brussels of t's Brussels date.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(Brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Brussels)
}

// TestAddWorkingDaysProperties checks, for seeded random instants between
// 2024 and 2031 in several zones, random n in 0..60 and both calendars, that
// with dl = AddWorkingDays(from, n) and last = dl - 1ns (the last instant of
// the deadline day):
//
//  1. dl is local midnight in Brussels, after from, and dl == EndOfDay(last);
//  2. the deadline day is a working day;
//  3. WorkingDaysBetween(from, last) == n, except that it is 1 when n == 0
//     and from's day is not a working day;
//  4. the deadline day is the first day with that count: on the day before
//     it the count is one less (for n == 0 on a working day the deadline day
//     is from's day, i.e. dl == EndOfDay(from));
//  5. AddWorkingDays(from, n+m) == AddWorkingDays(last, m) for n >= 1;
//  6. WorkingDaysBetween(from, to) == WorkingDaysBetween(from, last) +
//     WorkingDaysBetween(last, to) for to after last;
//  7. the school calendar never gives an earlier deadline and has no
//     working day that the public calendar lacks.
func TestAddWorkingDaysProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(2027, 326))
	lo := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2031, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	zones := []*time.Location{time.UTC, Brussels, time.FixedZone("UTC-5", -5*3600), time.FixedZone("UTC+9", 9*3600)}

	const cases = 5000
	for i := range cases {
		from := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		n := r.IntN(61)
		m := r.IntN(61)
		cal := Calendar{SkipSchoolHolidays: r.IntN(2) == 1}
		desc := fmt.Sprintf("case %d: %+v, from %s, n %d", i, cal, from.Format(time.RFC3339Nano), n)

		dl := cal.AddWorkingDays(from, n)
		last := dl.Add(-time.Nanosecond)

		// 1.
		if dl.Location() != Brussels || !dl.Equal(startOfDay(dl)) || !dl.After(from) || !dl.Equal(EndOfDay(last)) {
			t.Fatalf("%s: deadline %s is not a Brussels midnight after from", desc, dl.Format(time.RFC3339Nano))
		}
		// 2.
		if !cal.IsWorkingDay(last) {
			t.Fatalf("%s: deadline day %s is not a working day", desc, last.Format(time.DateOnly))
		}
		// 3.
		want := n
		if n == 0 && !cal.IsWorkingDay(from) {
			want = 1
		}
		if got := cal.WorkingDaysBetween(from, last); got != want {
			t.Fatalf("%s: WorkingDaysBetween(from, %s) = %d, want %d", desc, last.Format(time.RFC3339Nano), got, want)
		}
		// 4.
		if n == 0 && cal.IsWorkingDay(from) {
			if !dl.Equal(EndOfDay(from)) {
				t.Fatalf("%s: deadline %s, want end of from's day", desc, dl.Format(time.RFC3339))
			}
		} else {
			dayBefore := startOfDay(last).Add(-time.Nanosecond)
			if got := cal.WorkingDaysBetween(from, dayBefore); got != want-1 {
				t.Fatalf("%s: WorkingDaysBetween(from, %s) = %d, want %d", desc, dayBefore.Format(time.RFC3339Nano), got, want-1)
			}
		}
		// 5.
		if n >= 1 {
			a, b := cal.AddWorkingDays(from, n+m), cal.AddWorkingDays(last, m)
			if !a.Equal(b) {
				t.Fatalf("%s, m %d: AddWorkingDays(from, n+m) = %s, AddWorkingDays(last, m) = %s", desc, m, a.Format(time.RFC3339), b.Format(time.RFC3339))
			}
		}
		// 6.
		to := last.Add(time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
		if a, b, c := cal.WorkingDaysBetween(from, to), cal.WorkingDaysBetween(from, last), cal.WorkingDaysBetween(last, to); a != b+c {
			t.Fatalf("%s, to %s: %d != %d + %d", desc, to.Format(time.RFC3339), a, b, c)
		}
		// 7.
		if s, p := school.AddWorkingDays(from, n), public.AddWorkingDays(from, n); s.Before(p) {
			t.Fatalf("%s: school deadline %s before public deadline %s", desc, s.Format(time.RFC3339), p.Format(time.RFC3339))
		}
		if school.IsWorkingDay(from) && !public.IsWorkingDay(from) {
			t.Fatalf("%s: working day only in the school calendar", desc)
		}
	}
}

// TestWorkflowSafe guards the Temporal determinism requirements: the package
// imports only fmt, time and time/tzdata, starts no goroutines and never
// reads the clock or sleeps.
func TestWorkflowSafe(t *testing.T) {
	allowed := map[string]bool{"fmt": true, "time": true, "time/tzdata": true}
	forbidden := map[string]bool{
		"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
		"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %q", name, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" && forbidden[n.Sel.Name] {
					t.Errorf("%s: time.%s", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
}

func BenchmarkAddWorkingDays500(b *testing.B) {
	from := noon(2027, time.January, 13)
	for b.Loop() {
		school.AddWorkingDays(from, 500)
	}
}
