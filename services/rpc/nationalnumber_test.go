package rpc

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Valid numbers: their check number is right, for a birth before 2000 or
// from 2000 on.
const (
	nrn1985    = "85073003328" // 30 July 1985: 97 - 850730033 mod 97 = 28
	nrn2012    = "12050112366" // 1 May 2012: 97 - 2120501123 mod 97 = 66
	nrn2005    = "05123145693" // 31 December 2005
	bis1985    = "85273003371" // BIS number: month 07 + 20
	bis1985b   = "85473003317" // BIS number: month 07 + 40
	nrnUnknown = "85000003306" // birth date unknown: month 00, day 00
	nrnCheck97 = "00000000097" // the first nine digits are a multiple of 97
)

// forms writes an eleven-digit number the ways people type one.
func forms(d string) map[string]string {
	yy, mm, dd, sss, cc := d[0:2], d[2:4], d[4:6], d[6:9], d[9:11]
	return map[string]string{
		"plain":               d,
		"dotted and dashed":   yy + "." + mm + "." + dd + "-" + sss + "." + cc,
		"spaced":              yy + " " + mm + " " + dd + " " + sss + " " + cc,
		"dashed":              yy + "-" + mm + "-" + dd + "-" + sss + "-" + cc,
		"dotted":              yy + "." + mm + "." + dd + "." + sss + "." + cc,
		"slashed date":        yy + "/" + mm + "/" + dd + " " + sss + " " + cc,
		"date, then the rest": yy + mm + dd + "-" + sss + "-" + cc,
		"date and serial":     yy + mm + dd + " " + sss + cc,
		"no-break spaces":     yy + "\u00a0" + mm + "\u00a0" + dd + "\u202f" + sss + "\u2009" + cc,
		"en dashes":           yy + "." + mm + "." + dd + "–" + sss + "." + cc,
		"spaced dash":         yy + "." + mm + "." + dd + " - " + sss + "." + cc,
		"soft hyphen":         yy + mm + dd + "\u00ad" + sss + cc,
	}
}

// wrongCheck is d with a check number that is valid neither before nor
// from 2000.
func wrongCheck(d string) string {
	for c := 1; ; c++ {
		w := d[:9] + fmt.Sprintf("%02d", c)
		if !validCheckNumber(w) {
			return w
		}
	}
}

func TestContainsNationalNumberRefusesValidNumbers(t *testing.T) {
	for _, n := range []string{nrn1985, nrn2012, nrn2005, bis1985, bis1985b, nrnUnknown, nrnCheck97} {
		for form, s := range forms(n) {
			for _, text := range []string{s, "RRN " + s + ".", "Noor (" + s + ") zit thuis", "rijksregisternr:" + s, "Noor" + s + "x"} {
				if !ContainsNationalNumber(text) {
					t.Errorf("%s %s: %q accepted, want refused", n, form, text)
				}
			}
		}
	}
}

func TestContainsNationalNumberAcceptsOtherNumbers(t *testing.T) {
	for _, n := range []string{nrn1985, nrn2012, nrn2005, bis1985, nrnUnknown} {
		w := wrongCheck(n)
		for form, s := range forms(w) {
			if text := "Dossier " + s + "."; ContainsNationalNumber(text) {
				t.Errorf("%s (wrong check number) %s: %q refused, want accepted", w, form, text)
			}
		}
	}
	for _, text := range []string{
		"Schooldossier 20240915001",          // a school's 11-digit file number, check number wrong
		"Dossier 20.24.09-150.01",            // the same, dotted
		"85073003329",                        // a typo in the check number
		"85.07.30-033.27",                    // idem
		"0470 12 34 56",                      // a mobile phone number
		"011 23 45 67",                       // a fixed phone number
		"BE68 5390 0754 7034",                // an IBAN
		"285073003328",                       // a valid number inside a run of 12 digits
		"8507300332800",                      // and of 13
		"1985073003328 is een dossiernummer", // idem, 13 digits
		"8 5073 003 328",                     // grouped where no part of a number ends
		"8507 3003 328",                      // idem
		"85,07,30,033,28",                    // commas separate a list, not a number
		"85.07.30\n033.28",                   // a line break is not within a number
		"Thuiszitter sinds 2024-09-01, 12 weken, 3 scholen",
		"",
	} {
		if ContainsNationalNumber(text) {
			t.Errorf("%q refused, want accepted", text)
		}
	}
}

