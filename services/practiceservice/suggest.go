package practiceservice

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/directoryservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Need is what a case asks of an offer: its themes, age band, school level
// and region (stored names).
type Need struct {
	Themes      []string
	AgeBand     string
	SchoolLevel string
	Region      string
}

// Scored is one suggestion: an offer or a practice, its score and why.
type Scored struct {
	Offer    *directory.Offer
	Practice *practices.Practice
	Score    int
	Reason   string
}

// The rule, written down (README, "Suggestions for a case"). An offer of
// the directory, in the case's region and active, scores
//
//	3 for each theme it shares with the case (none shared: not suggested),
//	2 when it is for the case's age band, 1 when for all ages (another
//	  band: not suggested),
//	2 when it names the case's school level, 1 when it is for every level
//	  (only other levels: not suggested),
//	2 without a waiting list, 1 for a wait of 1 to 4 weeks, 0 for 5 to 12
//	  weeks or an unknown wait, -2 for more than 12 weeks.
//
// A published practice, from any region, scores 3 for each shared theme
// (none: not suggested), 2 for the same age band (another band: not
// suggested), 2 for the same school level, 1 when it comes from the case's
// own region. Ties go to offers before practices, then the shorter wait,
// then the name.
const (
	perTheme    = 3
	exactFit    = 2
	broadFit    = 1
	noWait      = 2
	shortWait   = 1
	longWait    = -2
	sameRegion  = 1
	shortWeeks  = 4
	longWeeks   = 12
	maxAskEvery = 500 // candidates read per kind
)

// ScoreOffer scores a directory offer for the need; ok is false when it
// does not fit.
func ScoreOffer(n Need, f *directory.Offer) (s Scored, ok bool) {
	shared := sharedThemes(n.Themes, f.Themes)
	if len(shared) == 0 {
		return s, false
	}
	s = Scored{Offer: f, Score: perTheme * len(shared)}
	reasons := []string{themesReason(shared)}
	switch {
	case n.AgeBand == "":
	case f.AgeBand == n.AgeBand:
		s.Score += exactFit
		reasons = append(reasons, "voor "+dutch.Stored(rotsv1.AgeBand(0).Descriptor(), n.AgeBand))
	case f.AgeBand == "ALL":
		s.Score += broadFit
		reasons = append(reasons, "voor alle leeftijden")
	default:
		return s, false
	}
	switch {
	case len(f.SchoolLevels) == 0:
		s.Score += broadFit
		reasons = append(reasons, "voor elk onderwijsniveau")
	case n.SchoolLevel == "":
	case slices.Contains(f.SchoolLevels, n.SchoolLevel):
		s.Score += exactFit
		reasons = append(reasons, "voor "+dutch.Stored(rotsv1.SchoolLevel(0).Descriptor(), n.SchoolLevel))
	default:
		return s, false
	}
	switch w := f.WaitingWeeks; {
	case w == nil:
		reasons = append(reasons, "wachttijd onbekend")
	case *w == 0:
		s.Score += noWait
		reasons = append(reasons, "geen wachtlijst")
	case *w <= shortWeeks:
		s.Score += shortWait
		reasons = append(reasons, dutch.Count(*w, "week", "weken")+" wachten")
	case *w <= longWeeks:
		reasons = append(reasons, dutch.Count(*w, "week", "weken")+" wachten")
	default:
		s.Score += longWait
		reasons = append(reasons, "lange wachttijd: "+dutch.Count(*w, "week", "weken"))
	}
	s.Reason = sentence(reasons)
	return s, true
}

// ScorePractice scores a published practice for the need.
func ScorePractice(n Need, p *practices.Practice) (s Scored, ok bool) {
	shared := sharedThemes(n.Themes, p.Themes)
	if len(shared) == 0 || n.AgeBand != "" && p.AgeBand != n.AgeBand {
		return s, false
	}
	s = Scored{Practice: p, Score: perTheme * len(shared)}
	reasons := []string{"goede praktijk", themesReason(shared)}
	if n.AgeBand != "" {
		s.Score += exactFit
		reasons = append(reasons, "ook "+dutch.Stored(rotsv1.AgeBand(0).Descriptor(), n.AgeBand))
	}
	if n.SchoolLevel != "" && p.SchoolLevel == n.SchoolLevel {
		s.Score += exactFit
		reasons = append(reasons, "ook "+dutch.Stored(rotsv1.SchoolLevel(0).Descriptor(), n.SchoolLevel))
	}
	if p.Region == n.Region {
		s.Score += sameRegion
		reasons = append(reasons, "uit uw regio")
	} else {
		reasons = append(reasons, "uit de regio "+vocab.RegionName(p.Region))
	}
	s.Reason = sentence(reasons)
	return s, true
}

