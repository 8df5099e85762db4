package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
)

// The dashboard's tables as CSV files that Excel in Belgian Dutch opens
// as they are: UTF-8 with a byte order mark (without it Excel reads the
// accents as Windows-1252), a semicolon between fields (the comma is the
// decimal sign there), CRLF line ends and RFC 4180 quoting, which
// encoding/csv does. A hidden figure is "x", as on the page.

// writeCSV writes a table: the header, the rows, the totals.
func writeCSV(g grid) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	head := []string{g.RowHead}
	for _, group := range g.groupNames() {
		for _, c := range g.Cols {
			if group != "" {
				c = group + ": " + c
			}
			head = append(head, c)
		}
	}
	w.Write(head)
	for _, r := range g.Rows {
		w.Write(append([]string{r.Label}, r.Cells...))
	}
	if g.Foot != nil {
		w.Write(append([]string{g.Foot.Label}, g.Foot.Cells...))
	}
	w.Flush()
	return buf.Bytes()
}

// dashboardCSV is one table of the dashboard, asked of the API again: a
// file is the figures as they are now, never a copy kept here. The name
// says the scope, the period and the table, nothing about a person.
func (s *Server) dashboardCSV(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	slug := r.Form.Get("tabel")
	if !knownTable(slug) {
		s.notFound(w, r, v)
		return
	}
	q := readDashQuery(r, s.now())
	resp, err := s.reports.GetDashboard(v.ctx, q.request())
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			// The page says what is wrong, next to the fields.
			http.Redirect(w, r, "/dashboard?"+q.values(), http.StatusSeeOther)
		}
		return
	}
	d := resp.GetDashboard()
	grids := dashboardGrids(d)
	i := slices.IndexFunc(grids, func(g grid) bool { return g.Slug == slug })
	if i < 0 {
		s.notFound(w, r, v)
		return
	}
	g := grids[i]
	name := fmt.Sprintf("rots-dashboard-%s-%s-%s-%s.csv", scopeSlug(d.GetRegion()), d.GetFromMonth(), d.GetToMonth(), slug)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(writeCSV(g))
}
