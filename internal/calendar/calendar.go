// Package calendar is a working-day calendar for Flanders (Belgium).
//
// It is pure and deterministic: it never reads the clock, starts no
// goroutines, does no I/O after package initialisation and does not depend on
// map iteration order, so it is safe to call from Temporal workflow code.
//
// # Time zone
//
// Every date is the civil date in Europe/Brussels ([Brussels]). An instant
// given in any other location is first converted to Brussels time, so
// 2027-01-15T23:30:00Z is Saturday 16 January 2027 (00:30 in Brussels), not
// Friday. Deadlines are returned as instants in [Brussels] that fall exactly on
// local midnight, also across the daylight-saving changes.
//
// # Working days
//
// A working day is a Monday to Friday that is not a Belgian public holiday
// (see [Holiday]) and, when [Calendar.SkipSchoolHolidays] is set, not a
// Flemish school holiday either (see [SchoolHoliday]).
//
// The Belgian public holidays (wet van 4 januari 1974 betreffende de
// feestdagen) are: Nieuwjaar (1 January), Paasmaandag (Easter Monday),
// Dag van de Arbeid (1 May), O.L.H. Hemelvaart (Ascension, Easter + 39 days),
// Pinkstermaandag (Whit Monday, Easter + 50 days), Nationale feestdag
// (21 July), O.L.V. Hemelvaart (Assumption, 15 August), Allerheiligen
// (1 November), Wapenstilstand (11 November) and Kerstmis (25 December).
// Easter Sunday is computed with the anonymous Gregorian algorithm (Meeus /
// Jones / Butcher). A holiday that falls on a Saturday or Sunday is not moved:
// the replacement day an employer must grant is not a public holiday. Regional
// and sector days (11 July, Feest van de Vlaamse Gemeenschap; 15 November;
// 26 December; Good Friday) are not public holidays and are working days.
//
// # Flemish school holidays
//
// The school holidays follow the fixed rules of the Flemish Government
// (Besluit van de Vlaamse Regering van 17 april 1991 tot organisatie van het
// schooljaar, and the identical rules of the Besluit van 31 augustus 2001 for
// secondary education). Weeks run Monday to Sunday.
//
//   - Herfstvakantie: one week, starting on the Monday of the week that
//     contains 1 November; if 1 November is a Sunday it starts on 2 November.
//   - Kerstvakantie: two weeks, starting on the Monday of the week that
//     contains 25 December; if 25 December is a Saturday or a Sunday it starts
//     on the Monday after 25 December.
//   - Krokusvakantie: one week, starting on the seventh Monday before Easter
//     (Easter Sunday − 48 days).
//   - Paasvakantie: two weeks, starting on the first Monday of April; if
//     Easter Sunday is in March it starts on Easter Monday; if Easter Sunday is
//     after 15 April it starts on the second Monday before Easter (Easter
//     Sunday − 13 days) and is extended by one day, Easter Monday.
//   - Zomervakantie: 1 July up to and including 31 August.
//
// The Friday after Ascension, which the same decrees also make a day off for
// schools, and days off that a school chooses itself (pedagogische
// studiedagen, facultatieve vrije dagen) are not school holidays here.
//
// All rules are applied to every year of the proleptic Gregorian calendar,
// without regard to when they came into force.
//
// It imports nothing of the project.
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // embed Europe/Brussels so that it never depends on the host
)

// Brussels is the Europe/Brussels location. It is loaded once, at package
// initialisation. The tzdata embedded by time/tzdata is used when the host
// has no zoneinfo database (Go prefers a host database when one exists).
var Brussels = mustLoadLocation("Europe/Brussels")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("calendar: load %s: %v", name, err))
	}
	return loc
}

// Calendar decides which days are working days. The zero value counts
// Monday to Friday minus the Belgian public holidays.
type Calendar struct {
	// SkipSchoolHolidays makes the Flemish school holidays non-working days
	// as well.
	SkipSchoolHolidays bool
}

// IsWorkingDay reports whether the Brussels civil date of day is a working
// day: a Monday to Friday that is not a public holiday and, if
// c.SkipSchoolHolidays is set, not in a school holiday.
func (c Calendar) IsWorkingDay(day time.Time) bool {
	return c.isWorkingDate(dateOf(day))
}

