package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/summary"
)

// numbers is a dashboard over the fixture's table, signed in as the
// store's owner, with seeded answers.
type numbers struct {
	*apptest.Fixture
	Dash *httptest.Server
}

// newNumbers builds the dashboard with real services over DynamoDB Local,
// signed in as the store's owner, and seeds two ranges of answers.
func newNumbers(t *testing.T) *numbers {
	t.Helper()
	return newNumbersAs(t, closeloop.RoleOwner)
}

// newNumbersAs is newNumbers signed in with role.
func newNumbersAs(t *testing.T, role closeloop.Role) *numbers {
	t.Helper()
	f := apptest.New(t)
	ctx := context.Background()
	store, err := f.Product.DB.Store(ctx, f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(dashboard.Deps{
		Stores: f.Product.DB, Responses: f.Product.DB,
		Summaries: summary.New(f.Product.DB, f.Clock.Now),
		Auth: fixedAuth{
			Email: "owner@shop.test", StoreID: f.StoreID, Store: store, Role: role, Stores: 1, CSRF: "csrf-token",
		},
	}, f.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Routes())
	t.Cleanup(srv.Close)
	n := &numbers{Fixture: f, Dash: srv}
	n.seed(t)
	return n
}

// The seeded products: one worse now, one better, one only in the current
// range, one answered about once.
var seedSKUs = []struct{ SKU, Name string }{{"MUG-1", "Mug"}, {"TEE-2", "T-shirt"}, {"CAP-3", "Cap"}, {"BAG-4", "Bag"}}

// seed writes 100 days of counters through the counters' own writing code,
// with days left empty (gaps in the charts), spread over the four shards,
// and one real unhappy answer that opens a follow-up case.
func (n *numbers) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	byID := map[string]closeloop.Tallies{}
	var pts []closeloop.ProductTally
	for i := range 100 {
		if i%7 == 3 || i%11 == 5 {
			continue // a day without surveys
		}
		day := n.Clock.Now().AddDate(0, 0, -i).Format(closeloop.DayLayout)
		var tally closeloop.Tally
		tally.Sent = 4 + i%5
		tally.Answered = 1 + i%3
		tally.CSAT[i%5]++
		tally.CSAT[(i*3)%5]++
		tally.CSAT[4]++
		tally.NPS[(i*7)%11]++
		tally.NPS[10]++
		tally.Points = 50 * tally.Answered
		if i%4 == 0 {
			tally.Opened, tally.Resolved, tally.ResolveMinutes = 1, 1, 37+i*13
		}
		id := "s_seed" + strconv.Itoa(i%16)
		if byID[id] == nil {
			byID[id] = closeloop.Tallies{}
		}
		byID[id][day] = tally
		for k, p := range seedSKUs {
			if k == 2 && i >= 30 || k == 3 && i != 2 {
				continue
			}
			var pt closeloop.Tally
			pt.Sent, pt.Answered = 2, 1
			score := (i+k)%5 + 1
			if k == 0 && i < 30 {
				score = 1 + i%2 // the mug got worse
			}
			pt.CSAT[score-1] = 1
			pt.NPS[(i+k)%11] = 1
			pts = append(pts, closeloop.ProductTally{SKU: p.SKU, Name: p.Name, Day: day, Tally: pt})
		}
	}
	for id, ts := range byID {
		if err := n.Product.DB.AddStoreTallies(ctx, n.StoreID, id, ts); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Product.DB.AddProductTallies(ctx, n.StoreID, "seed#products", pts); err != nil {
		t.Fatal(err)
	}
	email := apptest.Email("unhappy")
	if r := n.API(t, "POST", "/v1/orders", apptest.Order("o-unhappy", email)); r.Status != http.StatusAccepted {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	n.Dispatch(t)
	if r := n.Do(t, "POST", n.SurveyPath(t, email), "", "application/x-www-form-urlencoded", "score=1&nps=2&comment=Broken+on+arrival"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	n.Settle(t)
}

// page gets a dashboard page in English.
func (n *numbers) page(t *testing.T, path string) (int, string) {
	t.Helper()
	return n.pageIn(t, "en-GB,en;q=0.8", path)
}

// pageIn gets a dashboard page in the languages of acceptLanguage.
func (n *numbers) pageIn(t *testing.T, acceptLanguage, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", n.Dash.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// summaryJSON gets path from the store API and flattens its JSON to
// dotted keys ("csat.score"), as the page's data-metric attributes name
// them.
func (n *numbers) summaryJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	r := n.API(t, "GET", path, "")
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatal(err)
	}
	flat := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(prefix+k+".", x)
			}
			return
		}
		flat[strings.TrimSuffix(prefix, ".")] = v
	}
	walk("", v)
	flat["daily"] = v["daily"]
	return flat
}

