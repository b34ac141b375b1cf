package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
)

// chart is a daily line chart drawn on the server as inline SVG: a value
// per day on a fixed 0–Max axis, a day without a value left as a gap.
// Colours come from the stylesheet's classes (the CSP allows no inline
// style), so the chart follows the light and dark palettes.
type chart struct {
	Title  string     // the chart's title, the start of its label
	Label  string     // the rest of the label for screen readers: the range, where the numbers are
	Days   []string   // the days' labels on the x axis, in order
	Values []*float64 // the value of each day; nil draws a gap
	Max    float64    // the y axis runs from 0 to Max
	Ticks  []float64  // the y axis' labelled values
	Unit   string     // written after each y tick ("%" or "")
}

// The drawing's own units: the viewBox scales them to the page's width, so
// a 340-unit chart is about 294 px wide on a 360 px phone and its 13-unit
// text is 11 px there.
const (
	chartWidth  = 340
	chartHeight = 220
	chartLeft   = 46 // room for the y ticks' labels ("100%")
	chartRight  = 12
	chartTop    = 28 // room for the title
	chartBottom = 26 // room for the x ticks' labels
	// maxXTicks bounds the x axis' labels so they never overlap.
	maxXTicks = 4
	// minLastTickGap keeps the last day's label, which ends at the axis'
	// end, clear of the one before it (a label is up to 55 units wide).
	minLastTickGap = 80
	// maxDots is the longest range whose every day gets a dot; longer ones
	// dot only the days that stand alone between gaps.
	maxDots = 31
)

// x is the horizontal position of day i.
func (c chart) x(i int) float64 {
	plot := float64(chartWidth - chartLeft - chartRight)
	if len(c.Days) <= 1 {
		return chartLeft + plot/2
	}
	return chartLeft + plot*float64(i)/float64(len(c.Days)-1)
}

// y is the vertical position of value v.
func (c chart) y(v float64) float64 {
	plot := float64(chartHeight - chartTop - chartBottom)
	if c.Max <= 0 {
		return chartHeight - chartBottom
	}
	v = math.Max(0, math.Min(v, c.Max))
	return chartTop + plot*(1-v/c.Max)
}

// xTicks are the days whose labels the x axis shows: the first, the last
// and evenly spaced ones between, at most maxXTicks.
func (c chart) xTicks() []int {
	n := len(c.Days)
	if n == 0 {
		return nil
	}
	step := max(1, int(math.Ceil(float64(n-1)/float64(maxXTicks-1))))
	var ticks []int
	for i := 0; i < n; i += step {
		ticks = append(ticks, i)
	}
	// The last day is always labelled, its label ending at the axis' end;
	// a tick too close before it gives way.
	if last := ticks[len(ticks)-1]; last != n-1 {
		if last > 0 && c.x(n-1)-c.x(last) < minLastTickGap {
			ticks = ticks[:len(ticks)-1]
		}
		ticks = append(ticks, n-1)
	}
	return ticks
}

// runs splits the days into runs of consecutive days with values: each is
// one line, and the gaps between them are the days without data.
func (c chart) runs() [][]int {
	var runs [][]int
	var run []int
	for i, v := range c.Values {
		if v == nil {
			if len(run) > 0 {
				runs, run = append(runs, run), nil
			}
			continue
		}
		run = append(run, i)
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	return runs
}

// SVG draws the chart.
func (c chart) SVG() htmltemplate.HTML {
	var b strings.Builder
	esc := htmltemplate.HTMLEscapeString
	label := c.Title
	if c.Label != "" {
		label += ". " + c.Label
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`,
		chartWidth, chartHeight, esc(label))
	fmt.Fprintf(&b, `<text class="chart-title" x="0" y="16" font-size="14" font-weight="600" fill="currentColor">%s</text>`, esc(c.Title))
	left, right, bottom := float64(chartLeft), float64(chartWidth-chartRight), float64(chartHeight-chartBottom)
	for _, v := range c.Ticks {
		y := c.y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s" stroke-width="1"/>`, num(left), num(y), num(right), num(y))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" font-size="13" text-anchor="end" dominant-baseline="middle" fill="currentColor">%s</text>`,
			num(left-6), num(y), esc(strconv.FormatFloat(v, 'f', -1, 64)+c.Unit))
	}
	for _, i := range c.xTicks() {
		x := c.x(i)
		anchor := "middle"
		switch {
		case len(c.Days) > 1 && i == 0:
			anchor = "start"
		case len(c.Days) > 1 && i == len(c.Days)-1:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke-width="1"/>`, num(x), num(bottom), num(x), num(bottom+4))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" font-size="13" text-anchor="%s" fill="currentColor">%s</text>`,
			num(x), num(bottom+17), anchor, esc(c.Days[i]))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke-width="1"/>`, num(left), num(bottom), num(right), num(bottom))
	for _, run := range c.runs() {
		if len(run) > 1 {
			b.WriteString(`<path class="line" fill="none" stroke-width="2" stroke-linejoin="round" d="`)
			for k, i := range run {
				cmd := "L"
				if k == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&b, "%s%s %s", cmd, num(c.x(i)), num(c.y(*c.Values[i])))
			}
			b.WriteString(`"/>`)
		}
		if len(run) == 1 || len(c.Days) <= maxDots {
			for _, i := range run {
				fmt.Fprintf(&b, `<circle class="dot" cx="%s" cy="%s" r="3"/>`, num(c.x(i)), num(c.y(*c.Values[i])))
			}
		}
	}
	b.WriteString(`</svg>`)
	// Every piece of text above went through HTMLEscapeString.
	return htmltemplate.HTML(b.String())
}

// num writes a coordinate with at most one decimal, which is finer than
// a pixel at any size the chart is shown.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}
