package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/cursor"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/testenv"
)

var _ storeapi.Responses = (*dynamo.DB)(nil)

// seeded is an answer to seed: a survey of its own answered at at.
type seeded struct {
	name  string
	store string
	at    time.Time
	items []closeloop.Item
	r     closeloop.Response
}

// seedAnswers records each answer through the adapter's own path: the
// survey is created, claimed from the due index, marked sent and answered.
func seedAnswers(t *testing.T, db *dynamo.DB, answers []seeded) {
	t.Helper()
	ctx := context.Background()
	surveys := map[string]closeloop.Survey{}
	latest := time.Time{}
	for _, a := range answers {
		s := closeloop.Survey{
			SurveyID: "s_" + a.name, StoreID: a.store, OrderID: "o-" + a.name,
			Customer: closeloop.Customer{Email: a.name + "@example.com", Name: "Ada " + a.name, Locale: "en"},
			Items:    a.items, Status: closeloop.StatusScheduled, PurchasedAt: a.at.Add(-time.Hour),
			SendAt: a.at.Add(-time.Minute), ClosesAt: a.at.Add(time.Hour), CreatedAt: a.at.Add(-time.Hour),
			Offer:  closeloop.PointsOffer{PerAnswer: 50},
			Policy: closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "UTC"},
		}
		if _, created, err := db.CreateSurvey(ctx, s, 0); err != nil || !created {
			t.Fatalf("create survey %s: %v %v", a.name, created, err)
		}
		surveys[s.SurveyID] = s
		if s.SendAt.After(latest) {
			latest = s.SendAt
		}
	}
	due, err := db.DueSurveys(ctx, latest, 1000)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, d := range due {
		s, ok := surveys[d.Survey.SurveyID]
		if !ok {
			continue
		}
		lease, _, err := db.Claim(ctx, d, s.SendAt.Add(time.Minute), "h-"+s.SurveyID, "u-"+s.SurveyID)
		if err != nil {
			t.Fatal(err)
		}
		if held, err := db.MarkSent(ctx, lease, s.SendAt, s.ClosesAt, closeloop.Branding{}, "en"); err != nil || !held {
			t.Fatalf("mark %s sent: %v %v", s.SurveyID, held, err)
		}
		sent++
	}
	if sent != len(answers) {
		t.Fatalf("%d of %d surveys came due", sent, len(answers))
	}
	for _, a := range answers {
		s := surveys["s_"+a.name]
		sentAt := s.SendAt
		s.Status, s.SentAt = closeloop.StatusSent, &sentAt
		if _, recorded, err := db.Answer(ctx, s, a.r, nil, a.at); err != nil || !recorded {
			t.Fatalf("answer %s: %v %v", a.name, recorded, err)
		}
	}
}

func nps(n int) *int { return &n }

// ids lists the survey IDs of items, without their s_ prefix.
func ids(items []closeloop.ResponseItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, strings.TrimPrefix(it.SurveyID, "s_"))
	}
	return out
}