// AddWorkingDays returns the deadline that lies n working days after from:
// the end of the n-th working day strictly after the Brussels civil date of
// from. The end of a day is the first instant of the following calendar day
// (00:00 local time), returned in [Brussels]; see [EndOfDay].
//
// For n == 0 the result is the end of from's date if that is a working day,
// and otherwise the end of the first working day after it.
//
// Examples (without school holidays): a case submitted at any time on Friday
// 15 January 2027 with n = 5 is due at 2027-01-23T00:00:00+01:00, the end of
// Friday 22 January. A case submitted on Friday 26 March 2027 with n = 5 is due
// at 2027-04-06T00:00:00+02:00, the end of Monday 5 April 2027, because Easter
// Monday 29 March 2027 is a public holiday.
//
// The cost is linear in the number of calendar days spanned. n must not be
// negative; AddWorkingDays panics if it is.
func (c Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	if n < 0 {
		panic(fmt.Sprintf("calendar: AddWorkingDays with negative n = %d", n))
	}
	d := dateOf(from)
	if n == 0 {
		for !c.isWorkingDate(d) {
			d = d.next()
		}
		return d.end()
	}
	for n > 0 {
		d = d.next()
		if c.isWorkingDate(d) {
			n--
		}
	}
	return d.end()
}

// WorkingDaysBetween counts the working days whose Brussels civil date is
// strictly after the date of from and up to and including the date of to.
// It returns 0 if the date of to is not after the date of from.
//
// It is the counterpart of [Calendar.AddWorkingDays]: for every n >= 1,
// WorkingDaysBetween(from, AddWorkingDays(from, n).Add(-time.Nanosecond)) == n.
//
// The cost is linear in the number of calendar days between the two dates.
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := dateOf(from), dateOf(to)
	count := 0
	for d := a.next(); !b.before(d); d = d.next() {
		if c.isWorkingDate(d) {
			count++
		}
	}
	return count
}

// Holiday reports whether the Brussels civil date of day is a Belgian public
// holiday and returns its Dutch name: "Nieuwjaar", "Paasmaandag",
// "Dag van de Arbeid", "O.L.H. Hemelvaart", "Pinkstermaandag",
// "Nationale feestdag", "O.L.V. Hemelvaart", "Allerheiligen",
// "Wapenstilstand" or "Kerstmis". When two holidays coincide (1 May is
// Ascension when Easter is on 23 March, as in 2008) both names are returned,
// joined by " en ", in the order listed here.
func Holiday(day time.Time) (name string, ok bool) {
	name = holidayName(dateOf(day))
	return name, name != ""
}

// SchoolHoliday reports whether the Brussels civil date of day falls in a
// Flemish school holiday and returns its name: "Herfstvakantie",
// "Kerstvakantie", "Krokusvakantie", "Paasvakantie" or "Zomervakantie". The
// rules are those of the package documentation.
func SchoolHoliday(day time.Time) (name string, ok bool) {
	name = schoolHolidayName(dateOf(day))
	return name, name != ""
}

// EndOfDay returns the end of the Brussels civil date of t: 00:00 local time
// of the next calendar day, as an instant in [Brussels]. On the days that
// daylight saving time starts or ends the local day is 23 or 25 hours long;
// the result is still local midnight.
func EndOfDay(t time.Time) time.Time {
	return dateOf(t).end()
}

// date is a civil date. It is stored as midnight UTC so that day arithmetic
// never meets a daylight-saving change.
type date struct{ t time.Time }

func dateOf(t time.Time) date {
	y, m, d := t.In(Brussels).Date()
	return ymd(y, m, d)
}

func ymd(y int, m time.Month, d int) date {
	return date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d date) addDays(n int) date    { return date{d.t.AddDate(0, 0, n)} }
func (d date) next() date            { return d.addDays(1) }
func (d date) before(e date) bool    { return d.t.Before(e.t) }
func (d date) equal(e date) bool     { return d.t.Equal(e.t) }
func (d date) weekday() time.Weekday { return d.t.Weekday() }
func (d date) year() int             { return d.t.Year() }
func (d date) monthDay() (time.Month, int) {
	_, m, dd := d.t.Date()
	return m, dd
}

// within reports whether first <= d <= last.
func (d date) within(first, last date) bool {
	return !d.before(first) && !last.before(d)
}

