package signalservice

import (
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

func toProto(s *signals.Signal) *rotsv1.Signal {
	p := &rotsv1.Signal{
		Name: "signals/" + s.ID, State: vocab.FromStored[rotsv1.SignalState](s.State),
		FromMonth: s.StartMonth.Format(monthLayout), ToMonth: s.EndMonth.Format(monthLayout),
		Region: vocab.FromStored[rotsv1.Region](s.Region), Title: s.Title, Text: s.Text,
		Author: s.Author, Approver: s.Approver, Recipient: s.Recipient, Sender: s.Sender,
		CreateTime: timestamppb.New(s.CreatedAt), UpdateTime: timestamppb.New(s.UpdatedAt),
		FiguresTime: timestamppb.New(s.FiguresAt), ApproveTime: stamp(s.ApprovedAt), SendTime: stamp(s.SentAt),
		Etag: s.Etag(),
	}
	for _, name := range s.Sections {
		p.FigureSections = append(p.FigureSections, vocab.FromStored[rotsv1.SignalFigureSection](name))
	}
	for _, t := range s.Figures {
		p.Figures = append(p.Figures, tableToProto(t))
	}
	return p
}

func stamp(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func tableToProto(t signals.FigureTable) *rotsv1.SignalFigureTable {
	p := &rotsv1.SignalFigureTable{
		Section: vocab.FromStored[rotsv1.SignalFigureSection](t.Section), Title: t.Title, Unit: t.Unit,
		RowHeader: t.RowHeader, ColumnLabels: t.Columns, Note: t.Note, Total: figurePtrToProto(t.Total),
	}
	for _, r := range t.Rows {
		row := &rotsv1.SignalFigureRow{Label: r.Label, Total: figurePtrToProto(r.Total)}
		for _, c := range r.Cells {
			row.Cells = append(row.Cells, figureToProto(c))
		}
		p.Rows = append(p.Rows, row)
	}
	for _, c := range t.ColumnTotals {
		p.ColumnTotals = append(p.ColumnTotals, figureToProto(c))
	}
	return p
}

func figurePtrToProto(f *signals.Figure) *rotsv1.SignalFigure {
	if f == nil {
		return nil
	}
	return figureToProto(*f)
}

// figureToProto carries a hidden figure as suppressed only: it has no value
// to carry.
func figureToProto(f signals.Figure) *rotsv1.SignalFigure {
	switch {
	case f.Suppressed:
		return &rotsv1.SignalFigure{Value: &rotsv1.SignalFigure_Suppressed{Suppressed: true}}
	case f.Count != nil:
		return &rotsv1.SignalFigure{Value: &rotsv1.SignalFigure_Count{Count: *f.Count}}
	case f.Measure != nil:
		return &rotsv1.SignalFigure{Value: &rotsv1.SignalFigure_Measure{Measure: *f.Measure}}
	}
	return &rotsv1.SignalFigure{}
}

// scopeSlug names the scope in a file name: "limburg" or "vlaanderen".
func scopeSlug(region string) string {
	if region == "" {
		return "vlaanderen"
	}
	return strings.ToLower(strings.ReplaceAll(region, "_", "-"))
}

// fileName is e.g. "signaal-limburg-2026-01-2026-12.html".
func fileName(s *signals.Signal, ext string) string {
	period := s.StartMonth.Format(monthLayout)
	if !s.EndMonth.Equal(s.StartMonth) {
		period += "-" + s.EndMonth.Format(monthLayout)
	}
	return "signaal-" + scopeSlug(s.Region) + "-" + period + "." + ext
}
