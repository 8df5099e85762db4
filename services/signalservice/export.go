package signalservice

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// CSV header and the kinds of figure in the "soort" column.
var csvHeader = []string{"sectie", "tabel", "eenheid", "soort", "rij", "kolom", "waarde"}

const (
	kindCell        = "cel"
	kindRowTotal    = "rijtotaal"
	kindColumnTotal = "kolomtotaal"
	kindTotal       = "totaal"
	totalLabel      = "Totaal"
)

// utf8BOM lets spreadsheet programs read the accents of a UTF-8 CSV file.
const utf8BOM = "\ufeff"

// csvComma is the list separator of Excel set to Belgian Dutch (nl-BE), in
// which the comma is the decimal separator.
const csvComma = ';'

// CSV renders a signal's figures with one row per figure: section, table
// title, unit, kind (cel, rijtotaal, kolomtotaal, totaal), row, column and
// value. It opens as it is in Excel set to Belgian Dutch: UTF-8 with a byte
// order mark, fields separated by semicolons, lines ended by CRLF, and a
// measure with a decimal comma (7,5). A count is plain digits, "x" is a
// figure disclosure control hid, and a value is empty when it does not
// apply. A row or column total has "Totaal" as its column or row.
func CSV(s *signals.Signal) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = csvComma, true
	write := func(t signals.FigureTable, kind, row, col string, f signals.Figure) {
		w.Write([]string{t.Section, t.Title, t.Unit, kind, row, col, csvValue(f)})
	}
	w.Write(csvHeader)
	for _, t := range s.Figures {
		for _, r := range t.Rows {
			for j, c := range r.Cells {
				write(t, kindCell, r.Label, t.Columns[j], c)
			}
			if r.Total != nil {
				write(t, kindRowTotal, r.Label, totalLabel, *r.Total)
			}
		}
		for j, c := range t.ColumnTotals {
			write(t, kindColumnTotal, totalLabel, t.Columns[j], c)
		}
		if t.Total != nil {
			write(t, kindTotal, totalLabel, totalLabel, *t.Total)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("signalservice.CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// csvValue is a figure as the CSV has it: a measure with a decimal comma
// and no thousands separator, so that a spreadsheet reads it as a number.
func csvValue(f signals.Figure) string {
	if f.Measure != nil && !f.Suppressed {
		return strings.Replace(f.String(), ".", ",", 1)
	}
	return f.String()
}

//go:embed signal.html.tmpl
var templates embed.FS

var page = template.Must(template.New("signal.html.tmpl").ParseFS(templates, "signal.html.tmpl"))

// HTML renders a signal as a printable Dutch document: the text, then each
// figure table with a bar chart in inline SVG. No scripts, no external
// files.
func HTML(s *signals.Signal) ([]byte, error) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newDocument(s)); err != nil {
		return nil, fmt.Errorf("signalservice.HTML: %w", err)
	}
	return buf.Bytes(), nil
}

type document struct {
	Title, Scope, Period, State  string
	Draft                        bool
	Author, Approver, ApprovedAt string
	Recipient, SentAt            string
	FiguresAt, CreatedAt         string
	Paragraphs                   []string
	Tables                       []table
}

type table struct {
	ID, Title, Unit, RowHeader, Note string
	Columns                          []string
	Rows                             []row
	RowTotals                        bool
	ColumnTotals                     []cell
	Total                            *cell
	Chart                            *chart
}

type row struct {
	Label string
	Cells []cell
	Total *cell
}

type cell struct {
	Text   string
	Hidden bool
}

type chart struct {
	Width, Height, LabelWidth int
	Caption                   string
	Bars                      []bar
}

type bar struct {
	Y, TextY, Width, ValueX int
	Label, Value            string
	Hidden                  bool
}

var stateNames = map[string]string{signals.SignalDraft: "Concept", signals.SignalApproved: "Goedgekeurd", signals.SignalSent: "Verzonden"}

var months = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

func dutchMonth(t time.Time) string { return months[t.Month()-1] + " " + strconv.Itoa(t.Year()) }

func dutchTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	l := t.In(calendar.Brussels)
	return fmt.Sprintf("%d %s %d, %02d.%02d uur", l.Day(), months[l.Month()-1], l.Year(), l.Hour(), l.Minute())
}

func period(from, to time.Time) string {
	switch {
	case from.Month() == time.January && to.Month() == time.December && from.Year() == to.Year():
		return strconv.Itoa(from.Year())
	case from.Equal(to):
		return dutchMonth(from)
	}
	return dutchMonth(from) + " tot en met " + dutchMonth(to)
}

