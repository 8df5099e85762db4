package signalservice

import (
	"context"
	"fmt"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Kernkwadrants is ReportService's kernkwadrant. DashboardFigures takes it
// from its Reports when they have it, as rots.v1.ReportService does.
type Kernkwadrants interface {
	GetKernkwadrant(ctx context.Context, req *rotsv1.GetKernkwadrantRequest) (*rotsv1.GetKernkwadrantResponse, error)
}

// kernkwadrantColumns are the figures of a theme and age band, in the
// order of kernkwadrantTable's cells.
var kernkwadrantColumns = []string{
	"Vraag (dossiers)", "Met gebruikt aanbod", "Zonder gebruikt aanbod", "Mediane wachttijd (werkdagen)",
	"Hiaten", "Aanbod in de sociale kaart", "Gebruikt aanbod",
}

// kernkwadrantTable freezes the kernkwadrant of the query's scope and
// period: a row per theme and age band with its verdict in the label,
// figures as the API published them (a hidden one without its value).
func (d DashboardFigures) kernkwadrantTable(ctx context.Context, q FigureQuery) (signals.FigureTable, error) {
	k, ok := d.Reports.(Kernkwadrants)
	if !ok {
		return signals.FigureTable{}, fmt.Errorf("signalservice: the reports give no kernkwadrant")
	}
	resp, err := k.GetKernkwadrant(ctx, &rotsv1.GetKernkwadrantRequest{
		Region: vocab.FromStored[rotsv1.Region](q.Region), FromMonth: q.From.Format(monthLayout), ToMonth: q.To.Format(monthLayout),
	})
	if err != nil {
		return signals.FigureTable{}, fmt.Errorf("signalservice: kernkwadrant: %w", err)
	}
	kk := resp.GetKernkwadrant()
	if got := vocab.Stored(kk.GetRegion()); got != q.Region {
		return signals.FigureTable{}, fmt.Errorf("signalservice: asked the kernkwadrant for region %q, got %q", q.Region, got)
	}
	section := rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_KERNKWADRANT
	meta := sectionMeta[section]
	t := signals.FigureTable{Section: vocab.Stored(section), Title: meta.title, Unit: meta.unit, RowHeader: meta.rowHeader,
		Columns: kernkwadrantColumns,
		Note: fmt.Sprintf("%s Sterkte: minstens %d%% van de vraag beantwoord met aanbod uit de sociale kaart dat de tafels gebruikten, en een mediane wachttijd van hoogstens %d werkdagen. "+
			"Hiaat: vraag zonder aanbod, gemelde hiaten of een mediane wachttijd boven %d werkdagen. Blinde vlek: aanbod waar niemand om vroeg.",
			meta.note, kk.GetMinMetPercent(), kk.GetShortWaitDays(), kk.GetLongWaitDays()),
	}
	for _, c := range kk.GetCells() {
		if c.GetVerdict() == rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE {
			continue // no demand, no offer: nothing to say
		}
		t.Rows = append(t.Rows, signals.FigureRow{
			Label: fmt.Sprintf("%s, %s: %s", label(section, c.GetTheme()), label(section, c.GetAgeBand()), verdictNames[c.GetVerdict()]),
			Cells: []signals.Figure{
				figure(c.GetDemand(), false), figure(c.GetMet(), false), figure(c.GetNotMet(), false), figure(c.GetMedianWaitDays(), true),
				figure(c.GetGaps(), false), figure(c.GetOffers(), false), figure(c.GetOffersUsed(), false),
			},
		})
	}
	return t, t.Validate()
}

var verdictNames = map[rotsv1.KernkwadrantVerdict]string{
	rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_STRENGTH:        "sterkte",
	rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_GAP:             "hiaat",
	rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_BLIND_SPOT:      "blinde vlek",
	rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_MIXED:           "gemengd",
	rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NOT_ENOUGH_DATA: "te weinig gegevens",
}