// end is 00:00 in Brussels of the day after d.
func (d date) end() time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, Brussels)
}

func (c Calendar) isWorkingDate(d date) bool {
	switch d.weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	if holidayName(d) != "" {
		return false
	}
	if c.SkipSchoolHolidays && schoolHolidayName(d) != "" {
		return false
	}
	return true
}

// easter returns Easter Sunday of year y in the Gregorian calendar, by the
// anonymous Gregorian algorithm (Meeus, Astronomical Algorithms, ch. 8).
func easter(y int) date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return ymd(y, time.Month(month), day)
}

func holidayName(d date) string {
	m, dd := d.monthDay()
	var fixed string
	switch {
	case m == time.January && dd == 1:
		fixed = "Nieuwjaar"
	case m == time.May && dd == 1:
		fixed = "Dag van de Arbeid"
	case m == time.July && dd == 21:
		fixed = "Nationale feestdag"
	case m == time.August && dd == 15:
		fixed = "O.L.V. Hemelvaart"
	case m == time.November && dd == 1:
		fixed = "Allerheiligen"
	case m == time.November && dd == 11:
		fixed = "Wapenstilstand"
	case m == time.December && dd == 25:
		fixed = "Kerstmis"
	}
	// Easter-based holidays fall between 23 March and 14 June.
	if m < time.March || m > time.June {
		return fixed
	}
	e := easter(d.year())
	var movable string
	switch {
	case d.equal(e.addDays(1)):
		movable = "Paasmaandag"
	case d.equal(e.addDays(39)):
		movable = "O.L.H. Hemelvaart"
	case d.equal(e.addDays(50)):
		movable = "Pinkstermaandag"
	}
	switch {
	case fixed == "":
		return movable
	case movable == "":
		return fixed
	default:
		return fixed + " en " + movable
	}
}

func schoolHolidayName(d date) string {
	y := d.year()
	m, _ := d.monthDay()
	switch m {
	case time.July, time.August:
		return "Zomervakantie"
	case time.October, time.November:
		if start := autumnStart(y); d.within(start, start.addDays(6)) {
			return "Herfstvakantie"
		}
	case time.February, time.March, time.April, time.May:
		e := easter(y)
		if start := e.addDays(-48); d.within(start, start.addDays(6)) {
			return "Krokusvakantie"
		}
		if start, last := easterHolidays(e); d.within(start, last) {
			return "Paasvakantie"
		}
	case time.December, time.January:
		// The kerstvakantie of year y-1 runs into January of year y.
		for _, cy := range [...]int{y, y - 1} {
			if start := christmasStart(cy); d.within(start, start.addDays(13)) {
				return "Kerstvakantie"
			}
		}
	}
	return ""
}

// mondayOnOrBefore returns the Monday of the Monday-to-Sunday week of d.
func mondayOnOrBefore(d date) date {
	back := (int(d.weekday()) + 6) % 7 // Monday 0 ... Sunday 6
	return d.addDays(-back)
}

// autumnStart is the first day of the herfstvakantie in the autumn of year y.
func autumnStart(y int) date {
	nov1 := ymd(y, time.November, 1)
	if nov1.weekday() == time.Sunday {
		return nov1.next()
	}
	return mondayOnOrBefore(nov1)
}

// christmasStart is the first day of the kerstvakantie that contains or
// follows 25 December of year y.
func christmasStart(y int) date {
	xmas := ymd(y, time.December, 25)
	switch xmas.weekday() {
	case time.Saturday:
		return xmas.addDays(2)
	case time.Sunday:
		return xmas.addDays(1)
	}
	return mondayOnOrBefore(xmas)
}

// easterHolidays returns the first and last day of the paasvakantie for
// Easter Sunday e.
func easterHolidays(e date) (first, last date) {
	m, dd := e.monthDay()
	switch {
	case m == time.March:
		first = e.addDays(1) // Easter Monday
	case dd > 15: // April, after the 15th
		// The second Monday before Easter; the two weeks end on Easter
		// Sunday and Easter Monday is added.
		first = e.addDays(-13)
		return first, e.addDays(1)
	default:
		apr1 := ymd(e.year(), time.April, 1)
		first = apr1.addDays((int(time.Monday) - int(apr1.weekday()) + 7) % 7)
	}
	return first, first.addDays(13)
}
