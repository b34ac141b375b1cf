package pages_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

// sentTokens creates n sent surveys directly in the table and returns a
// survey link token for each.
func sentTokens(b *testing.B, f *apptest.Fixture, n int) []string {
	b.Helper()
	ctx := context.Background()
	now := f.Clock.Now()
	for i := range n {
		s := closeloop.Survey{
			SurveyID: secret.NewID("s"), StoreID: f.StoreID, OrderID: secret.NewID("bench-" + strconv.Itoa(i)),
			Customer: closeloop.Customer{Email: apptest.Email("bench")}, Status: closeloop.StatusScheduled,
			SendAt: now, ClosesAt: now.Add(24 * time.Hour), Offer: closeloop.PointsOffer{PerAnswer: 50, CommentBonus: 25, MinCommentLength: 20},
			Brand: f.Settings.Branding, DefaultLocale: "en",
		}
		if _, _, err := f.Product.DB.CreateSurvey(ctx, s, 0); err != nil {
			b.Fatal(err)
		}
	}
	due, err := f.Product.DB.DueSurveys(ctx, now, n)
	if err != nil || len(due) != n {
		b.Fatalf("%d due, want %d: %v", len(due), n, err)
	}
	tokens := make([]string, n)
	for i, d := range due {
		token, hash := secret.NewToken(d.Survey.SurveyID)
		_, unsubscribeHash := secret.NewToken(d.Survey.SurveyID)
		lease, result, err := f.Product.DB.Claim(ctx, d, now.Add(time.Minute), hash, unsubscribeHash)
		if err != nil || result != closeloop.Claimed {
			b.Fatalf("claim: %v %v", result, err)
		}
		if _, err := f.Product.DB.MarkSent(ctx, lease, now, d.Survey.ClosesAt, d.Survey.Brand, "en"); err != nil {
			b.Fatal(err)
		}
		tokens[i] = token
	}
	return tokens
}

// BenchmarkSurveyPageView is a customer opening a rating link: HTTP,
// one DynamoDB read, the page rendered.
func BenchmarkSurveyPageView(b *testing.B) {
	f := apptest.New(b)
	token := sentTokens(b, f, 1)[0]
	f.Counter.Reset()
	b.ResetTimer()
	for b.Loop() {
		if r := f.Do(b, "GET", "/s/"+token+"?score=4", "", "", ""); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
	}
	b.ReportMetric(float64(f.Counter.Total())/float64(b.N), "ddb-requests/op")
}

// BenchmarkSubmit is a customer sending an answer: one read, one
// transaction (survey, response, ledger, balance), the thank-you page.
func BenchmarkSubmit(b *testing.B) {
	f := apptest.New(b)
	const surveys = 200
	tokens := sentTokens(b, f, surveys)
	f.Counter.Reset()
	i, requests := 0, 0
	b.ResetTimer()
	for b.Loop() {
		if i == surveys {
			b.StopTimer()
			requests += f.Counter.Total() // the setup's requests are not counted
			tokens, i = sentTokens(b, f, surveys), 0
			f.Counter.Reset()
			b.StartTimer()
		}
		if r := f.Do(b, "POST", "/s/"+tokens[i], "", form, "score=4&comment=A+comment+long+enough+for+the+bonus"); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
		i++
	}
	b.ReportMetric(float64(requests+f.Counter.Total())/float64(b.N), "ddb-requests/op")
}
