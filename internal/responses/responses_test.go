package responses_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/responses"
)

func TestParse(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 UTC on 30 March is already the 31st in Berlin.
	now := time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		query      string
		from, to   string
		fromAt     time.Time
		toAt       time.Time
		scores     []int
		hasComment string // "", "true", "false"
		csv        bool
		bad        []string
	}{
		{query: "", from: "2026-03-02", to: "2026-03-31",
			fromAt: time.Date(2026, 3, 2, 0, 0, 0, 0, berlin), toAt: time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)},
		// The day clocks go forward is 23 hours long.
		{query: "from=2026-03-29&to=2026-03-29&format=csv", from: "2026-03-29", to: "2026-03-29", csv: true,
			fromAt: time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), toAt: time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC)},
		{query: "score=1,2&score=2&has_comment=true", from: "2026-03-02", to: "2026-03-31", scores: []int{1, 2}, hasComment: "true",
			fromAt: time.Date(2026, 3, 2, 0, 0, 0, 0, berlin), toAt: time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)},
		{query: "from=2026-04-02&to=2026-04-01", bad: []string{"from"}},
		{query: "from=2020-01-01&to=2026-04-01", bad: []string{"from"}},
		{query: "to=yesterday", bad: []string{"to"}},
		{query: "score=0&has_comment=yes&format=xml&sku=" + strings.Repeat("x", 129), bad: []string{"format", "has_comment", "score", "sku"}},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		req, p := responses.Parse(q, berlin, now)
		var bad []string
		for field := range p {
			bad = append(bad, field)
		}
		slices.Sort(bad)
		if !slices.Equal(bad, tt.bad) {
			t.Errorf("%q: problems %v, want %v", tt.query, p, tt.bad)
		}
		if len(tt.bad) > 0 {
			continue
		}
		has := ""
		if req.Filter.HasComment != nil {
			has = map[bool]string{true: "true", false: "false"}[*req.Filter.HasComment]
		}
		if req.From != tt.from || req.To != tt.to || !req.Filter.From.Equal(tt.fromAt) || !req.Filter.To.Equal(tt.toAt) ||
			!slices.Equal(req.Filter.Scores, tt.scores) || has != tt.hasComment || req.CSV != tt.csv {
			t.Errorf("%q: %+v", tt.query, req)
		}
	}
}

func TestRowNeutralisesFormulas(t *testing.T) {
	nps := 0
	got := responses.Row(closeloop.ResponseItem{
		SurveyID: "s_1", OrderID: "=1+1", Customer: closeloop.Customer{Email: "a@example.com", Name: "@Bob", Locale: "en"},
		Items:      []closeloop.Item{{SKU: "-X", Name: "Mug"}, {SKU: "Y", Name: "Tee"}},
		AnsweredAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("X", 3600)),
		Response:   closeloop.Response{Score: 1, NPS: &nps, Comment: "+call me", ContactMe: true, Points: 50, CaseID: "c_1"},
	})
	want := []string{"2026-03-01T09:00:00Z", "s_1", "'=1+1", "a@example.com", "'@Bob", "en", "1", "0", "'+call me", "true", "50", "c_1", "'-X; Y", "Mug; Tee"}
	if !slices.Equal(got, want) {
		t.Errorf("row %q\nwant %q", got, want)
	}
	if len(got) != len(responses.Header) {
		t.Errorf("%d cells, %d columns", len(got), len(responses.Header))
	}
}
