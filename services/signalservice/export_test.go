package signalservice

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
)

// exported creates, approves and sends a signal and returns it as stored,
// with its export in format.
func exported(t *testing.T, format rotsv1.SignalExportFormat) (*signals.Signal, *rotsv1.ExportSignalResponse) {
	t.Helper()
	els, jan := people()
	return exportedBy(t, format, limburg, els, jan)
}

// exportedBy is exported with a region and the author and approver.
func exportedBy(t *testing.T, format rotsv1.SignalExportFormat, region rotsv1.Region, els, jan context.Context) (*signals.Signal, *rotsv1.ExportSignalResponse) {
	t.Helper()
	s, _ := newServer(t)
	in := validSignal()
	in.Region = region
	in.Title = `Wachtlijsten & "doorbraak" <jeugdhulp>`
	in.FigureSections = append(in.FigureSections, rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND)
	resp, err := s.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: in})
	if err != nil {
		t.Fatal(err)
	}
	name := resp.GetSignal().GetName()
	if _, err := s.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkSignalSent(els, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Vlaamse overheid, Departement Onderwijs"}); err != nil {
		t.Fatal(err)
	}
	out, err := s.ExportSignal(els, &rotsv1.ExportSignalRequest{Name: name, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.db.GetSignal(context.Background(), strings.TrimPrefix(name, "signals/"))
	if err != nil {
		t.Fatal(err)
	}
	return sig, out
}

// figureRecord is one figure as the CSV has it.
type figureRecord struct {
	Section, Title, Unit, Kind, Row, Column, Value string
}

// excelValue is a figure as Excel set to Belgian Dutch reads a number:
// a decimal comma, no thousands separator; "x" when hidden.
func excelValue(f signals.Figure) string {
	switch {
	case f.Suppressed:
		return "x"
	case f.Count != nil:
		return strconv.FormatInt(*f.Count, 10)
	case f.Measure != nil:
		return strings.ReplaceAll(strconv.FormatFloat(*f.Measure, 'f', -1, 64), ".", ",")
	}
	return ""
}

// figureRecords lists a signal's stored figures the way the CSV should.
func figureRecords(sig *signals.Signal) []figureRecord {
	var out []figureRecord
	for _, t := range sig.Figures {
		add := func(kind, row, col string, f signals.Figure) {
			out = append(out, figureRecord{t.Section, t.Title, t.Unit, kind, row, col, excelValue(f)})
		}
		for _, r := range t.Rows {
			for j, c := range r.Cells {
				add("cel", r.Label, t.Columns[j], c)
			}
			if r.Total != nil {
				add("rijtotaal", r.Label, "Totaal", *r.Total)
			}
		}
		for j, c := range t.ColumnTotals {
			add("kolomtotaal", "Totaal", t.Columns[j], c)
		}
		if t.Total != nil {
			add("totaal", "Totaal", "Totaal", *t.Total)
		}
	}
	return out
}

func TestExportCSVParsesBackToTheFigures(t *testing.T) {
	t.Parallel()
	sig, out := exported(t, rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV)
	if out.GetContentType() != "text/csv; charset=utf-8" || out.GetFilename() != "signaal-limburg-2026-01-2026-12.csv" {
		t.Errorf("content type %q, file name %q", out.GetContentType(), out.GetFilename())
	}
	body, ok := bytes.CutPrefix(out.GetContent(), []byte(utf8BOM))
	if !ok {
		t.Error("the CSV does not start with a byte order mark")
	}
	checkExcelLines(t, body)
	r := excelReader(body)
	header, err := r.Read()
	if err != nil || !slices.Equal(header, csvHeader) {
		t.Fatalf("header = %q, %v", header, err)
	}
	var got []figureRecord
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, figureRecord{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]})
	}
	want := figureRecords(sig)
	if len(want) < 30 {
		t.Fatalf("only %d figures stored; the test wants a real signal", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV read back (-stored +csv):\n%s", diff)
	}
	// Hidden figures are "x" and nothing else; the rest are numbers as
	// Excel in Belgian Dutch reads them: digits, at most one decimal comma.
	hidden, medians := 0, 0
	for _, rec := range got {
		switch {
		case rec.Value == "x":
			hidden++
		case !isExcelNumber(rec.Value):
			t.Errorf("value %q of %s/%s/%s is neither a number with a decimal comma nor x", rec.Value, rec.Section, rec.Row, rec.Column)
		}
		if strings.HasPrefix(rec.Column, "Mediaan") && rec.Value != "x" {
			medians++
		}
	}
	if hidden == 0 {
		t.Error("no hidden figure in the CSV; the fixture has small counts")
	}
	if medians == 0 {
		t.Error("no published median in the CSV; the fixture has the times")
	}
}