// pageAll pages through f's responses limit at a time and returns them,
// failing on a short page before the last or a list that does not end.
func pageAll(t *testing.T, db *dynamo.DB, storeID string, f closeloop.ResponseFilter, limit int) []closeloop.ResponseItem {
	t.Helper()
	f.Limit, f.Cursor = limit, ""
	var all []closeloop.ResponseItem
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		items, next, err := db.Responses(context.Background(), storeID, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > limit {
			t.Fatalf("page of %d, limit %d", len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) < limit {
			t.Fatalf("a page of %d of %d has a next cursor", len(items), limit)
		}
		f.Cursor = next
	}
}

func wantInvalidCursor(t *testing.T, err error) {
	t.Helper()
	var e *closeloop.Error
	if !errors.As(err, &e) || e.Code != closeloop.EINVALID || e.Fields["cursor"] == "" {
		t.Fatalf("err %v, want EINVALID naming the cursor", err)
	}
}

func TestResponsesFilterAndPageNewestFirst(t *testing.T) {
	counter := &testenv.RequestCounter{}
	client := testenv.DynamoDB(t, counter.Register)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	mug, tee, hat := closeloop.Item{SKU: "MUG-1", Name: "Mug"}, closeloop.Item{SKU: "TEE-2", Name: "Tee"}, closeloop.Item{SKU: "CAP-3", Name: "Cap"}
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	seedAnswers(t, db, []seeded{
		{name: "a", store: "shop", at: at(1), items: []closeloop.Item{mug}, r: closeloop.Response{Score: 5, Comment: "great", Points: 75}},
		{name: "b", store: "shop", at: at(2), items: []closeloop.Item{mug, tee}, r: closeloop.Response{Score: 1, Points: 50}},
		{name: "c", store: "shop", at: at(3), items: []closeloop.Item{tee}, r: closeloop.Response{Score: 3, Comment: "ok", Points: 50}},
		{name: "d", store: "shop", at: at(4), r: closeloop.Response{Score: 1, Comment: "broken", Points: 50, ContactMe: true}},
		{name: "e", store: "shop", at: at(5), items: []closeloop.Item{hat}, r: closeloop.Response{Score: 4, NPS: nps(9), Points: 50}},
		{name: "before", store: "shop", at: at(-1), items: []closeloop.Item{mug}, r: closeloop.Response{Score: 1, Points: 50}},
		{name: "after", store: "shop", at: at(24), items: []closeloop.Item{mug}, r: closeloop.Response{Score: 1, Points: 50}},
		{name: "theirs", store: "other", at: at(3), items: []closeloop.Item{mug}, r: closeloop.Response{Score: 1, Comment: "x", Points: 50}},
	})
	yes, no := true, false
	inDay := closeloop.ResponseFilter{From: day, To: day.Add(24 * time.Hour)}
	with := func(change func(*closeloop.ResponseFilter)) closeloop.ResponseFilter {
		f := inDay
		change(&f)
		return f
	}
	tests := []struct {
		name   string
		filter closeloop.ResponseFilter
		want   []string
	}{
		{"the day", inDay, []string{"e", "d", "c", "b", "a"}},
		{"score 1", with(func(f *closeloop.ResponseFilter) { f.Scores = []int{1} }), []string{"d", "b"}},
		{"scores 1 and 5", with(func(f *closeloop.ResponseFilter) { f.Scores = []int{1, 5} }), []string{"d", "b", "a"}},
		{"sku", with(func(f *closeloop.ResponseFilter) { f.SKU = "TEE-2" }), []string{"c", "b"}},
		{"sku is a member, not a substring", with(func(f *closeloop.ResponseFilter) { f.SKU = "TEE" }), []string{}},
		{"with a comment", with(func(f *closeloop.ResponseFilter) { f.HasComment = &yes }), []string{"d", "c", "a"}},
		{"without a comment", with(func(f *closeloop.ResponseFilter) { f.HasComment = &no }), []string{"e", "b"}},
		{"all filters", with(func(f *closeloop.ResponseFilter) { f.Scores, f.SKU, f.HasComment = []int{1, 3}, "TEE-2", &yes }), []string{"c"}},
		{"from is in, to is out", with(func(f *closeloop.ResponseFilter) { f.From, f.To = at(3), at(5) }), []string{"d", "c"}},
		{"an empty range", with(func(f *closeloop.ResponseFilter) { f.From, f.To = at(3), at(3) }), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 50} {
				if got := ids(pageAll(t, db, "shop", tt.filter, limit)); !slices.Equal(got, tt.want) {
					t.Errorf("limit %d: %v, want %v", limit, got, tt.want)
				}
			}
			var each []closeloop.ResponseItem
			if err := db.EachResponse(ctx, "shop", tt.filter, func(it closeloop.ResponseItem) error {
				each = append(each, it)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if got := ids(each); !slices.Equal(got, tt.want) {
				t.Errorf("EachResponse: %v, want %v", got, tt.want)
			}
		})
	}

	// A response comes back as it was answered.
	items, _, err := db.Responses(ctx, "shop", with(func(f *closeloop.ResponseFilter) { f.Limit = 1 }))
	if err != nil {
		t.Fatal(err)
	}
	e := items[0]
	if e.StoreID != "shop" || e.OrderID != "o-e" || e.Customer.Email != "e@example.com" || e.Customer.Name != "Ada e" ||
		!slices.Equal(e.Items, []closeloop.Item{hat}) || !e.AnsweredAt.Equal(at(5)) ||
		e.Score != 4 || e.NPS == nil || *e.NPS != 9 || e.Points != 50 || e.Comment != "" {
		t.Fatalf("response %+v", e)
	}

	// A page reads no further than it needs: one query for a full page.
	counter.Reset()
	if _, next, err := db.Responses(ctx, "shop", with(func(f *closeloop.ResponseFilter) { f.Limit = 2 })); err != nil || next == "" {
		t.Fatalf("first page: %q %v", next, err)
	}
	if got := counter.Counts(); counter.Total() != 1 || got["Query"] != 1 {
		t.Fatalf("requests for one page %v, want one Query", got)
	}

	// An error from each stops the walk and comes back.
	stop := errors.New("stop")
	calls := 0
	err = db.EachResponse(ctx, "shop", inDay, func(closeloop.ResponseItem) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachResponse after an error: %v after %d calls", err, calls)
	}
}

func TestResponseCursorsStayInTheirList(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	var answers []seeded
	for i, store := range []string{"shop", "shop", "shop", "other", "other", "other"} {
		answers = append(answers, seeded{name: store + string(rune('a'+i)), store: store, at: day.Add(time.Duration(i+1) * time.Hour),
			r: closeloop.Response{Score: 2, Points: 50}})
	}
	seedAnswers(t, db, answers)
	f := closeloop.ResponseFilter{From: day, To: day.AddDate(0, 0, 1), Limit: 1, CursorKey: "shop's key"}
	_, next, err := db.Responses(ctx, "shop", f)
	if err != nil || next == "" {
		t.Fatalf("first page: %q %v", next, err)
	}
	ok := f
	ok.Cursor = next
	if items, _, err := db.Responses(ctx, "shop", ok); err != nil || len(items) != 1 {
		t.Fatalf("second page: %v %v", items, err)
	}

	other := closeloop.ResponseFilter{From: f.From, To: f.To, Limit: 1, CursorKey: "other's key"}
	_, theirs, err := db.Responses(ctx, "other", other)
	if err != nil || theirs == "" {
		t.Fatalf("other store's first page: %q %v", theirs, err)
	}
	// The payload as a client sees it, to forge from.
	payload, _, _ := strings.Cut(next, ".")
	plain, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	otherPK := strings.Replace(string(plain), "STORE#shop#", "STORE#other#", 1)
	tests := []struct {
		name   string
		change func(*closeloop.ResponseFilter)
	}{
		{"another store's cursor", func(f *closeloop.ResponseFilter) { f.Cursor = theirs }},
		{"signed with another key", func(f *closeloop.ResponseFilter) { f.Cursor, f.CursorKey = next, "rotated" }},
		{"changed payload", func(f *closeloop.ResponseFilter) {
			f.Cursor = base64.RawURLEncoding.EncodeToString([]byte(otherPK)) + next[len(payload):]
		}},
		{"unsigned", func(f *closeloop.ResponseFilter) { f.Cursor = payload }},
		{"truncated", func(f *closeloop.ResponseFilter) { f.Cursor = next[:len(next)-3] }},
		{"huge", func(f *closeloop.ResponseFilter) { f.Cursor = strings.Repeat(next, 100) }},
		// Without a key of its own a store signs with one anyone can
		// derive: the partition check still keeps it in its own list.
		{"derivable key, other partition", func(f *closeloop.ResponseFilter) {
			f.CursorKey = ""
			f.Cursor = cursor.Encode(cursor.StoreKey("shop", ""), map[string]string{"pk": "STORE#other#RESPONSES", "sk": stampOf(day.Add(5*time.Hour)) + "#s_othere"})
		}},
		{"another date range", func(f *closeloop.ResponseFilter) {
			f.Cursor = next
			f.From, f.To = day.AddDate(0, 0, -7), day.AddDate(0, 0, -6)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := f
			tt.change(&g)
			_, _, err := db.Responses(ctx, "shop", g)
			wantInvalidCursor(t, err)
		})
	}
	// A store without a key of its own still pages.
	legacy := closeloop.ResponseFilter{From: f.From, To: f.To}
	if got := ids(pageAll(t, db, "other", legacy, 1)); !slices.Equal(got, []string{"otherf", "othere", "otherd"}) {
		t.Fatalf("a store without a cursor key pages %v", got)
	}
}

// flipLast changes the last character of s.
func flipLast(s string) string {
	c := "A"
	if strings.HasSuffix(s, c) {
		c = "B"
	}
	return s[:len(s)-1] + c
}

func stampOf(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// TestCaseCursorsAreSigned: the follow-up list's cursors are signed with
// the store's key, and one of another store's list, or an unsigned one in
// the old form, is refused.
func TestCaseCursorsAreSigned(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	for _, id := range []string{"shop", "other"} {
		store := closeloop.Store{StoreID: id, Settings: closeloop.DefaultSettings(), CreatedAt: time.Now(), CursorKey: id + "'s key"}
		if err := db.CreateStore(ctx, store, closeloop.Key{KeyID: "k_" + id, StoreID: id, Role: closeloop.RoleOwner, Name: "o"}, "hash-"+id); err != nil {
			t.Fatal(err)
		}
	}
	var opened []string
	for _, name := range []string{"p1", "p2", "p3"} {
		opened = append(opened, openCase(t, db, name).CaseID)
	}
	var seen []string
	var first string
	f := closeloop.CaseFilter{Limit: 1, Now: time.Now()}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cases, next, err := db.Cases(ctx, "shop", f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			seen = append(seen, c.CaseID)
		}
		if next == "" {
			break
		}
		if first == "" {
			first = next
		}
		f.Cursor = next
	}
	slices.Sort(seen)
	slices.Sort(opened)
	if !slices.Equal(seen, opened) {
		t.Fatalf("paged %v, want %v", seen, opened)
	}
	payload, _, _ := strings.Cut(first, ".")
	for name, c := range map[string]string{
		"another store's list": first,
		"unsigned, as before":  payload,
		"tampered":             flipLast(first),
	} {
		store := "shop"
		if name == "another store's list" {
			store = "other"
		}
		_, _, err := db.Cases(ctx, store, closeloop.CaseFilter{Limit: 1, Cursor: c})
		wantInvalidCursor(t, err)
	}
	// The active list's cursor means nothing in the resolved list.
	_, _, err := db.Cases(ctx, "shop", closeloop.CaseFilter{Status: "resolved", Limit: 1, Cursor: first})
	wantInvalidCursor(t, err)
}
