package storeapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
)

type responseJSON struct {
	SurveyID string `json:"survey_id"`
	OrderID  string `json:"order_id"`
	Customer struct {
		Email  string `json:"email"`
		Name   string `json:"name"`
		Locale string `json:"locale"`
	} `json:"customer"`
	Items []struct {
		SKU  string `json:"sku"`
		Name string `json:"name"`
	} `json:"items"`
	AnsweredAt string  `json:"answered_at"`
	Score      int     `json:"score"`
	NPS        *int    `json:"nps"`
	Comment    string  `json:"comment"`
	ContactMe  bool    `json:"contact_me"`
	Points     int     `json:"points"`
	CaseID     *string `json:"case_id"`
}

type responsesPage struct {
	Items      []responseJSON `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

// customerAnswer is one customer's order and answer in the tests.
type customerAnswer struct {
	name  string // for the address
	buyer string // the name on the order
	items []closeloop.Item
	form  url.Values
}

// answerAll posts each customer's order, sends the surveys and answers
// them in order through the survey page, a minute apart; it returns the
// customers' addresses in the same order.
func answerAll(t *testing.T, f *apptest.Fixture, key string, answers []customerAnswer) []string {
	t.Helper()
	emails := make([]string, len(answers))
	for i, a := range answers {
		emails[i] = apptest.Email(a.name)
		order := closeloop.Order{
			OrderID:     "o-" + strings.NewReplacer("@", "-", "=", "").Replace(emails[i]),
			Customer:    closeloop.Customer{Email: emails[i], Name: a.buyer},
			Items:       a.items,
			PurchasedAt: f.Clock.Now().Add(-time.Hour),
		}
		if a.buyer != "" {
			order.Customer.Locale = "en-GB"
		}
		body, err := json.Marshal(order)
		if err != nil {
			t.Fatal(err)
		}
		if r := f.Do(t, "POST", "/v1/orders", key, "application/json", string(body)); r.Status != http.StatusAccepted {
			t.Fatalf("post order %d: %d %s", i, r.Status, r.Body)
		}
	}
	f.Dispatch(t)
	for i, a := range answers {
		f.Clock.Advance(time.Minute)
		path := f.SurveyPath(t, emails[i])
		if r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", a.form.Encode()); r.Status != http.StatusOK {
			t.Fatalf("answer %d: %d %s", i, r.Status, r.Body)
		}
	}
	return emails
}

// flipLast changes the last character of s.
func flipLast(s string) string {
	c := "A"
	if strings.HasSuffix(s, c) {
		c = "B"
	}
	return s[:len(s)-1] + c
}

func listResponses(t *testing.T, f *apptest.Fixture, key, query string) responsesPage {
	t.Helper()
	r := f.Do(t, "GET", "/v1/responses"+query, key, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /v1/responses%s: %d %s", query, r.Status, r.Body)
	}
	if !strings.Contains(r.Body, `"items":[`) || !strings.Contains(r.Body, `"next_cursor":`) {
		t.Fatalf("body %s lacks items or next_cursor", r.Body)
	}
	return decode[responsesPage](t, r.Body)
}

// pageResponses follows next_cursor from query's first page to the end.
func pageResponses(t *testing.T, f *apptest.Fixture, query string, limit int) []responseJSON {
	t.Helper()
	var all []responseJSON
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("paging does not end")
		}
		q := query + "&limit=" + strconv.Itoa(limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := listResponses(t, f, f.APIKey, q)
		if len(page.Items) > limit {
			t.Fatalf("a page of %d, limit %d", len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all
		}
		if len(page.Items) < limit {
			t.Fatalf("a short page (%d of %d) before the last", len(page.Items), limit)
		}
		cursor = *page.NextCursor
	}
}

func emailsOf(items []responseJSON) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Customer.Email)
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// pick returns the emails at positions idx, newest (highest) first.
func pick(emails []string, idx ...int) []string {
	out := []string{}
	slices.Sort(idx)
	slices.Reverse(idx)
	for _, i := range idx {
		out = append(out, emails[i])
	}
	return out
}

var (
	mug = closeloop.Item{SKU: "MUG-1", Name: "Mug"}
	tee = closeloop.Item{SKU: "TEE-2", Name: `Tee, "large"`}
	hat = closeloop.Item{SKU: "=CAP-3", Name: "Cap"}
)

// shopAnswers are answers covering the filters and the cells a
// spreadsheet could take for formulas.
func shopAnswers() []customerAnswer {
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	return []customerAnswer{
		{"formula", "Ada", []closeloop.Item{mug}, form("score", "5", "nps", "10", "comment", `=HYPERLINK("http://x")`)},
		{"minus", "@Bob", []closeloop.Item{tee}, form("score", "1", "comment", "-1+2", "contact_me", "on")},
		{"lines", "Cy", []closeloop.Item{mug, hat}, form("score", "2", "nps", "0", "comment", "line one\nline \"two\", with a comma")},
		{"cyrillic", "Анна", []closeloop.Item{hat}, form("score", "4", "comment", "Всё отлично, спасибо!")},
		{"=plain", "", nil, form("score", "3")},
	}
}

func TestResponsesListPagesAndFilters(t *testing.T) {
	f := apptest.New(t)
	emails := answerAll(t, f, f.APIKey, shopAnswers())
	newest := reversed(emails)

	// Newest first, two at a time, through every page.
	all := pageResponses(t, f, "?", 2)
	if got := emailsOf(all); !slices.Equal(got, newest) {
		t.Fatalf("paged %v, want newest first %v", got, newest)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].AnsweredAt < all[i].AnsweredAt {
			t.Fatalf("answered_at %s before %s", all[i-1].AnsweredAt, all[i].AnsweredAt)
		}
	}

	// One response in full, and every field present even when empty.
	lines := all[2]
	if lines.Customer.Email != emails[2] || lines.Customer.Name != "Cy" || lines.Customer.Locale != "en-GB" ||
		len(lines.Items) != 2 || lines.Items[0].SKU != "MUG-1" || lines.Items[1].SKU != "=CAP-3" ||
		lines.Score != 2 || lines.NPS == nil || *lines.NPS != 0 || lines.Comment != "line one\nline \"two\", with a comma" ||
		lines.ContactMe || lines.Points <= 0 || lines.CaseID == nil || !strings.HasPrefix(lines.OrderID, "o-") || lines.SurveyID == "" {
		t.Fatalf("response %+v", lines)
	}
	if at, err := time.Parse(time.RFC3339, lines.AnsweredAt); err != nil || at.Location() != time.UTC {
		t.Fatalf("answered_at %q is not RFC 3339 UTC", lines.AnsweredAt)
	}
	if all[0].CaseID != nil || all[0].NPS != nil || all[0].Comment != "" || len(all[0].Items) != 0 || !all[3].ContactMe {
		t.Fatalf("responses %+v and %+v", all[0], all[3])
	}
	raw := f.API(t, "GET", "/v1/responses?limit=1", "").Body
	var shape struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal([]byte(raw), &shape); err != nil || len(shape.Items) != 1 {
		t.Fatalf("body %s: %v", raw, err)
	}
	var keys []string
	for k := range shape.Items[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"answered_at", "case_id", "comment", "contact_me", "customer", "items", "nps", "order_id", "points", "score", "survey_id"}
	if !slices.Equal(keys, want) {
		t.Fatalf("fields %v, want %v", keys, want)
	}
	for _, field := range []string{`"items":[]`, `"nps":null`, `"case_id":null`, `"name":""`, `"locale":""`} {
		if !strings.Contains(raw, field) {
			t.Errorf("newest response %s lacks %s", raw, field)
		}
	}

	tests := []struct {
		query string
		want  []string
	}{
		{"score=1", pick(emails, 1)},
		{"score=1,2", pick(emails, 1, 2)},
		{"score=1&score=5", pick(emails, 0, 1)},
		{"score=4,4", pick(emails, 3)},
		{"sku=" + url.QueryEscape("=CAP-3"), pick(emails, 2, 3)},
		{"sku=MUG", pick(emails)},
		{"has_comment=true", pick(emails, 0, 1, 2, 3)},
		{"has_comment=false", pick(emails, 4)},
		{"score=1,2,3&has_comment=true&sku=TEE-2", pick(emails, 1)},
		{"format=json&score=5", pick(emails, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			for _, limit := range []int{1, 200} {
				if got := emailsOf(pageResponses(t, f, "?"+tt.query, limit)); !slices.Equal(got, tt.want) {
					t.Errorf("limit %d: %v, want %v", limit, got, tt.want)
				}
			}
		})
	}
}

func TestResponsesRefuseBadRequests(t *testing.T) {
	f := apptest.New(t)
	answerAll(t, f, f.APIKey, shopAnswers()[:2])
	other := f.NewStore(t)
	answerAll(t, f, other, shopAnswers()[2:3])
	page := listResponses(t, f, f.APIKey, "?limit=1")
	theirs := listResponses(t, f, other, "?limit=1")
	if page.NextCursor == nil || theirs.NextCursor == nil {
		t.Fatalf("no next cursors: %v %v", page.NextCursor, theirs.NextCursor)
	}
	mine := *page.NextCursor
	if got := listResponses(t, f, f.APIKey, "?limit=1&cursor="+url.QueryEscape(mine)); len(got.Items) != 1 {
		t.Fatalf("the second page holds %d responses, want 1", len(got.Items))
	}
	today := f.Clock.Now().Format("2006-01-02")
	tests := []struct {
		name, query string
		fields      []string
	}{
		{"another store's cursor", "cursor=" + url.QueryEscape(*theirs.NextCursor), []string{"cursor"}},
		{"a tampered cursor", "cursor=" + url.QueryEscape(flipLast(mine)), []string{"cursor"}},
		{"a truncated cursor", "cursor=" + url.QueryEscape(mine[:10]), []string{"cursor"}},
		{"a cursor of another range", "from=2020-01-01&to=2020-01-31&cursor=" + url.QueryEscape(mine), []string{"cursor"}},
		{"not a date", "from=yesterday", []string{"from"}},
		{"no such day", "to=2026-02-30", []string{"to"}},
		{"a time, not a day", "from=2026-01-01T00:00:00Z", []string{"from"}},
		{"from after to", "from=2026-03-02&to=2026-03-01", []string{"from"}},
		{"from after today", "from=9000-01-01", []string{"from"}},
		{"over three years", "from=2020-01-01&to=2023-01-01", []string{"from"}},
		{"year 10000", "to=10000-01-01", []string{"to"}},
		{"score 0", "score=0", []string{"score"}},
		{"score 6", "score=1,6", []string{"score"}},
		{"score a word", "score=bad", []string{"score"}},
		{"an empty score", "score=1,,2", []string{"score"}},
		{"has_comment yes", "has_comment=yes", []string{"has_comment"}},
		{"format xml", "format=xml", []string{"format"}},
		{"format in capitals", "format=CSV", []string{"format"}},
		{"limit 0", "limit=0", []string{"limit"}},
		{"limit 201", "limit=201", []string{"limit"}},
		{"a long sku", "sku=" + strings.Repeat("s", 129), []string{"sku"}},
		{"several at once", "from=x&to=" + today + "&score=9&has_comment=1&format=pdf&limit=-1", []string{"from", "score", "has_comment", "format", "limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, f.API(t, "GET", "/v1/responses?"+tt.query, ""), tt.fields...)
		})
	}
	// The longest range is three years, both days included.
	for _, q := range []string{"from=2020-01-01&to=2022-12-31", "from=2026-03-01&to=2026-03-01"} {
		if r := f.API(t, "GET", "/v1/responses?"+q, ""); r.Status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", q, r.Status, r.Body)
		}
	}
}

// TestResponsesUseTheStoresDays: from and to are the store's local days,
// both included, and to defaults to the store's today.
func TestResponsesUseTheStoresDays(t *testing.T) {
	const zone = "Asia/Kolkata" // UTC+5:30: its days are not UTC's
	f := apptest.New(t, func(s *closeloop.Settings) { s.TimeZone = zone })
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	answers := shopAnswers()[:2]
	emails := make([]string, 2)
	// Post, send, then answer one just before the store's midnight and
	// one just after.
	for i, a := range answers {
		emails[i] = apptest.Email(a.name)
		if r := f.API(t, "POST", "/v1/orders", apptest.Order(fmt.Sprintf("o-day-%d", i), emails[i])); r.Status != http.StatusAccepted {
			t.Fatalf("post order: %d %s", r.Status, r.Body)
		}
	}
	f.Dispatch(t)
	local := f.Clock.Now().In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	f.Clock.Advance(midnight.Add(-30 * time.Second).Sub(f.Clock.Now()))
	for i, a := range answers {
		if r := f.Do(t, "POST", f.SurveyPath(t, emails[i]), "", "application/x-www-form-urlencoded", a.form.Encode()); r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
		f.Clock.Advance(time.Minute)
	}
	before, after := midnight.AddDate(0, 0, -1).Format("2006-01-02"), midnight.Format("2006-01-02")
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{emails[1], emails[0]}},
		{"to=" + before, []string{emails[0]}},
		{"from=" + before + "&to=" + before, []string{emails[0]}},
		{"from=" + after + "&to=" + after, []string{emails[1]}},
		{"from=" + before + "&to=" + after, []string{emails[1], emails[0]}},
		{"from=" + after, []string{emails[1]}},
	}
	for _, tt := range tests {
		if got := emailsOf(listResponses(t, f, f.APIKey, "?"+tt.query).Items); !slices.Equal(got, tt.want) {
			t.Errorf("?%s: %v, want %v", tt.query, got, tt.want)
		}
	}
	// The default range ends today, in the store's zone, and starts 29 days before.
	r := f.API(t, "GET", "/v1/responses?format=csv", "")
	want := `attachment; filename="responses-` + midnight.AddDate(0, 0, -29).Format("2006-01-02") + "-" + after + `.csv"`
	if got := r.Header.Get("Content-Disposition"); got != want {
		t.Fatalf("Content-Disposition %q, want %q", got, want)
	}
}

// readCSV checks an export's headers, BOM and line ends and returns its
// records, the header row first.
func readCSV(t *testing.T, r apptest.Response) [][]string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", got)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="responses-`) {
		t.Fatalf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
	}
	body, ok := strings.CutPrefix(r.Body, "\uFEFF")
	if !ok {
		t.Fatalf("no UTF-8 BOM: %q", r.Body[:min(len(r.Body), 20)])
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") || !strings.HasSuffix(body, "\r\n") {
		t.Fatal("lines do not all end in CRLF")
	}
	rd := csv.NewReader(strings.NewReader(body))
	rd.FieldsPerRecord = len(csvColumns)
	records, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) == 0 || !slices.Equal(records[0], csvColumns) {
		t.Fatalf("header row %v, want %v", records[:min(len(records), 1)], csvColumns)
	}
	return records
}

