package dashboard

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/i18n"
)

func vals(vs ...any) []*float64 {
	out := make([]*float64, len(vs))
	for i, v := range vs {
		switch v := v.(type) {
		case float64:
			out[i] = &v
		case int:
			f := float64(v)
			out[i] = &f
		}
	}
	return out
}

func days(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d%d", i)
	}
	return out
}

func TestChartXTicks(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 7, 8, 14, 30, 31, 60, 90, 365, 1096} {
		c := chart{Days: days(n)}
		ticks := c.xTicks()
		if len(ticks) == 0 || len(ticks) > maxXTicks || ticks[0] != 0 || ticks[len(ticks)-1] != n-1 {
			t.Errorf("%d days: ticks %v, want from 0 to %d, at most %d", n, ticks, n-1, maxXTicks)
			continue
		}
		// Labels are up to 55 units wide: centred ones must be as far
		// apart, and the first and the last, which start and end at
		// their tick, half as far again.
		for i := 1; i < len(ticks); i++ {
			want := 55.0
			if i == 1 || i == len(ticks)-1 {
				want = 80
			}
			if gap := c.x(ticks[i]) - c.x(ticks[i-1]); gap < want {
				t.Errorf("%d days: ticks %v put two labels %.0f units apart, want at least %.0f", n, ticks, gap, want)
			}
		}
	}
}

func TestChartDrawsValuesAtTheirCoordinates(t *testing.T) {
	c := chart{Title: "CSAT", Days: days(5), Values: vals(0, 50, 100, 25, 75), Max: 100, Ticks: []float64{0, 50, 100}}
	// The plot runs from x 46 to 328, y 194 (0) up to 28 (100).
	if c.x(0) != 46 || c.x(4) != 328 || c.x(2) != 187 || c.y(0) != 194 || c.y(100) != 28 || c.y(50) != 111 {
		t.Fatalf("x(0) %v x(2) %v x(4) %v, y(0) %v y(50) %v y(100) %v", c.x(0), c.x(2), c.x(4), c.y(0), c.y(50), c.y(100))
	}
	svg := string(c.SVG())
	if want := `d="M46 194L116.5 111L187 28L257.5 152.5L328 69.5"`; !strings.Contains(svg, want) {
		t.Errorf("the line lacks %s:\n%s", want, svg)
	}
	// Values past the axis stay on the chart.
	if c.y(130) != 28 || c.y(-5) != 194 {
		t.Errorf("y(130) %v, y(-5) %v: want clamped to 28 and 194", c.y(130), c.y(-5))
	}
	one := chart{Days: days(1), Values: vals(80), Max: 100}
	if svg := string(one.SVG()); !strings.Contains(svg, `<circle class="dot" cx="187" cy="61.2"`) {
		t.Errorf("a one-day chart lacks its dot in the middle:\n%s", svg)
	}
}

var (
	pathPattern   = regexp.MustCompile(`<path [^>]*d="([^"]+)"`)
	circlePattern = regexp.MustCompile(`<circle [^>]*cx="([^"]+)"`)
)

func TestChartLeavesGapsForDaysWithoutData(t *testing.T) {
	c := chart{Title: "t", Days: days(8), Values: vals(10, nil, 20, 30, nil, nil, 40, 50), Max: 100}
	svg := string(c.SVG())
	paths := pathPattern.FindAllStringSubmatch(svg, -1)
	if len(paths) != 2 {
		t.Fatalf("%d lines, want 2 (days 2–3 and 6–7):\n%s", len(paths), svg)
	}
	for i, want := range [][]int{{2, 3}, {6, 7}} {
		if got := strings.Count(paths[i][1], "L") + 1; got != len(want) || !strings.HasPrefix(paths[i][1], "M"+num(c.x(want[0]))+" ") {
			t.Errorf("line %d %q, want days %v", i, paths[i][1], want)
		}
	}
	// A short range dots every day with data, day 0 standing alone among
	// them.
	if got := len(circlePattern.FindAllString(svg, -1)); got != 5 {
		t.Errorf("%d dots, want 5", got)
	}
	// A long one dots only the days standing alone.
	long := chart{Days: days(40), Values: make([]*float64, 40), Max: 100}
	copy(long.Values, vals(10, nil, 20, 30, nil, 40))
	svg = string(long.SVG())
	var xs []string
	for _, m := range circlePattern.FindAllStringSubmatch(svg, -1) {
		xs = append(xs, m[1])
	}
	if want := []string{num(long.x(0)), num(long.x(5))}; !slices.Equal(xs, want) {
		t.Errorf("dots at %v, want %v (the lone days)", xs, want)
	}
	empty := chart{Days: days(30), Values: make([]*float64, 30), Max: 100}
	if svg := string(empty.SVG()); strings.Contains(svg, "<path") || strings.Contains(svg, "<circle") {
		t.Errorf("a chart without data draws a line:\n%s", svg)
	}
}

