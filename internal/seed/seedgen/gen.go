package seedgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// weighted picks one of values with the given weights.
type weighted[T any] struct {
	values  []T
	weights []float64
	total   float64
}

func newWeighted[T any](pairs ...any) weighted[T] {
	var w weighted[T]
	for i := 0; i < len(pairs); i += 2 {
		w.values = append(w.values, pairs[i].(T))
		f := float64(pairs[i+1].(int))
		w.weights = append(w.weights, f)
		w.total += f
	}
	return w
}

func (w weighted[T]) pick(r *rand.Rand) T {
	x := r.Float64() * w.total
	for i, f := range w.weights {
		if x < f {
			return w.values[i]
		}
		x -= f
	}
	return w.values[len(w.values)-1]
}

var (
	regions = newWeighted[string](vocab.RegionAntwerpen, 25, vocab.RegionOostVlaanderen, 21, vocab.RegionWestVlaanderen, 17,
		vocab.RegionVlaamsBrabant, 16, vocab.RegionLimburg, 13, vocab.RegionBrussel, 8)
	themes = newWeighted[string]("ABSENCE", 30, "MENTAL_HEALTH", 22, "BEHAVIOUR", 15, "FAMILY_CONTEXT", 10,
		"WAITING_LIST_YOUTH_CARE", 9, "LEARNING_DELAY", 6, "NO_FITTING_SCHOOL_EXTERNAL_OFFER", 4, "LANGUAGE", 2, "OTHER", 2)
	closeReasons = newWeighted[string](vocab.ClosedBackAtSchool, 45, vocab.ClosedAlternativeTrajectory, 25, vocab.ClosedReferredITP, 15,
		vocab.ClosedMovedOutOfRegion, 5, "OTHER", 10)
	aliases = []string{"J.", "S.", "M.", "Noor", "Lars", "A.", "Yusuf", "Emma", "K.", "Lotte", "Ibrahim", "L."}
	places  = map[string][]string{
		vocab.RegionAntwerpen:      {"Antwerpen", "Mechelen", "Turnhout", "Geel", "Mol"},
		vocab.RegionOostVlaanderen: {"Gent", "Aalst", "Sint-Niklaas", "Dendermonde", "Oudenaarde"},
		vocab.RegionWestVlaanderen: {"Brugge", "Kortrijk", "Oostende", "Roeselare", "Ieper"},
		vocab.RegionVlaamsBrabant:  {"Leuven", "Vilvoorde", "Halle", "Tienen", "Aarschot"},
		vocab.RegionLimburg:        {"Hasselt", "Genk", "Sint-Truiden", "Tongeren", "Lommel"},
		vocab.RegionBrussel:        {"Brussel", "Anderlecht", "Schaarbeek", "Molenbeek", "Jette"},
	}
)

// caseRow, eventRow, agreementRow and gapRow are rows as COPY writes them.
type (
	caseRow      []any
	eventRow     []any
	agreementRow []any
	gapRow       []any
)

// chunk is the rows of a run of consecutive cases.
type chunk struct {
	cases      []caseRow
	events     []eventRow
	agreements []agreementRow
	gaps       []gapRow
}

// generator makes cases one after another, in order of submission.
type generator struct {
	o     Options
	r     *rand.Rand
	span  time.Duration
	until time.Time
	// References come from their own stream, so the rest of the data set
	// is what it was before cases had references.
	refRand *rand.Rand
	refs    map[uint32]bool // references drawn so far
}

// reference draws a case reference no case of this data set has yet.
func (g *generator) reference() string {
	for {
		n := g.refRand.Uint32()
		if !g.refs[n] {
			g.refs[n] = true
			return fmt.Sprintf("ROTS-%08X", n)
		}
	}
}

func newGenerator(o Options) *generator {
	return &generator{o: o, r: rand.New(rand.NewPCG(o.Seed, 0x5eed)), span: o.Until.Sub(o.From), until: o.Until,
		refRand: rand.New(rand.NewPCG(o.Seed, 0x7ef)), refs: map[uint32]bool{}}
}