// excelReader reads a CSV the way Excel set to Belgian Dutch splits it:
// on semicolons, every record with the header's fields.
func excelReader(body []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma, r.FieldsPerRecord = ';', len(csvHeader)
	return r
}

// checkExcelLines checks the bytes of a CSV without its byte order mark:
// the header separated by semicolons, every line ended by CRLF.
func checkExcelLines(t *testing.T, body []byte) {
	t.Helper()
	if want := strings.Join(csvHeader, ";") + "\r\n"; !bytes.HasPrefix(body, []byte(want)) {
		t.Errorf("the CSV does not start with the header %q separated by semicolons: %q", want, body[:min(len(body), 80)])
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Error("the CSV's last line does not end with CRLF")
	}
	if n, crlf := bytes.Count(body, []byte("\n")), bytes.Count(body, []byte("\r\n")); n != crlf {
		t.Errorf("%d line ends, of which %d CRLF; Excel wants CRLF", n, crlf)
	}
}

// isExcelNumber reports whether s is digits with at most one decimal
// comma, and no point, which Excel in Belgian Dutch would not read as a
// decimal separator.
func isExcelNumber(s string) bool {
	whole, frac, _ := strings.Cut(s, ",")
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	return digits(whole) && (frac == "" && !strings.HasSuffix(s, ",") || digits(frac))
}

// TestCSVForExcelInBelgianDutch: fractional measures get a decimal comma,
// counts stay plain digits, hidden figures "x", and labels holding the
// separator, quotes or a line break are quoted so that every row parses
// back with a semicolon separator.
func TestCSVForExcelInBelgianDutch(t *testing.T) {
	n := func(v int64) signals.Figure { return signals.Figure{Count: &v} }
	m := func(v float64) signals.Figure { return signals.Figure{Measure: &v} }
	hidden := signals.Figure{Suppressed: true}
	total := n(1234)
	sig := &signals.Signal{Figures: []signals.FigureTable{
		{
			Section: "Doorlooptijden", Title: "Mediaan; 90e percentiel", Unit: "werkdagen",
			Columns: []string{"Mediaan", "90e percentiel", "Aandeel \"op tijd\""},
			Rows: []signals.FigureRow{
				{Label: "Intake", Cells: []signals.Figure{m(7.5), m(12), m(33.25)}},
				{Label: "Consult\nen overleg", Cells: []signals.Figure{hidden, m(0.5), {}}},
			},
		},
		{
			Section: "Stadia", Title: "Dossiers per stadium", Unit: "dossiers", Columns: []string{"Limburg"},
			Rows:         []signals.FigureRow{{Label: "Aangemeld", Cells: []signals.Figure{n(1234)}, Total: &total}},
			ColumnTotals: []signals.Figure{n(1234)}, Total: &total,
		},
	}}
	out, err := CSV(sig)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutPrefix(out, []byte(utf8BOM))
	if !ok {
		t.Error("the CSV does not start with a byte order mark")
	}
	checkExcelLines(t, body)
	for _, want := range []string{
		"\r\nDoorlooptijden;\"Mediaan; 90e percentiel\";werkdagen;cel;Intake;Mediaan;7,5\r\n",
		";Intake;90e percentiel;12\r\n",
		";Intake;\"Aandeel \"\"op tijd\"\"\";33,25\r\n",
		";\"Consult\r\nen overleg\";Mediaan;x\r\n",
		";\"Consult\r\nen overleg\";90e percentiel;0,5\r\n",
		";\"Consult\r\nen overleg\";\"Aandeel \"\"op tijd\"\"\";\r\n",
		"Stadia;Dossiers per stadium;dossiers;cel;Aangemeld;Limburg;1234\r\n",
		"Stadia;Dossiers per stadium;dossiers;totaal;Totaal;Totaal;1234\r\n",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("the CSV does not hold %q:\n%s", want, body)
		}
	}
	recs, err := excelReader(body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []figureRecord
	for _, rec := range recs[1:] {
		got = append(got, figureRecord{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]})
	}
	if diff := cmp.Diff(figureRecords(sig), got); diff != "" {
		t.Errorf("CSV read back (-stored +csv):\n%s", diff)
	}
	// The line break in a label is written CRLF inside its quotes, as
	// Excel writes one, and read back as the label's own LF.
	if got[3].Row != "Consult\nen overleg" {
		t.Errorf("row label %q, want the line break kept", got[3].Row)
	}
}