// shown is a value of the API as the page must write it (the format
// numbers.go documents): Go's shortest form, a response rate as a
// percentage, null as "no data".
func shown(key string, v any) string {
	f, ok := v.(float64)
	switch {
	case v == nil:
		return "no data"
	case !ok:
		return fmt.Sprintf("not a number: %v", v)
	case key == "response_rate":
		return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

var (
	statPattern = regexp.MustCompile(`<span class="value" data-metric="([a-z_.0-9]+)">([^<]*)</span>\s*(?:<span class="change [a-z]+" data-prev="([^"]*)">)?`)
	// everyMetric is what the overview of the whole store shows.
	everyMetric = []string{
		"sent", "answered", "response_rate",
		"csat.score", "csat.answers", "csat.satisfied", "csat.neutral", "csat.unsatisfied",
		"csat.distribution.1", "csat.distribution.2", "csat.distribution.3", "csat.distribution.4", "csat.distribution.5",
		"nps.score", "nps.answers", "nps.promoters", "nps.passives", "nps.detractors", "points_awarded",
		"followups.opened", "followups.resolved", "followups.open", "followups.overdue", "followups.mean_hours_to_resolve",
	}
)

// The overview shows every number of GET /v1/summary for the range, and
// beside each the number of the range before, written the same way; the
// charts' tables hold the summary's days.
func TestOverviewShowsTheSummaryNumbers(t *testing.T) {
	n := newNumbers(t)
	today, err := time.Parse(closeloop.DayLayout, closeloop.Day(n.Clock.Now(), n.Settings.TimeZone))
	if err != nil {
		t.Fatal(err)
	}
	day := func(back int) string { return today.AddDate(0, 0, -back).Format(closeloop.DayLayout) }
	daysBetween := func(from, to string) int {
		a, _ := time.Parse(closeloop.DayLayout, from)
		b, _ := time.Parse(closeloop.DayLayout, to)
		return int(b.Sub(a).Hours()/24) + 1
	}
	tests := []struct {
		name, query      string
		from, to         string // the range the page must show
		prevFrom, prevTo string
		sku              string
	}{
		{"default", "", day(29), day(0), day(59), day(30), ""},
		{"last 7 days", "?days=7", day(6), day(0), day(13), day(7), ""},
		{"last 90 days", "?days=90", day(89), day(0), day(179), day(90), ""},
		{"custom", "?from=" + day(40) + "&to=" + day(20), day(40), day(20), day(61), day(41), ""},
		{"one day", "?from=" + day(2) + "&to=" + day(2), day(2), day(2), day(3), day(3), ""},
		{"a product", "?days=30&sku=MUG-1", day(29), day(0), day(59), day(30), "MUG-1"},
		{"before any answer", "?from=2020-02-01&to=2020-02-29", "2020-02-01", "2020-02-29", "2020-01-03", "2020-01-31", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := n.page(t, "/app/overview"+tt.query)
			if status != http.StatusOK {
				t.Fatalf("overview: %d\n%s", status, body)
			}
			skuQuery := ""
			if tt.sku != "" {
				skuQuery = "&sku=" + tt.sku
			}
			cur := n.summaryJSON(t, "/v1/summary?from="+tt.from+"&to="+tt.to+skuQuery)
			prev := n.summaryJSON(t, "/v1/summary?from="+tt.prevFrom+"&to="+tt.prevTo+skuQuery)
			got := map[string][2]string{}
			for _, m := range statPattern.FindAllStringSubmatch(body, -1) {
				got[m[1]] = [2]string{m[2], m[3]}
			}
			want := everyMetric
			if tt.sku != "" {
				want = want[:len(want)-3] // a product has no case load of its own
				want = append(want, "followups.mean_hours_to_resolve")
				for _, k := range []string{"followups.open", "followups.overdue"} {
					if _, ok := got[k]; ok {
						t.Errorf("a product's overview shows %s", k)
					}
				}
			}
			for _, key := range want {
				g, ok := got[key]
				if !ok {
					t.Errorf("the page does not show %s", key)
					continue
				}
				if w := shown(key, cur[key]); g[0] != w {
					t.Errorf("%s: page shows %q, GET /v1/summary %v (%q)", key, g[0], cur[key], w)
				}
				if key == "followups.open" || key == "followups.overdue" {
					continue // the current load, without a change
				}
				if w := shown(key, prev[key]); g[1] != w {
					t.Errorf("%s before: page shows %q, GET /v1/summary of the range before %v (%q)", key, g[1], prev[key], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("the page shows %d numbers, want %d", len(got), len(want))
			}
			if !strings.Contains(body, "Showing "+strconv.Itoa(daysBetween(tt.from, tt.to))) || !strings.Contains(body, tt.from+" to "+tt.to) ||
				!strings.Contains(body, "compared with "+tt.prevFrom+" to "+tt.prevTo) {
				t.Errorf("the page does not describe %s to %s against %s to %s", tt.from, tt.to, tt.prevFrom, tt.prevTo)
			}
			checkDailyTables(t, body, cur["daily"].([]any))
		})
	}
	// The seeded data makes the test mean something: the numbers differ
	// between the ranges, some are missing, and one case is open.
	_, body := n.page(t, "/app/overview")
	for _, want := range []string{`data-metric="followups.open">1<`, `<span aria-hidden="true">▲</span> up`, `<span aria-hidden="true">▼</span> down`} {
		if !strings.Contains(body, want) {
			t.Errorf("the default overview lacks %s", want)
		}
	}
}

var rowPattern = regexp.MustCompile(`<tr><th scope="row">(\d{4}-\d\d-\d\d)</th>((?:<td>[^<]*</td>)+)</tr>`)

// checkDailyTables compares the charts' tables with the summary's days.
func checkDailyTables(t *testing.T, body string, daily []any) {
	t.Helper()
	var rows [][]string
	for _, m := range rowPattern.FindAllStringSubmatch(body, -1) {
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(m[2], "<td>"), "</td>"), "</td><td>")
		rows = append(rows, append([]string{m[1]}, cells...))
	}
	if len(rows) != 2*len(daily) {
		t.Fatalf("the charts' tables hold %d rows, want %d (two per day)", len(rows), 2*len(daily))
	}
	for i, d := range daily {
		day := d.(map[string]any)
		csat, rate := rows[i], rows[len(daily)+i]
		sent, answered := day["sent"].(float64), day["answered"].(float64)
		wantRate := "no data"
		if sent > 0 {
			wantRate = shown("response_rate", math.Round(answered/sent*1000)/1000)
		}
		want := [][]string{
			{day["date"].(string), shown("", day["csat_score"])},
			{day["date"].(string), shown("", sent), shown("", answered), wantRate},
		}
		if strings.Join(csat, "|") != strings.Join(want[0], "|") || strings.Join(rate, "|") != strings.Join(want[1], "|") {
			t.Errorf("day %d: tables show %q and %q, want %q and %q", i, csat, rate, want[0], want[1])
		}
	}
}

// productRows reads the products page: each product's SKU, then its
// numbers as the overview's card shows them, by their field.
func productRows(body string) [][]string {
	var rows [][]string
	for _, chunk := range strings.Split(body, `<li class="card product" data-sku="`)[1:] {
		sku, rest, _ := strings.Cut(chunk, `"`)
		got := map[string][2]string{}
		for _, m := range statPattern.FindAllStringSubmatch(rest, -1) {
			got[m[1]] = [2]string{m[2], m[3]}
		}
		rows = append(rows, []string{sku, got["csat.score"][0], got["csat.score"][1], got["nps.score"][0],
			got["answered"][0], got["sent"][0], got["response_rate"][0]})
	}
	return rows
}

// The products page lists the products in the order of GET
// /v1/summary/products, with its numbers, and each CSAT's change from the
// range before.
func TestProductsWorstFirstWithTheirTrend(t *testing.T) {
	n := newNumbers(t)
	for _, query := range []string{"", "?days=7", "?days=90"} {
		status, body := n.page(t, "/app/products"+query)
		if status != http.StatusOK {
			t.Fatalf("products%s: %d\n%s", query, status, body)
		}
		from, to, prevFrom, prevTo := shownRange(t, body)
		cur := productsJSON(t, n, "/v1/summary/products?from="+from+"&to="+to)
		prev := map[string]map[string]any{}
		for _, p := range productsJSON(t, n, "/v1/summary/products?from="+prevFrom+"&to="+prevTo) {
			prev[p["sku"].(string)] = p
		}
		rows := productRows(body)
		if len(rows) != len(cur) || len(cur) < 3 {
			t.Fatalf("products%s: page lists %d, GET /v1/summary/products %d (want at least 3)", query, len(rows), len(cur))
		}
		for i, p := range cur {
			sku := p["sku"].(string)
			csat := p["csat"].(map[string]any)
			prevCSAT := any(nil)
			if pp, ok := prev[sku]; ok {
				prevCSAT = pp["csat"].(map[string]any)["score"]
			}
			want := []string{sku, shown("", csat["score"]), shown("", prevCSAT), shown("", p["nps"].(map[string]any)["score"]),
				shown("", p["answered"]), shown("", p["sent"]), shown("response_rate", p["response_rate"])}
			if got := rows[i]; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("products%s row %d: %q, want %q", query, i, got, want)
			}
			if !strings.Contains(body, `href="/app/overview?`) || !strings.Contains(body, "sku="+sku) {
				t.Errorf("products%s: no link to the overview of %s", query, sku)
			}
		}
	}
	_, body := n.page(t, "/app/products")
	if !strings.Contains(body, `<li class="card product" data-sku="MUG-1">`) || !strings.Contains(body, `<span aria-hidden="true">▼</span> down`) ||
		!strings.Contains(body, "before: no data") {
		t.Errorf("the seeded trend does not show: want the mug down and the cap new\n%s", body)
	}
}