// requestID is the request_id of case i.
func requestID(seed uint64, i int) string { return fmt.Sprintf("seed-%d-%08d", seed, i) }

// caseID is a UUID that sorts by submission time (the layout of UUIDv7),
// so that the indexes on case IDs grow at their end while loading.
func (g *generator) caseID(at time.Time) uuid.UUID {
	var id uuid.UUID
	binary.BigEndian.PutUint64(id[0:8], uint64(at.UnixMilli())<<16|g.r.Uint64()&0xffff)
	binary.BigEndian.PutUint64(id[8:16], g.r.Uint64())
	id[6] = 0x70 | id[6]&0x0f
	id[8] = 0x80 | id[8]&0x3f
	return id
}

// sim is one case being played through its path.
type sim struct {
	g        *generator
	id       uuid.UUID
	region   string
	stage    string
	at       time.Time
	events   []eventRow
	rung     int
	broken   bool // breakthrough reached
	done     bool // the data set's end was reached
	closedAt *time.Time
	reason   string
}

// event appends an event after wait, unless that is past the end of the
// data set, which ends the case's story where it stands.
func (s *sim) event(wait time.Duration, kind, to, summary string) bool {
	if s.done {
		return false
	}
	at := s.at.Add(wait)
	if !at.Before(s.g.until) {
		s.done = true
		return false
	}
	s.at = at
	s.events = append(s.events, eventRow{s.id, fmt.Sprintf("seed:%d", len(s.events)), kind, s.stage, to, "systeem", summary, at})
	if to != s.stage {
		s.rung = 0
	}
	s.stage = to
	return true
}

// stay waits in the current stage for about days, climbing the ladder
// when it passes the deadline, and reports whether the wait ended in
// time (before the data set's end).
func (s *sim) stay(days, deadline float64) bool {
	r := s.g.r
	wait := days * (0.5 + r.ExpFloat64()*0.5)
	waited := 0.0
	for rung := 1; rung <= 4 && deadline+float64(rung-1)*7 < wait; rung++ {
		at := deadline + float64(rung-1)*7
		if !s.event(dayDur(at-waited), fmt.Sprintf("escalation.rung%d", rung), s.stage, fmt.Sprintf("Termijn verstreken: trede %d", rung)) {
			return false
		}
		waited = at
		s.rung = rung
		if rung == 4 {
			s.broken = true
		}
	}
	if s.done {
		return false
	}
	next := s.at.Add(dayDur(wait - waited))
	if !next.Before(s.g.until) {
		s.done = true
		return false
	}
	s.at = next
	return true
}

func dayDur(days float64) time.Duration { return time.Duration(days * 24 * float64(time.Hour)) }