// checkWellFormed walks the tokens and reports an end tag without its start
// tag or an element left open, beyond what HTML lets one omit.
func checkWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	void := map[string]bool{"meta": true, "br": true, "img": true, "hr": true, "link": true, "input": true}
	z := html.NewTokenizer(bytes.NewReader(doc))
	var open []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			if len(open) != 0 {
				t.Errorf("elements left open: %v", open)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestExportHTMLHasTheFigures(t *testing.T) {
	t.Parallel()
	sig, out := exported(t, rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML)
	if out.GetContentType() != "text/html; charset=utf-8" || !strings.HasSuffix(out.GetFilename(), ".html") {
		t.Errorf("content type %q, file name %q", out.GetContentType(), out.GetFilename())
	}
	checkWellFormed(t, out.GetContent())
	doc, err := html.Parse(bytes.NewReader(out.GetContent()))
	if err != nil {
		t.Fatal(err)
	}
	var (
		h1, lang string
		sections []*html.Node
	)
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Html:
			lang = attr(n, "lang")
		case atom.H1:
			h1 = text(n)
		case atom.Script, atom.Iframe, atom.Img, atom.Link, atom.Object:
			t.Errorf("the document has a <%s>; it must stand alone", n.Data)
		case atom.Section:
			if attr(n, "class") == "figure" {
				sections = append(sections, n)
			}
		}
		for _, a := range n.Attr {
			if a.Key == "src" || a.Key == "href" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=%q>: no external files, no scripts", n.Data, a.Key, a.Val)
			}
		}
	}
	if lang != "nl" || h1 != sig.Title {
		t.Errorf("lang %q, h1 %q; want nl, %q", lang, h1, sig.Title)
	}
	for _, want := range []string{"Limburg", "2026", "Goedgekeurd", "Verzonden", "Vlaamse overheid, Departement Onderwijs", "In Limburg wachten jongeren te lang."} {
		if !strings.Contains(text(doc), want) {
			t.Errorf("the document does not say %q", want)
		}
	}
	if strings.Contains(text(doc), "Concept") {
		t.Error("a sent signal is marked as a draft")
	}
	if len(sections) != len(sig.Figures) {
		t.Fatalf("%d figure sections in the document, %d tables stored", len(sections), len(sig.Figures))
	}
	for i, tbl := range sig.Figures {
		checkTable(t, sections[i], tbl)
	}
}

