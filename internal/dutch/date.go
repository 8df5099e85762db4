package dutch

import (
	"fmt"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// Every date is said in Europe/Brussels: the users are in Belgium,
// whatever the machine's TZ says.

var (
	weekdays      = []string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	weekdaysShort = []string{"zo", "ma", "di", "wo", "do", "vr", "za"}
	months        = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	monthsShort   = []string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
)

// Date is the day of t: "dinsdag 15 december 2026".
func Date(t time.Time) string {
	t = t.In(calendar.Brussels)
	return fmt.Sprintf("%s %d %s %d", weekdays[t.Weekday()], t.Day(), months[t.Month()-1], t.Year())
}

// DateTime is the moment t: "dinsdag 15 december 2026 om 14:00".
func DateTime(t time.Time) string { return Date(t) + " om " + t.In(calendar.Brussels).Format("15:04") }

// ShortDate is the day of t, for tables: "di 15 dec 2026".
func ShortDate(t time.Time) string {
	t = t.In(calendar.Brussels)
	return fmt.Sprintf("%s %d %s %d", weekdaysShort[t.Weekday()], t.Day(), monthsShort[t.Month()-1], t.Year())
}

// ShortDateTime is the moment t, for tables: "di 15 dec 2026 14:00".
func ShortDateTime(t time.Time) string {
	return ShortDate(t) + " " + t.In(calendar.Brussels).Format("15:04")
}

// DueDate says when a deadline falls. Deadlines fall at the end of a
// working day, which is 00:00 of the next day: 2026-12-15T23:00:00Z is the
// end of "dinsdag 15 december 2026". A deadline at another time (rotsd dev
// -deadline-day) is that moment: "dinsdag 15 december 2026 om 14:03".
func DueDate(deadline time.Time) string {
	if d, ok := endOfDay(deadline); ok {
		return Date(d)
	}
	return DateTime(deadline)
}

// ShortDueDate is DueDate for tables: "di 15 dec 2026", or
// "di 15 dec 2026 14:03" for a deadline at another time than 00:00.
func ShortDueDate(deadline time.Time) string {
	if d, ok := endOfDay(deadline); ok {
		return ShortDate(d)
	}
	return ShortDateTime(deadline)
}

// endOfDay is the day a deadline at 00:00 in Brussels ends, and whether it
// is at 00:00.
func endOfDay(deadline time.Time) (time.Time, bool) {
	b := deadline.In(calendar.Brussels)
	if b.Hour() != 0 || b.Minute() != 0 || b.Second() != 0 || b.Nanosecond() != 0 {
		return b, false
	}
	return b.Add(-time.Nanosecond), true
}

// Month says a month "2026-03" as "maart 2026"; anything else stays.
func Month(s string) string {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	return months[m.Month()-1] + " " + m.Format("2006")
}

// ShortMonth says a month "2026-03" as "mrt 2026"; anything else stays.
func ShortMonth(s string) string {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	return monthsShort[m.Month()-1] + " " + m.Format("2006")
}

// Birth says a birth month: "mei 2012"; just the year without a month
// (1 to 12), "" without a year.
func Birth(year, month int32) string {
	switch {
	case year == 0:
		return ""
	case month < 1 || month > 12:
		return fmt.Sprint(year)
	}
	return fmt.Sprintf("%s %d", months[month-1], year)
}