// next generates case i and adds its rows to c.
func (g *generator) next(i int, c *chunk) {
	r := g.r
	// Submissions spread evenly over the years, on working hours.
	at := g.o.From.Add(time.Duration((float64(i) + r.Float64()) / float64(g.o.Cases) * float64(g.span)))
	day := at.In(calendar.Brussels)
	at = time.Date(day.Year(), day.Month(), day.Day(), 8+r.IntN(9), r.IntN(60), r.IntN(60), 0, calendar.Brussels).UTC()
	region := regions.pick(r)
	clb := r.Float64() < 0.65
	orgKind, orgName := "CLB", fmt.Sprintf("CLB %s %d", places[region][r.IntN(5)], 1+r.IntN(3))
	if !clb {
		orgKind, orgName = "YOUTH_CARE", fmt.Sprintf("Jeugdhulp %s %d", places[region][r.IntN(5)], 1+r.IntN(3))
	}
	// Age at submission: a quarter in primary school age, the rest 12-17.
	ageMonths := 72 + r.IntN(72)
	if r.Float64() < 0.75 {
		ageMonths = 144 + r.IntN(72)
	}
	sub := at.In(calendar.Brussels)
	bornIndex := sub.Year()*12 + int(sub.Month()) - 1 - ageMonths
	bornYear, bornMonth := bornIndex/12, bornIndex%12+1
	ageBand := "TWELVE_AND_OVER"
	if ageMonths < 144 {
		ageBand = "UNDER_12"
	}
	level, grade := schoolLevel(r, ageMonths)
	var ts []string
	for n := 1 + r.IntN(3); len(ts) < n; {
		if t := themes.pick(r); !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}

	s := &sim{g: g, id: g.caseID(at), region: region, stage: vocab.StageSubmitted, at: at}
	s.events = append(s.events, eventRow{s.id, requestID(g.o.Seed, i), "submitted", "", vocab.StageSubmitted, "An Peeters", "Aangemeld door " + orgName, at})
	var agreements []agreementRow
	var gaps []gapRow
	s.play(func(n int, at time.Time, done bool) {
		// A reconvened table's outcome replaces the agreements, as the
		// store does.
		agreements = agreements[:0]
		statuses := []string{"OPEN", "IN_PROGRESS", "DONE", "BLOCKED"}
		for k := range n {
			status := "DONE"
			if !done {
				status = statuses[r.IntN(4)]
			}
			due := at.AddDate(0, 0, 14+r.IntN(45)).In(calendar.Brussels)
			agreements = append(agreements, agreementRow{s.id, int32(k), "Afspraak " + fmt.Sprint(k+1), places[region][r.IntN(5)] + " vzw",
				time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC), status, "", ""})
		}
		if r.Float64() < 0.25 {
			gaps = append(gaps, gapRow{s.id, fmt.Sprintf("seed:gap%d", len(gaps)), region, ts[r.IntN(len(ts))], ageBand,
				"Aangepast aanbod", int32(r.IntN(40)), at, "tandem"})
		}
	})

	var closedAt, anonymisedAt any
	stage, reason := s.stage, ""
	if s.closedAt != nil {
		closedAt, reason = *s.closedAt, s.reason
	}
	contact, email, alias, school, municipality, month := "An Peeters", "an.peeters@example.be", aliases[r.IntN(len(aliases))],
		"Sint-Jan "+places[region][0], places[region][r.IntN(5)], bornMonth
	// Cases closed longer than the retention period (24 months) were
	// anonymised.
	if s.closedAt != nil && s.closedAt.AddDate(2, 0, 0).Before(g.until) {
		anonAt := s.closedAt.AddDate(2, 0, 0)
		anonymisedAt = anonAt
		s.events = append(s.events, eventRow{s.id, fmt.Sprintf("seed:%d", len(s.events)), "anonymised", vocab.StageClosed, vocab.StageClosed, "systeem",
			"", anonAt})
		contact, email, alias, school, municipality, month, grade = "", "", "", "", "", 0, 0
	}
	rung := s.rung
	if stage == vocab.StageClosed {
		rung = 0
	}
	c.cases = append(c.cases, caseRow{
		s.id, requestID(g.o.Seed, i), region, stage, orgName, orgKind,
		contact, email, "", alias, int32(bornYear), int32(month), level, int32(grade), school, municipality,
		"Thuiszitter", []string{"Gesprekken met de school"}, ts, true, true, true,
		"", "", "", reason, "", at, s.at, closedAt, true, int32(rung), s.broken, "[]", anonymisedAt, ageBand, g.reference(),
	})
	c.events = append(c.events, s.events...)
	c.agreements = append(c.agreements, agreements...)
	c.gaps = append(c.gaps, gaps...)
}