// A store of many products sees the worst 50 first, in the order of GET
// /v1/summary/products, and all of them behind a link.
func TestProductsPageShowsTheWorstFifty(t *testing.T) {
	n := newNumbers(t)
	var pts []closeloop.ProductTally
	for i := range 60 {
		var tally closeloop.Tally
		tally.Sent, tally.Answered, tally.CSAT[i%5] = 1, 1, 1
		pts = append(pts, closeloop.ProductTally{SKU: fmt.Sprintf("X-%02d", i), Name: fmt.Sprintf("Extra %d", i),
			Day: n.Clock.Now().AddDate(0, 0, -1).Format(closeloop.DayLayout), Tally: tally})
	}
	if err := n.Product.DB.AddProductTallies(context.Background(), n.StoreID, "seed#many", pts); err != nil {
		t.Fatal(err)
	}
	_, body := n.page(t, "/app/products")
	from, to, _, _ := shownRange(t, body)
	all := productsJSON(t, n, "/v1/summary/products?from="+from+"&to="+to)
	if len(all) != 64 {
		t.Fatalf("GET /v1/summary/products lists %d products, want 64", len(all))
	}
	rows := productRows(body)
	if len(rows) != 50 || !strings.Contains(body, "The 50 worst of 64 products") {
		t.Fatalf("the page lists %d products, want the worst 50 of 64 said so", len(rows))
	}
	for i, row := range rows {
		if row[0] != all[i]["sku"] {
			t.Fatalf("product %d is %s, GET /v1/summary/products has %s", i, row[0], all[i]["sku"])
		}
	}
	link := regexp.MustCompile(`<a href="(/app/products\?[^"]+)">Show all 64 products</a>`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no link to all 64 products")
	}
	_, body = n.page(t, strings.ReplaceAll(link[1], "&amp;", "&"))
	if rows := productRows(body); len(rows) != 64 || strings.Contains(body, "Show all") {
		t.Errorf("all products: the page lists %d, want 64 and no link", len(rows))
	}
}