// dutchNumber shows a figure the Dutch way: 1.234 and 7,5.
func dutchNumber(f signals.Figure) string {
	switch {
	case f.Suppressed:
		return "x"
	case f.Count != nil:
		s := strconv.FormatInt(*f.Count, 10)
		for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
			s = s[:i] + "." + s[i:]
		}
		return s
	case f.Measure != nil:
		return strings.Replace(strconv.FormatFloat(*f.Measure, 'f', -1, 64), ".", ",", 1)
	}
	return "–"
}

func toCell(f signals.Figure) cell { return cell{Text: dutchNumber(f), Hidden: f.Suppressed} }

func toCellPtr(f *signals.Figure) *cell {
	if f == nil {
		return nil
	}
	c := toCell(*f)
	return &c
}

func newDocument(s *signals.Signal) document {
	d := document{
		Title: s.Title, Scope: regionName(vocab.FromStored[rotsv1.Region](s.Region)), Period: period(s.StartMonth, s.EndMonth),
		State: stateNames[s.State], Draft: s.State == signals.SignalDraft,
		Author: s.Author, Approver: s.Approver, ApprovedAt: dutchTime(s.ApprovedAt),
		Recipient: s.Recipient, SentAt: dutchTime(s.SentAt),
		FiguresAt: dutchTime(&s.FiguresAt), CreatedAt: dutchTime(&s.CreatedAt),
	}
	for _, p := range strings.Split(strings.ReplaceAll(s.Text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			d.Paragraphs = append(d.Paragraphs, p)
		}
	}
	for i, t := range s.Figures {
		ht := table{
			ID: fmt.Sprintf("tabel-%d", i+1), Title: t.Title, Unit: t.Unit, RowHeader: t.RowHeader, Note: t.Note,
			Columns: t.Columns, Total: toCellPtr(t.Total),
		}
		for _, r := range t.Rows {
			hr := row{Label: r.Label, Total: toCellPtr(r.Total)}
			// With one column, the row totals repeat it.
			ht.RowTotals = ht.RowTotals || r.Total != nil && len(t.Columns) > 1
			for _, c := range r.Cells {
				hr.Cells = append(hr.Cells, toCell(c))
			}
			ht.Rows = append(ht.Rows, hr)
		}
		for _, c := range t.ColumnTotals {
			ht.ColumnTotals = append(ht.ColumnTotals, toCell(c))
		}
		ht.Chart = newChart(t)
		d.Tables = append(d.Tables, ht)
	}
	return d
}

// chartColumn is what a table's bars show: the row totals (-1), or else
// the first column with a measure, or else the first column.
func chartColumn(t signals.FigureTable) int {
	for _, r := range t.Rows {
		if r.Total != nil {
			return -1
		}
	}
	for j := range t.Columns {
		for _, r := range t.Rows {
			if r.Cells[j].Measure != nil {
				return j
			}
		}
	}
	return 0
}

// newChart draws one horizontal bar per row, scaled to the largest
// published value; a hidden value gets no bar, only "x". Nil when there is
// nothing to draw.
func newChart(t signals.FigureTable) *chart {
	const (
		labelWidth = 250
		barArea    = 330
		rowHeight  = 24
		barHeight  = 16
	)
	if len(t.Rows) == 0 || len(t.Columns) == 0 {
		return nil
	}
	col := chartColumn(t)
	values := make([]signals.Figure, len(t.Rows))
	var max float64
	for i, r := range t.Rows {
		if col < 0 {
			if r.Total != nil {
				values[i] = *r.Total
			}
		} else {
			values[i] = r.Cells[col]
		}
		if v, ok := number(values[i]); ok && v > max {
			max = v
		}
	}
	c := &chart{Width: labelWidth + barArea + 70, Height: rowHeight*len(t.Rows) + 8, LabelWidth: labelWidth, Caption: t.Title}
	switch {
	case col < 0 && len(t.Columns) > 1:
		c.Caption += " (totaal per rij)"
	case col >= 0 && len(t.Columns) > 1:
		c.Caption += ": " + strings.ToLower(t.Columns[col])
	}
	for i, r := range t.Rows {
		f := values[i]
		b := bar{Y: 4 + i*rowHeight, TextY: 4 + i*rowHeight + barHeight - 3, Label: shorten(r.Label, 40), Value: dutchNumber(f), Hidden: f.Suppressed}
		if v, ok := number(f); ok && max > 0 {
			b.Width = int(v / max * barArea)
		}
		b.ValueX = labelWidth + b.Width + 6
		c.Bars = append(c.Bars, b)
	}
	return c
}

// shorten cuts a label for the chart; the table beside it has it whole.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func number(f signals.Figure) (float64, bool) {
	switch {
	case f.Count != nil:
		return float64(*f.Count), true
	case f.Measure != nil:
		return *f.Measure, true
	}
	return 0, false
}