var csvColumns = []string{"answered_at", "survey_id", "order_id", "email", "name", "locale", "score", "nps",
	"comment", "contact_me", "points", "case_id", "skus", "products"}

func TestResponsesExportEveryCell(t *testing.T) {
	f := apptest.New(t)
	emails := answerAll(t, f, f.APIKey, shopAnswers())
	listed := pageResponses(t, f, "?", 200)
	records := readCSV(t, f.API(t, "GET", "/v1/responses?format=csv&limit=1&cursor=ignored", ""))
	rows := records[1:]
	if len(rows) != len(emails) || len(listed) != len(emails) {
		t.Fatalf("%d rows and %d listed, want %d", len(rows), len(listed), len(emails))
	}
	neutralised := 0
	for i, it := range listed {
		nps := ""
		if it.NPS != nil {
			nps = strconv.Itoa(*it.NPS)
		}
		caseID := ""
		if it.CaseID != nil {
			caseID = *it.CaseID
		}
		var skus, names []string
		for _, item := range it.Items {
			skus, names = append(skus, item.SKU), append(names, item.Name)
		}
		// Text from customers and shops, as it should read, and the
		// numbers and times, which never get the quote.
		text := map[string]string{
			"survey_id": it.SurveyID, "order_id": it.OrderID, "email": it.Customer.Email, "name": it.Customer.Name,
			"locale": it.Customer.Locale, "comment": it.Comment, "case_id": caseID,
			"skus": strings.Join(skus, "; "), "products": strings.Join(names, "; "),
		}
		values := map[string]string{
			"answered_at": it.AnsweredAt, "score": strconv.Itoa(it.Score), "nps": nps,
			"contact_me": strconv.FormatBool(it.ContactMe), "points": strconv.Itoa(it.Points),
		}
		for c, name := range csvColumns {
			got := rows[i][c]
			want, isText := text[name]
			if !isText {
				want = values[name]
			}
			if isText && want != "" && strings.ContainsRune("=+-@\t\r", rune(want[0])) {
				want = "'" + want
				neutralised++
			}
			if got != want {
				t.Errorf("row %d %s: %q, want %q", i, name, got, want)
			}
		}
	}
	// The formula, the sum, @Bob, the =plain address and the skus cell
	// that starts with =CAP-3.
	if neutralised != 5 {
		t.Errorf("%d cells neutralised, want 5", neutralised)
	}
	for _, want := range []string{`'=HYPERLINK("http://x")`, "'-1+2", "Всё отлично, спасибо!", "line one\nline \"two\", with a comma"} {
		found := false
		for _, row := range rows {
			found = found || row[8] == want
		}
		if !found {
			t.Errorf("no comment cell %q", want)
		}
	}

	// Filters apply to the export too; no match is the header row alone.
	if got := readCSV(t, f.API(t, "GET", "/v1/responses?format=csv&score=1", "")); len(got) != 2 || got[1][3] != emails[1] {
		t.Fatalf("export of score 1: %v", got)
	}
	if got := readCSV(t, f.API(t, "GET", "/v1/responses?format=csv&from=2020-01-01&to=2020-01-02", "")); len(got) != 1 {
		t.Fatalf("empty export: %v", got)
	}
	// A bad parameter is still a JSON error.
	wantInvalid(t, f.API(t, "GET", "/v1/responses?format=csv&score=7", ""), "score")
}