// shownRange reads the ranges the page says it compares.
func shownRange(t *testing.T, body string) (from, to, prevFrom, prevTo string) {
	t.Helper()
	m := regexp.MustCompile(`(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d),\s*compared with (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page does not say which ranges it compares:\n%s", body)
	}
	return m[1], m[2], m[3], m[4]
}

func productsJSON(t *testing.T, n *numbers, path string) []map[string]any {
	t.Helper()
	r := n.API(t, "GET", path, "")
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	var v struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatal(err)
	}
	return v.Items
}

// A range that is not one shows the form again with what is wrong, reads
// nothing and answers 400.
func TestBadRangesAreRefused(t *testing.T) {
	n := newNumbers(t)
	for _, query := range []string{
		"?from=2026-13-01", "?from=2026-05-02&to=2026-05-01", "?to=yesterday", "?days=0", "?days=many",
		"?from=2020-01-01&to=2026-01-01", "?sku=" + strings.Repeat("x", 129),
	} {
		for _, page := range []string{"/app/overview", "/app/products"} {
			n.Counter.Reset()
			status, body := n.page(t, page+query)
			if status != http.StatusBadRequest || !strings.Contains(body, "Check the dates") || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("%s%s: %d, want 400 with the form marked\n%s", page, query, status, body)
			}
			if strings.Contains(body, "data-metric") {
				t.Errorf("%s%s shows numbers", page, query)
			}
			if c := n.Counter.Total(); c != 0 {
				t.Errorf("%s%s made %d DynamoDB requests, want none", page, query, c)
			}
		}
	}
}

// A page view costs a few DynamoDB requests, the same few however many
// answers there are; the overview is light.
func TestNumbersPagesRequestsAndWeight(t *testing.T) {
	n := newNumbers(t)
	count := func(path string) (int, map[string]int, string) {
		n.Counter.Reset()
		status, body := n.page(t, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		return n.Counter.Total(), n.Counter.Counts(), body
	}
	overview, ops, body := count("/app/overview")
	t.Logf("overview (30 days): %d DynamoDB requests %v", overview, ops)
	if overview != 2 {
		t.Errorf("overview made %d DynamoDB requests %v, want 2: the day counters of both ranges and the case load, each once", overview, ops)
	}
	if year, ops, _ := count("/app/overview?days=365"); year != overview {
		t.Errorf("a year's overview made %d DynamoDB requests %v, want %d as for 30 days", year, ops, overview)
	}
	sku, ops, _ := count("/app/overview?sku=MUG-1")
	t.Logf("overview of a product (30 days): %d DynamoDB requests %v", sku, ops)
	if sku > 2 {
		t.Errorf("a product's overview made %d DynamoDB requests, want at most 2", sku)
	}
	products, ops, _ := count("/app/products")
	t.Logf("products (30 days): %d DynamoDB requests %v", products, ops)
	if products > 10 {
		t.Errorf("products made %d DynamoDB requests, want at most 10", products)
	}

	css := n.get(t, "/app/static/app.css")
	t.Logf("overview page weight: %d bytes of HTML + %d bytes of CSS = %d bytes, no script, fonts or images", len(body), len(css), len(body)+len(css))
	if len(body)+len(css) > 60_000 {
		t.Errorf("the overview weighs %d bytes, want at most 60,000", len(body)+len(css))
	}
	for _, bad := range []string{"<script", "style=", "<img", "@font-face", "<style"} {
		if strings.Contains(body, bad) || strings.Contains(css, bad) {
			t.Errorf("the overview holds %q", bad)
		}
	}
}

// get reads a path of the dashboard whole.
func (n *numbers) get(t *testing.T, path string) string {
	t.Helper()
	_, body := n.page(t, path)
	return body
}

// Russian readers get their texts and their decimal comma; no page
// shows a text's key for want of the text, in either language; the
// support staff see the numbers as the owners do.
func TestNumbersPagesInEveryLanguage(t *testing.T) {
	n := newNumbersAs(t, closeloop.RoleSupport)
	_, body := n.pageIn(t, "ru-RU,ru;q=0.9,en;q=0.5", "/app/overview?days=90")
	from := regexp.MustCompile(`с (\d{4}-\d\d-\d\d) по`).FindStringSubmatch(body)
	if from == nil {
		t.Fatalf("the Russian overview does not say its range:\n%s", body)
	}
	cur := n.summaryJSON(t, "/v1/summary?from="+from[1])
	score := strings.Replace(shown("", cur["csat.score"]), ".", ",", 1)
	for _, want := range []string{`<html lang="ru">`, "Удовлетворённость (CSAT)", `data-metric="csat.score">` + score + "<", "Показать данные", "Последние 7 дн."} {
		if !strings.Contains(body, want) {
			t.Errorf("the Russian overview lacks %q", want)
		}
	}
	if !strings.Contains(score, ",") {
		t.Errorf("the seeded CSAT %s has no decimals: the test proves nothing of the comma", score)
	}
	for _, lang := range []string{"en", "ru"} {
		for _, path := range []string{"/app/overview", "/app/overview?sku=MUG-1", "/app/products", "/app/overview?days=0", "/app/products?from=x"} {
			status, body := n.pageIn(t, lang, path)
			if status != http.StatusOK && status != http.StatusBadRequest {
				t.Errorf("%s %s: %d", lang, path, status)
			}
			if m := regexp.MustCompile(`app\.(numbers|overview|products)\.[a-z_.0-9]+`).FindString(body); m != "" {
				t.Errorf("%s %s shows the key %s instead of its text", lang, path, m)
			}
		}
	}
}