// play runs the case along its path until it closes or the data set ends.
// outcome is called when a table records its agreements, with whether the
// case will be closed (so its agreements are done).
func (s *sim) play(outcome func(n int, at time.Time, closed bool)) {
	r := s.g.r
	if !s.event(time.Duration(1+r.IntN(5))*time.Minute, "intake.started", vocab.StageIntake, "Wacht op de intakebeslissing") {
		return
	}
	if r.Float64() < 0.2 {
		if !s.stay(3, 7) || !s.event(0, "intake.question_asked", vocab.StageNeedsInfo, "Vraag aan de aanmelder") {
			return
		}
		if r.Float64() < 0.1 {
			if s.stay(44, 100) && s.event(0, "withdrawn.auto", vocab.StageClosed, "Automatisch ingetrokken") {
				s.close(vocab.ClosedWithdrawn)
			}
			return
		}
		if !s.stay(7, 14) || !s.event(0, "question.answered", vocab.StageIntake, "Antwoord van de aanmelder") {
			return
		}
	}
	if !s.stay(5, 7) {
		return
	}
	switch x := r.Float64(); {
	case x < 0.10:
		if s.event(0, "intake.declined", vocab.StageClosed, "Intake geweigerd") {
			s.close(vocab.ClosedDeclined)
		}
		return
	case x < 0.15:
		if s.event(0, "withdrawn", vocab.StageClosed, "Ingetrokken") {
			s.close(vocab.ClosedWithdrawn)
		}
		return
	}
	if !s.event(0, "intake.accepted", vocab.StageConsult, "Intake aanvaard") || !s.stay(9, 14) {
		return
	}
	if r.Float64() < 0.35 {
		if !s.event(0, "consult.advice", vocab.StageFollowUp, "Consult: advies") {
			return
		}
	} else if !s.table("consult.convene_table", outcome) {
		return
	}
	for round := 0; ; round++ {
		if !s.stay(45, 42) {
			return
		}
		if round > 0 || r.Float64() >= 0.08 {
			break
		}
		if !s.table("table.reconvened", outcome) {
			return
		}
	}
	if s.event(0, "closed", vocab.StageClosed, "Afgesloten") {
		s.close(closeReasons.pick(r))
	}
}

// table convenes a table, schedules it, records its outcome and updates
// its agreements.
func (s *sim) table(kind string, outcome func(int, time.Time, bool)) bool {
	r := s.g.r
	if !s.event(0, kind, vocab.StageTable, "Overlegtafel bijeenroepen") || !s.stay(3, 20) ||
		!s.event(0, "table.convened", vocab.StageTable, "Partners uitgenodigd") || !s.stay(8, 20) ||
		!s.event(0, "table.scheduled", vocab.StageTable, "Overleg gepland") || !s.stay(12, 25) ||
		!s.event(0, "table.outcome", vocab.StageFollowUp, "Aanbod op maat vastgelegd") {
		return false
	}
	n := 1 + r.IntN(3)
	// Whether the case will be closed is not known yet; agreements of a
	// case that reaches the end open stay open, the others get done.
	closedLater := s.at.AddDate(0, 3, 0).Before(s.g.until)
	outcome(n, s.at, closedLater)
	for k := range n {
		wait := dayDur(2 + r.Float64()*20)
		if !s.event(wait, "agreement.updated", vocab.StageFollowUp, fmt.Sprintf("Afspraak %d bijgewerkt", k+1)) {
			return false
		}
	}
	return true
}

func (s *sim) close(reason string) {
	at := s.at
	s.closedAt, s.reason = &at, reason
}

// schoolLevel fits the young person's age.
func schoolLevel(r *rand.Rand, ageMonths int) (string, int) {
	years := ageMonths / 12
	x := r.Float64()
	switch {
	case years < 12 && x < 0.85:
		return "LAGER", max(1, min(6, years-5))
	case years < 12:
		return "BUITENGEWOON_LAGER", 0
	case x < 0.80:
		return "SECUNDAIR", max(1, min(6, years-11))
	case x < 0.95:
		return "BUITENGEWOON_SECUNDAIR", 0
	}
	return "NONE", 0
}