// seedResponses answers n surveys of the fixture's store through the
// adapter (CreateSurvey, Claim, MarkSent, Answer), one every 30 minutes
// back from now; points is the first answer's points.
func seedResponses(t *testing.T, f *apptest.Fixture, n, points int) {
	t.Helper()
	ctx := context.Background()
	db := f.Product.DB
	now := f.Clock.Now()
	surveys := make([]closeloop.Survey, n)
	run := func(do func(i int) error) {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		work := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					if err := do(i); err != nil {
						errs <- err
					}
				}
			}()
		}
		for i := range n {
			work <- i
		}
		close(work)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	run(func(i int) error {
		at := now.Add(-time.Duration(i) * 30 * time.Minute)
		surveys[i] = closeloop.Survey{
			SurveyID: fmt.Sprintf("s_bulk%04d", i), StoreID: f.StoreID, OrderID: fmt.Sprintf("bulk-%04d", i),
			Customer: closeloop.Customer{Email: fmt.Sprintf("bulk%04d@example.com", i), Name: "Bulk", Locale: "en"},
			Items:    []closeloop.Item{mug}, Status: closeloop.StatusScheduled, PurchasedAt: at.Add(-2 * time.Hour),
			SendAt: at.Add(-time.Hour), ClosesAt: now.Add(time.Hour), CreatedAt: at.Add(-2 * time.Hour),
			Offer:  closeloop.PointsOffer{PerAnswer: 50},
			Policy: closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "UTC"},
		}
		_, _, err := db.CreateSurvey(ctx, surveys[i], 0)
		return err
	})
	due, err := db.DueSurveys(ctx, now, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != n {
		t.Fatalf("%d surveys due, want %d", len(due), n)
	}
	run(func(i int) error {
		d := due[i]
		lease, _, err := db.Claim(ctx, d, now.Add(time.Minute), "h-"+d.Survey.SurveyID, "u-"+d.Survey.SurveyID)
		if err != nil {
			return err
		}
		_, err = db.MarkSent(ctx, lease, d.Survey.SendAt, d.Survey.ClosesAt, closeloop.Branding{}, "en")
		return err
	})
	run(func(i int) error {
		s := surveys[i]
		sentAt := s.SendAt
		s.Status, s.SentAt = closeloop.StatusSent, &sentAt
		r := closeloop.Response{Score: 1 + i%5, Points: 50}
		if i == 0 {
			r.Points = points
		}
		_, recorded, err := db.Answer(ctx, s, r, nil, now.Add(-time.Duration(i)*30*time.Minute))
		if err == nil && !recorded {
			err = fmt.Errorf("answer %s not recorded", s.SurveyID)
		}
		return err
	})
}

