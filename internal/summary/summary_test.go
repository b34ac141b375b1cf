package summary_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

type summaryBody struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	Sent         int      `json:"sent"`
	Answered     int      `json:"answered"`
	ResponseRate *float64 `json:"response_rate"`
	CSAT         struct {
		Score        *float64       `json:"score"`
		Answers      int            `json:"answers"`
		Satisfied    int            `json:"satisfied"`
		Neutral      int            `json:"neutral"`
		Unsatisfied  int            `json:"unsatisfied"`
		Distribution map[string]int `json:"distribution"`
	} `json:"csat"`
	NPS struct {
		Score      *float64 `json:"score"`
		Answers    int      `json:"answers"`
		Promoters  int      `json:"promoters"`
		Detractors int      `json:"detractors"`
	} `json:"nps"`
	PointsAwarded int `json:"points_awarded"`
	Followups     struct {
		Opened             int      `json:"opened"`
		Resolved           int      `json:"resolved"`
		Open               *int     `json:"open"`
		Overdue            *int     `json:"overdue"`
		MeanHoursToResolve *float64 `json:"mean_hours_to_resolve"`
	} `json:"followups"`
	Daily []struct {
		Date     string `json:"date"`
		Sent     int    `json:"sent"`
		Answered int    `json:"answered"`
	} `json:"daily"`
}

func decode[T any](t *testing.T, r apptest.Response) T {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return v
}

// answer posts an order, sends its survey and answers it with form at the
// fixture's clock; it returns the customer's address.
func answer(t *testing.T, f *apptest.Fixture, id, form string, items ...closeloop.Item) string {
	t.Helper()
	email := apptest.Email(id)
	if len(items) == 0 {
		items = []closeloop.Item{{SKU: "MUG-1", Name: "Mug"}}
	}
	body, _ := json.Marshal(map[string]any{
		"order_id": id, "customer": map[string]string{"email": email},
		"items": items, "purchased_at": f.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
	})
	if r := f.API(t, "POST", "/v1/orders", string(body)); r.Status != http.StatusAccepted {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	f.Dispatch(t)
	if form != "" {
		if r := f.Do(t, "POST", f.SurveyPath(t, email), "", "application/x-www-form-urlencoded", form); r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
	}
	return email
}

func ptr(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprint(*f)
}

func TestSummaryCountsEachFactOnceAtOnce(t *testing.T) {
	f := apptest.New(t)
	today := f.Clock.Now().Format(closeloop.DayLayout)
	happy := answer(t, f, "s-happy", "score=5&nps=10&comment="+url.QueryEscape("Great mug, thank you so much!"))
	answer(t, f, "s-unhappy", "score=1&nps=3")
	answer(t, f, "s-neutral", "score=3")
	answer(t, f, "s-silent", "")
	// A second submit counts nothing.
	f.Do(t, "POST", f.SurveyPath(t, happy), "", "application/x-www-form-urlencoded", "score=1")

	sum := decode[summaryBody](t, f.API(t, "GET", "/v1/summary?from="+today+"&to="+today, ""))
	if sum.Sent != 4 || sum.Answered != 3 || ptr(sum.ResponseRate) != "0.75" {
		t.Fatalf("sent %d answered %d rate %s, want 4, 3, 0.75", sum.Sent, sum.Answered, ptr(sum.ResponseRate))
	}
	if d := sum.CSAT.Distribution; d["1"] != 1 || d["3"] != 1 || d["5"] != 1 || sum.CSAT.Answers != 3 ||
		sum.CSAT.Satisfied != 1 || sum.CSAT.Neutral != 1 || sum.CSAT.Unsatisfied != 1 || ptr(sum.CSAT.Score) != "33.3" {
		t.Fatalf("csat %+v score %s", sum.CSAT, ptr(sum.CSAT.Score))
	}
	if sum.NPS.Answers != 2 || sum.NPS.Promoters != 1 || sum.NPS.Detractors != 1 || ptr(sum.NPS.Score) != "0" {
		t.Fatalf("nps %+v", sum.NPS)
	}
	if sum.PointsAwarded != 75+50+50 {
		t.Fatalf("points %d, want 175", sum.PointsAwarded)
	}
	if fu := sum.Followups; fu.Opened != 1 || fu.Open == nil || *fu.Open != 1 || fu.Resolved != 0 {
		t.Fatalf("followups %+v", fu)
	}
	if len(sum.Daily) != 1 || sum.Daily[0].Sent != 4 || sum.Daily[0].Answered != 3 {
		t.Fatalf("daily %+v", sum.Daily)
	}

	// Resolving two hours later counts the resolution and its time.
	f.Settle(t)
	list := decode[struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}](t, f.API(t, "GET", "/v1/followups", ""))
	f.Clock.Advance(2 * time.Hour)
	f.API(t, "POST", "/v1/followups/"+list.Items[0].ID+"/resolve", `{"outcome":"resolved","reason":"other","resolution":"called"}`)
	sum = decode[summaryBody](t, f.API(t, "GET", "/v1/summary", ""))
	if fu := sum.Followups; fu.Resolved != 1 || *fu.Open != 0 || ptr(fu.MeanHoursToResolve) != "2" {
		t.Fatalf("after resolving: followups %+v (mean %s)", fu, ptr(fu.MeanHoursToResolve))
	}
	if len(sum.Daily) != 30 || sum.To != today {
		t.Fatalf("default range %s..%s with %d days, want the 30 days to today", sum.From, sum.To, len(sum.Daily))
	}
}