func TestChartLabelsAndMarkup(t *testing.T) {
	c := chart{Title: `Rate <per> "day" & more`, Label: "From a to b.", Days: []string{"1 Nov", "2 Nov", "3 Nov"},
		Values: vals(10, 20, 30), Max: 100, Ticks: []float64{0, 25, 50, 75, 100}, Unit: "%"}
	svg := string(c.SVG())
	// The drawing is well-formed XML, and none of it styled inline: the
	// CSP forbids it.
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, bad := range []string{"style=", "<style", "<script", `fill="#`, `stroke="#`, "rgb("} {
		if strings.Contains(svg, bad) {
			t.Errorf("the chart holds %q:\n%s", bad, svg)
		}
	}
	for _, want := range []string{
		`role="img"`, `viewBox="0 0 340 220"`,
		`aria-label="Rate &lt;per&gt; &#34;day&#34; &amp; more. From a to b."`,
		`>Rate &lt;per&gt; &#34;day&#34; &amp; more</text>`,
		">0%</text>", ">25%</text>", ">50%</text>", ">75%</text>", ">100%</text>",
		`text-anchor="start" fill="currentColor">1 Nov</text>`, `text-anchor="middle" fill="currentColor">2 Nov</text>`, `text-anchor="end" fill="currentColor">3 Nov</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s:\n%s", want, svg)
		}
	}
	// Every line, dot and text takes its colour from a class.
	for _, m := range regexp.MustCompile(`<(line|path|circle|text) ([^>]*)>`).FindAllStringSubmatch(svg, -1) {
		if !strings.Contains(m[2], `class="`) {
			t.Errorf("<%s %s> has no class", m[1], m[2])
		}
	}
}

func TestNumberFormats(t *testing.T) {
	en, ru := i18n.For("en"), i18n.For("ru")
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		got, want string
	}{
		{decimal(en, 83.3), "83.3"},
		{decimal(en, 100), "100"},
		{decimal(en, -20), "-20"},
		{decimal(ru, 83.3), "83,3"},
		{measure{Value: percentOf(f(0.833)), Percent: true}.text(en), "83.3%"},
		{measure{Value: percentOf(f(0.1)), Percent: true}.text(en), "10%"},
		{measure{Value: percentOf(f(0.007)), Percent: true}.text(ru), "0,7 %"},
		{measure{}.text(en), "no data"},
		{measure{Value: f(83.3), Better: 1}.changeFrom(en, measure{Value: f(79.1)}).Text, "up 4.2 from 79.1"},
		{measure{Value: f(0.3), Better: 1}.changeFrom(en, measure{Value: f(0.1)}).Text, "up 0.2 from 0.1"},
		{measure{Value: f(50), Percent: true}.changeFrom(en, measure{Value: f(62.5), Percent: true}).Text, "down 12.5 pp from 62.5%"},
		{measure{Value: f(5)}.changeFrom(en, measure{Value: f(5)}).Text, "same as before (5)"},
		{measure{Value: f(5)}.changeFrom(en, measure{}).Text, "before: no data"},
		{measure{}.changeFrom(en, measure{Value: f(5)}).Text, "before: 5"},
		{measure{Value: f(-10)}.changeFrom(ru, measure{Value: f(-20.5)}).Text, "рост на 10,5, было -20,5"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %q, want %q", i, tt.got, tt.want)
		}
	}
	classes := []struct {
		better  int
		cur     float64
		class   string
		arrow   string
		comment string
	}{
		{1, 90, "good", "▲", "a rise of a good number"},
		{1, 70, "bad", "▼", "a fall of a good number"},
		{-1, 90, "bad", "▲", "a rise of a bad number"},
		{-1, 70, "good", "▼", "a fall of a bad number"},
		{0, 90, "none", "▲", "a neutral number"},
		{1, 80, "none", "=", "no change"},
	}
	for _, c := range classes {
		got := measure{Value: f(c.cur), Better: c.better}.changeFrom(en, measure{Value: f(80)})
		if got.Class != c.class || got.Arrow != c.arrow {
			t.Errorf("%s: class %q arrow %q, want %q %q", c.comment, got.Class, got.Arrow, c.class, c.arrow)
		}
	}
}