func TestResponsesExportStreamsEveryPage(t *testing.T) {
	f := apptest.New(t)
	const n = 450
	// The newest answer holds a negative number: in a numeric column it
	// is a value, never neutralised as text.
	seedResponses(t, f, n, -10)
	f.Counter.Reset()
	r := f.API(t, "GET", "/v1/responses?format=csv", "")
	counts := f.Counter.Counts()
	records := readCSV(t, r)
	rows := records[1:]
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	seen := map[string]bool{}
	for i, row := range rows {
		if seen[row[1]] {
			t.Fatalf("survey %s exported twice", row[1])
		}
		seen[row[1]] = true
		if want := fmt.Sprintf("s_bulk%04d", i); row[1] != want {
			t.Fatalf("row %d is %s, want %s (newest first)", i, row[1], want)
		}
	}
	if rows[0][10] != "-10" {
		t.Fatalf("points cell %q, want -10 as it is", rows[0][10])
	}
	// Pages, not one read per response nor one read of everything:
	// EachResponse reads dynamo.EachResponsePage at a time.
	pages := (n + dynamo.EachResponsePage - 1) / dynamo.EachResponsePage
	if counts["Query"] < pages || counts["Query"] > pages+1 || f.Counter.Total()-counts["Query"] > 2 {
		t.Fatalf("requests %v for %d responses, want %d or %d queries, the key and the store", counts, n, pages, pages+1)
	}
	// Streamed: the length was not known when the body started.
	if r.Header.Get("Content-Length") != "" {
		t.Fatalf("Content-Length %s: the export was buffered whole", r.Header.Get("Content-Length"))
	}
}