// Rank scores the candidates and orders those that fit, best first.
func Rank(n Need, offers []*directory.Offer, published []*practices.Practice) []Scored {
	var out []Scored
	for _, f := range offers {
		if s, ok := ScoreOffer(n, f); ok {
			out = append(out, s)
		}
	}
	for _, p := range published {
		if s, ok := ScorePractice(n, p); ok {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Scored) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(kindOrder(a), kindOrder(b)),
			cmp.Compare(waitOrder(a), waitOrder(b)),
			cmp.Compare(a.title(), b.title()),
			cmp.Compare(a.id(), b.id()),
		)
	})
	return out
}

func kindOrder(s Scored) int {
	if s.Offer != nil {
		return 0
	}
	return 1
}

// waitOrder puts the shorter known wait first, an unknown one last.
func waitOrder(s Scored) int {
	if s.Offer == nil || s.Offer.WaitingWeeks == nil {
		return 1 << 30
	}
	return *s.Offer.WaitingWeeks
}

func (s Scored) title() string {
	if s.Offer != nil {
		return s.Offer.Name
	}
	return s.Practice.Title
}

func (s Scored) id() string {
	if s.Offer != nil {
		return s.Offer.ID
	}
	return s.Practice.ID
}

func sharedThemes(want, have []string) []string {
	var shared []string
	for _, t := range want {
		if slices.Contains(have, t) {
			shared = append(shared, t)
		}
	}
	return shared
}

func themesReason(themes []string) string {
	names := make([]string, len(themes))
	for i, t := range themes {
		names[i] = dutch.Stored(rotsv1.Theme(0).Descriptor(), t)
	}
	if len(names) == 1 {
		return "thema " + names[0]
	}
	return "thema's " + strings.Join(names, ", ")
}

// sentence joins the reasons: "Past bij thema gedrag; voor 12 en ouder; geen wachtlijst."
func sentence(reasons []string) string {
	return "Past bij " + strings.Join(reasons, "; ") + "."
}

// SuggestOffers ranks the offers of the case's region and the published
// practices of every region for the case.
func (s *Server) SuggestOffers(ctx context.Context, req *rotsv1.SuggestOffersRequest) (*rotsv1.SuggestOffersResponse, error) {
	var v rpc.Violations
	caseID := rpc.CaseID(&v, "name", req.GetName())
	size := v.PageSize(req.GetPageSize())
	if req.GetPageSize() == 0 {
		size = 10
	}
	size = min(size, maxSuggest)
	if err := v.Err(); err != nil {
		return nil, err
	}
	ranked, err := s.Suggest(ctx, caseID)
	if err != nil {
		return nil, s.status(ctx, "SuggestOffers", err)
	}
	resp := &rotsv1.SuggestOffersResponse{}
	for _, sc := range ranked[:min(size, len(ranked))] {
		sg := &rotsv1.Suggestion{Score: int32(sc.Score), Reason: sc.Reason}
		if sc.Offer != nil {
			sg.Item = &rotsv1.Suggestion_Offer{Offer: directoryservice.OfferToProto(sc.Offer)}
		} else {
			sg.Item = &rotsv1.Suggestion_Practice{Practice: toProto(sc.Practice)}
		}
		resp.Suggestions = append(resp.Suggestions, sg)
	}
	return resp, nil
}

// Suggest ranks what fits the case, best first: the offers of its region
// and the published practices (SuggestOffers, and the measurement of the
// suggestions in internal/testbed/suggestbench).
func (s *Server) Suggest(ctx context.Context, caseID string) ([]Scored, error) {
	n, err := s.need(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return s.rank(ctx, n)
}

// need is what the case asks for.
func (s *Server) need(ctx context.Context, caseID string) (Need, error) {
	c, err := s.db.GetCase(ctx, caseID)
	if err != nil {
		return Need{}, err
	}
	band, err := s.practices.CaseAgeBand(ctx, caseID)
	if err != nil {
		return Need{}, err
	}
	return Need{Themes: c.Themes, AgeBand: band, SchoolLevel: c.YoungPerson.SchoolLevel, Region: c.Region}, nil
}

// rank reads the candidates for the need and ranks them.
func (s *Server) rank(ctx context.Context, n Need) ([]Scored, error) {
	if len(n.Themes) == 0 {
		return nil, nil
	}
	offers, err := s.directory.SearchOffers(ctx, directory.OfferQuery{Region: n.Region, Themes: n.Themes}, nil, maxAskEvery)
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	published, err := s.practices.Search(ctx, practices.Query{Themes: n.Themes}, nil, maxAskEvery)
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	return Rank(n, offers, published), nil
}