// checkTable compares a figure section of the document with the stored
// table: the title, every cell as the reader sees it, and one bar per
// published row in the chart.
func checkTable(t *testing.T, sec *html.Node, want signals.FigureTable) {
	t.Helper()
	var (
		title string
		grid  [][]string
		bars  int
		svgs  int
	)
	for n := range sec.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.H2:
			title = text(n)
		case atom.Tr:
			var row []string
			for c := range n.ChildNodes() {
				if c.Type == html.ElementNode && (c.DataAtom == atom.Th || c.DataAtom == atom.Td) {
					row = append(row, text(c))
				}
			}
			grid = append(grid, row)
		case atom.Svg:
			svgs++
		}
		if n.Data == "rect" {
			bars++
		}
	}
	if title != want.Title {
		t.Errorf("section title %q, want %q", title, want.Title)
	}
	// One column: its row totals repeat it and are left out.
	rowTotals := len(want.Columns) > 1 && slices.ContainsFunc(want.Rows, func(r signals.FigureRow) bool { return r.Total != nil })
	header := append([]string{want.RowHeader}, want.Columns...)
	if rowTotals {
		header = append(header, "Totaal")
	}
	wantGrid := [][]string{header}
	cellsOf := func(label string, cells []signals.Figure, total *signals.Figure) []string {
		row := []string{label}
		for _, c := range cells {
			row = append(row, dutchNumber(c))
		}
		if rowTotals {
			if total != nil {
				row = append(row, dutchNumber(*total))
			} else {
				row = append(row, "")
			}
		}
		return row
	}
	for _, r := range want.Rows {
		wantGrid = append(wantGrid, cellsOf(r.Label, r.Cells, r.Total))
	}
	if len(want.ColumnTotals) > 0 {
		wantGrid = append(wantGrid, cellsOf("Totaal", want.ColumnTotals, want.Total))
	}
	if diff := cmp.Diff(wantGrid, grid); diff != "" {
		t.Errorf("table %q (-stored +document):\n%s", want.Title, diff)
	}
	published, col := 0, chartColumn(want)
	for _, r := range want.Rows {
		var f signals.Figure
		switch {
		case col >= 0:
			f = r.Cells[col]
		case r.Total != nil:
			f = *r.Total
		}
		if !f.Suppressed && (f.Count != nil || f.Measure != nil) {
			published++
		}
	}
	if svgs != 1 || bars != published {
		t.Errorf("table %q: %d charts with %d bars, want 1 with %d", want.Title, svgs, bars, published)
	}
}

// TestExportFlanders: a signal about all of Flanders has a column per
// region and row totals, in the CSV and in the document.
func TestExportFlanders(t *testing.T) {
	t.Parallel()
	id := uuid.NewString()[:8]
	els, jan := as("els-"+id+"@rots.be", ""), as("jan-"+id+"@rots.be", "")
	sig, out := exportedBy(t, rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML, 0, els, jan)
	if got := sig.Figures[0].Columns; !slices.Equal(got, []string{"Antwerpen", "Limburg"}) {
		t.Fatalf("columns %q, want the regions", got)
	}
	if out.GetFilename() != "signaal-vlaanderen-2026-01-2026-12.html" {
		t.Errorf("file name %q", out.GetFilename())
	}
	checkWellFormed(t, out.GetContent())
	doc, err := html.Parse(bytes.NewReader(out.GetContent()))
	if err != nil {
		t.Fatal(err)
	}
	var sections []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.Section && attr(n, "class") == "figure" {
			sections = append(sections, n)
		}
	}
	if len(sections) != len(sig.Figures) {
		t.Fatalf("%d figure sections, %d tables", len(sections), len(sig.Figures))
	}
	for i, tbl := range sig.Figures {
		checkTable(t, sections[i], tbl)
	}
	csvOut, err := CSV(sig)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.TrimPrefix(csvOut, []byte(utf8BOM))
	checkExcelLines(t, body)
	recs, err := excelReader(body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(figureRecords(sig)) {
		t.Errorf("%d CSV records for %d figures", len(recs)-1, len(figureRecords(sig)))
	}
}

func TestExportHTMLMarksADraft(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	els, _ := people()
	sig := create(t, s, els)
	out, err := s.ExportSignal(els, &rotsv1.ExportSignalRequest{Name: sig.GetName(), Format: rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.GetContent(), []byte("Concept – nog niet goedgekeurd")) {
		t.Error("a draft's export does not say it is a draft")
	}
}

func TestDutchNumber(t *testing.T) {
	n := func(v int64) signals.Figure { return signals.Figure{Count: &v} }
	m := func(v float64) signals.Figure { return signals.Figure{Measure: &v} }
	for _, tc := range []struct {
		f    signals.Figure
		want string
	}{
		{n(0), "0"}, {n(12), "12"}, {n(1234), "1.234"}, {n(1234567), "1.234.567"},
		{m(7.5), "7,5"}, {m(41), "41"}, {signals.Figure{Suppressed: true}, "x"}, {signals.Figure{}, "–"},
	} {
		if got := dutchNumber(tc.f); got != tc.want {
			t.Errorf("dutchNumber(%s) = %q, want %q", fmt.Sprint(tc.f.String()), got, tc.want)
		}
	}
}