func TestAnsweredCountsOnTheSendDayScoresOnTheAnswerDay(t *testing.T) {
	f := apptest.New(t, func(s *closeloop.Settings) { s.TimeZone = "Pacific/Auckland" })
	email := answer(t, f, "s-late", "")
	sendDay := closeloop.Day(f.Clock.Now(), "Pacific/Auckland")
	path := f.SurveyPath(t, email)
	f.Clock.Advance(26 * time.Hour)
	if r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", "score=4"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	answerDay := closeloop.Day(f.Clock.Now(), "Pacific/Auckland")
	sent := decode[summaryBody](t, f.API(t, "GET", "/v1/summary?from="+sendDay+"&to="+sendDay, ""))
	if sent.Sent != 1 || sent.Answered != 1 || sent.CSAT.Answers != 0 {
		t.Fatalf("send day %s: sent %d answered %d csat answers %d; want 1, 1, 0", sendDay, sent.Sent, sent.Answered, sent.CSAT.Answers)
	}
	answered := decode[summaryBody](t, f.API(t, "GET", "/v1/summary?from="+answerDay+"&to="+answerDay, ""))
	if answered.Sent != 0 || answered.Answered != 0 || answered.CSAT.Distribution["4"] != 1 || answered.ResponseRate != nil {
		t.Fatalf("answer day %s: %+v", answerDay, answered)
	}
}

func TestProductsCountDistinctSKUsOnceAndWorstFirst(t *testing.T) {
	f := apptest.New(t)
	var repeated []closeloop.Item
	for i := range 50 {
		repeated = append(repeated, closeloop.Item{SKU: fmt.Sprintf("REP-%d", i%5), Name: fmt.Sprintf("Repeated %d", i%5)})
	}
	answer(t, f, "p-repeated", "score=2", repeated...)
	var distinct []closeloop.Item
	for i := range 50 {
		distinct = append(distinct, closeloop.Item{SKU: fmt.Sprintf("D-%02d", i), Name: fmt.Sprintf("Distinct %d", i)})
	}
	email := answer(t, f, "p-distinct", "", distinct...)
	sendDay := f.Clock.Now().Format(closeloop.DayLayout)
	f.Clock.Advance(48 * time.Hour)
	if r := f.Do(t, "POST", f.SurveyPath(t, email), "", "application/x-www-form-urlencoded", "score=5&nps=9"); r.Status != http.StatusOK {
		t.Fatalf("answer: %d", r.Status)
	}
	f.Settle(t)
	// The stream delivered again changes no count.
	if err := f.Product.RedeliverStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	today := f.Clock.Now().Format(closeloop.DayLayout)
	type productsBody struct {
		Items []struct {
			SKU      string `json:"sku"`
			Name     string `json:"name"`
			Sent     int    `json:"sent"`
			Answered int    `json:"answered"`
			CSAT     struct {
				Score        *float64       `json:"score"`
				Distribution map[string]int `json:"distribution"`
			} `json:"csat"`
		} `json:"items"`
	}
	got := decode[productsBody](t, f.API(t, "GET", "/v1/summary/products?from="+sendDay+"&to="+today, ""))
	if len(got.Items) != 55 {
		t.Fatalf("%d products, want 5 repeated + 50 distinct", len(got.Items))
	}
	for i, p := range got.Items {
		wantRepeated := i < 5 // worst first: the 2-star order's products
		if strings.HasPrefix(p.SKU, "REP-") != wantRepeated || p.Sent != 1 || p.Answered != 1 {
			t.Fatalf("product %d: %+v", i, p)
		}
		if wantRepeated && (p.CSAT.Distribution["2"] != 1 || ptr(p.CSAT.Score) != "0") {
			t.Fatalf("repeated SKU counted %v, want once", p.CSAT.Distribution)
		}
		if !wantRepeated && (p.CSAT.Distribution["5"] != 1 || p.Name == "") {
			t.Fatalf("distinct SKU %+v", p)
		}
	}
	// The distinct order's products were answered two days after the send:
	// the send day holds their answer, the answer day their score.
	onSendDay := decode[summaryBody](t, f.API(t, "GET", "/v1/summary?sku=D-07&from="+sendDay+"&to="+sendDay, ""))
	onAnswerDay := decode[summaryBody](t, f.API(t, "GET", "/v1/summary?sku=D-07&from="+today+"&to="+today, ""))
	if onSendDay.Sent != 1 || onSendDay.Answered != 1 || onSendDay.CSAT.Answers != 0 ||
		onAnswerDay.Answered != 0 || onAnswerDay.CSAT.Distribution["5"] != 1 || onAnswerDay.NPS.Promoters != 1 {
		t.Fatalf("sku D-07: send day %+v, answer day %+v", onSendDay, onAnswerDay)
	}
	if onSendDay.Followups.Open != nil {
		t.Error("a product's summary shows the store's open follow-ups")
	}
}

func TestBadRangesAreRefused(t *testing.T) {
	f := apptest.New(t)
	for _, tt := range []struct{ query, field string }{
		{"?from=2026-13-01", "from"},
		{"?to=yesterday", "to"},
		{"?from=2026-11-10&to=2026-11-01", "from"},
		{"?from=2020-01-01&to=2026-01-01", "from"},
	} {
		for _, path := range []string{"/v1/summary", "/v1/summary/products"} {
			r := f.API(t, "GET", path+tt.query, "")
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"`+tt.field+`"`) {
				t.Errorf("%s%s: %d %s, want 400 naming %s", path, tt.query, r.Status, r.Body, tt.field)
			}
		}
	}
}
