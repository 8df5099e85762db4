package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// kernkwadrant prints demand against offer per theme and age band, with
// the verdict and the figures behind it; a hidden figure shows as "x".
func (c *client) kernkwadrant(ctx context.Context, args []string) error {
	region, from, to, err := c.reportScope("kernkwadrant", args)
	if err != nil {
		return err
	}
	req := &rotsv1.GetKernkwadrantRequest{Region: region, FromMonth: from, ToMonth: to}
	resp, err := c.reports.GetKernkwadrant(ctx, req)
	if err != nil {
		return err
	}
	k := resp.GetKernkwadrant()
	if c.json {
		return c.printJSON(k)
	}
	return c.printKernkwadrant(k)
}

func (c *client) printKernkwadrant(k *rotsv1.Kernkwadrant) error {
	fmt.Fprintf(c.out, "Kernkwadrant %s, %s tot en met %s.\n", regionName(k.GetRegion()), dutch.ShortMonth(k.GetFromMonth()), dutch.ShortMonth(k.GetToMonth()))
	fmt.Fprintf(c.out, "Sterkte: minstens %d%% van de vraag met gebruikt aanbod uit de sociale kaart en een mediane wachttijd van hoogstens %d werkdagen.\n"+
		"Hiaat: vraag zonder aanbod, gemelde hiaten of een mediane wachttijd boven %d werkdagen. Blinde vlek: aanbod zonder vraag.\n"+
		"x: verborgen, minder dan %d of nodig om een verborgen aantal verborgen te houden; geen oordeel dat een verborgen cijfer nodig heeft.\n\n",
		k.GetMinMetPercent(), k.GetShortWaitDays(), k.GetLongWaitDays(), k.GetThreshold())
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "THEMA\tLEEFTIJD\tOORDEEL\tVRAAG\tMET AANBOD\tZONDER\tWACHTTIJD\tHIATEN\tAANBOD\tGEBRUIKT\tWAAROM\t")
	for _, cell := range k.GetCells() {
		if cell.GetVerdict() == rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE {
			continue // no demand, no offer
		}
		var reasons []string
		for _, r := range cell.GetReasons() {
			reasons = append(reasons, dutch.Enum(r))
		}
		fields := []string{storedLabel(rotsv1.Theme(0).Descriptor(), cell.GetTheme()), storedLabel(rotsv1.AgeBand(0).Descriptor(), cell.GetAgeBand()),
			dutch.Enum(cell.GetVerdict())}
		for _, f := range []*rotsv1.Figure{cell.GetDemand(), cell.GetMet(), cell.GetNotMet(), cell.GetMedianWaitDays(), cell.GetGaps(), cell.GetOffers(), cell.GetOffersUsed()} {
			fields = append(fields, figure(f))
		}
		fmt.Fprintln(tw, strings.Join(append(fields, strings.Join(reasons, "; ")), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return c.printDemandByLevel(k.GetSchoolLevels())
}

// printDemandByLevel prints the demand by theme (rows) and school level.
func (c *client) printDemandByLevel(t *rotsv1.CountTable) error {
	fmt.Fprintln(c.out, "\nVraag per thema en onderwijsniveau (een dossier telt bij elk van zijn thema's)")
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	labels := []string{"THEMA"}
	for _, r := range t.GetRows() {
		labels = append(labels, storedLabel(rotsv1.Theme(0).Descriptor(), r.GetLabel()))
	}
	pad := leftAligned(labels...)
	head := []string{pad("THEMA")}
	for _, col := range t.GetColumns() {
		head = append(head, storedLabel(rotsv1.SchoolLevel(0).Descriptor(), col))
	}
	fmt.Fprintln(tw, strings.Join(append(head, "totaal"), "\t")+"\t")
	for i, r := range t.GetRows() {
		fields := []string{pad(labels[i+1])}
		for _, f := range r.GetCells() {
			fields = append(fields, figure(f))
		}
		fmt.Fprintln(tw, strings.Join(append(fields, figure(r.GetTotal())), "\t")+"\t")
	}
	return tw.Flush()
}
