package web

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// A bar chart drawn on the server as inline SVG: no script, no library,
// and it prints. It is a picture for the eye (role="img" with a name);
// the numbers are in the HTML table beside it, for screen readers and for
// copying.

// bar is one bar: a row's label and figure. A hidden figure has no bar,
// only "x", so that its length gives nothing away.
type bar struct {
	Label  string
	Value  int64
	Hidden bool
}

const (
	chartWidth = 440 // shown at this size, so the text is fontSize pixels
	fontSize   = 14
	charWidth  = 8 // a generous average width of a character at fontSize
)

// barChart draws bars, one per line, with its name for assistive
// technology. Short labels stand left of their bar; longer ones above it,
// so no label is cut off.
func barChart(name string, bars []bar) template.HTML {
	var top int64
	labelWidth := 0
	for _, b := range bars {
		if !b.Hidden {
			top = max(top, b.Value)
		}
		labelWidth = max(labelWidth, utf8.RuneCountInString(b.Label)*charWidth)
	}
	beside := labelWidth <= 160
	rowHeight, barHeight, barX, barY := 42, 16, 0, 20 // the label above the bar
	if beside {
		// Digits and m are wider than the average: "september 2026" would
		// lose its first letter at the chart's edge.
		labelWidth += 12
		rowHeight, barHeight, barX, barY = 26, 16, labelWidth+8, 5
	}
	room := chartWidth - barX - 50 // the longest bar; room is left for its number
	height := len(bars)*rowHeight + 6

	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="grafiek" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" focusable="false">`,
		chartWidth, height, chartWidth, height, template.HTMLEscapeString(name))
	fmt.Fprintf(&sb, `<title>%s</title>`, template.HTMLEscapeString(name))
	for i, b := range bars {
		y := i * rowHeight
		// A row is a group, and a bar says its figure: for tests and tools
		// that read the chart; the picture is the same.
		sb.WriteString(`<g class="rij">`)
		if beside {
			fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="%d" fill="#1a1a1a">%s</text>`,
				labelWidth, y+barY+barHeight-3, fontSize, template.HTMLEscapeString(b.Label))
		} else {
			fmt.Fprintf(&sb, `<text x="0" y="%d" font-size="%d" fill="#1a1a1a">%s</text>`, y+15, fontSize, template.HTMLEscapeString(b.Label))
		}
		length := 0
		text := "x"
		if !b.Hidden {
			text = fmt.Sprint(b.Value)
			if top > 0 {
				length = int(b.Value * int64(room) / top)
			}
			if b.Value > 0 {
				length = max(length, 2)
			}
		}
		if length > 0 {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#0b4f8a" data-waarde="%d"></rect>`, barX, y+barY, length, barHeight, b.Value)
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="%d" font-weight="700" fill="#1a1a1a">%s</text></g>`,
			barX+length+6, y+barY+barHeight-3, fontSize, text)
	}
	// The axis the bars start from.
	fmt.Fprintf(&sb, `<line x1="%d" y1="0" x2="%d" y2="%d" stroke="#595959" stroke-width="1"></line>`, barX, barX, height)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