// Digits around a number, joined to it by a separator, do not hide it:
// the number is found among the groups of its run.
func TestContainsNationalNumberInALongerSeparatedRun(t *testing.T) {
	for _, text := range []string{
		"85.07.30-033.28.1",
		"1 85.07.30-033.28",
		"12 85 07 30 033 28 34",
		"85073003328 2024",
		"2024 85073003328",
		"tel. 0470 12 34 56 85073003328",
	} {
		if !ContainsNationalNumber(text) {
			t.Errorf("%q accepted, want refused", text)
		}
	}
}

// randomNumber is a random valid number: a date (or a BIS date, or an
// unknown one), a serial and the check number for the century.
func randomNumber(r *rand.Rand) string {
	yy, mm, dd := r.IntN(100), 1+r.IntN(12), 1+r.IntN(28)
	switch r.IntN(5) {
	case 0:
		mm += 20
	case 1:
		mm += 40
	case 2:
		mm, dd = 0, 0
	}
	first := int64(yy*10_000_000+mm*100_000+dd*1_000) + r.Int64N(1000)
	if r.IntN(2) == 0 {
		return fmt.Sprintf("%09d%02d", first, 97-first%97)
	}
	return fmt.Sprintf("%09d%02d", first, 97-(2_000_000_000+first)%97)
}

// Every random valid number is refused in every form, and the same
// number with a wrong check number accepted.
func TestContainsNationalNumberRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := randomNumber(r)
		if !validCheckNumber(n) {
			t.Fatalf("randomNumber made %s, which has a wrong check number", n)
		}
		w := wrongCheck(n)
		for form, s := range forms(n) {
			if !ContainsNationalNumber("Jongere " + s + " wacht.") {
				t.Errorf("%s %s: %q accepted", n, form, s)
			}
		}
		for form, s := range forms(w) {
			if ContainsNationalNumber("Jongere " + s + " wacht.") {
				t.Errorf("%s (wrong check number) %s: %q refused", w, form, s)
			}
		}
	}
}

// FuzzContainsNationalNumber: whatever text stands around a valid number,
// set apart by a space, the number is found; and nothing panics.
func FuzzContainsNationalNumber(f *testing.F) {
	f.Add("RRN", "thuiszitter", uint64(1), 0)
	f.Add("12 3", "4 56", uint64(7), 3)
	f.Add("...---", "\u00a0\u00a0", uint64(42), 8)
	f.Fuzz(func(t *testing.T, before, after string, seed uint64, form int) {
		ContainsNationalNumber(before + after)
		n := randomNumber(rand.New(rand.NewPCG(seed, 0)))
		fs := forms(n)
		keys := make([]string, 0, len(fs))
		for k := range fs {
			keys = append(keys, k)
		}
		slices.Sort(keys) // for a reproducible form

		s := fs[keys[(form%len(keys)+len(keys))%len(keys)]]
		if text := before + " " + s + " " + after; !ContainsNationalNumber(text) {
			t.Errorf("%q accepted, want refused (it holds %s)", text, n)
		}
	})
}

func TestTextRefusesANationalNumberInWords(t *testing.T) {
	var v Violations
	v.Text("blocked", "Rijksregisternummer "+forms(nrn2012)["dotted and dashed"]+"; thuiszitter.", true, 4000)
	v.Text("tried[0]", "Schooldossier 20240915001", true, 1000)
	if len(v) != 1 || v[0].GetField() != "blocked" {
		t.Fatalf("violations %v, want one of blocked", v)
	}
	if d := v[0].GetDescription(); !strings.Contains(d, "must not contain a national register number") {
		t.Errorf("description %q does not say a national register number may not be written there", d)
	}
}
