// Package load measures the survey submit under concurrent load against
// the local stack (make bench): BenchmarkLoad runs once (-benchtime 1x),
// whatever b.N says, and writes its tables to $CLOSELOOP_BENCH_MD and its
// figures to $CLOSELOOP_BENCH_JSON (make bench sets both).
package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
)

const (
	submissions = 5000
	clients     = 64
	// references is how many bare transactions the reference times: enough
	// for a stable median at the same concurrency.
	references = 1000
	comment    = "A comment long enough for the bonus"
)

// sent is a sent survey and its link token.
type sent struct {
	surveyID string
	token    string
}

// seed creates n sent surveys in the fixture's table the way the product
// does (create, claim, mark sent), with workers in parallel.
func seed(b *testing.B, f *apptest.Fixture, n int) []sent {
	b.Helper()
	ctx := context.Background()
	now := f.Clock.Now()
	parallel(b, n, 16, func(i int) error {
		s := closeloop.Survey{
			SurveyID: secret.NewID("s"), StoreID: f.StoreID, OrderID: secret.NewID("load"),
			Customer: closeloop.Customer{Email: apptest.Email("load")}, Status: closeloop.StatusScheduled,
			SendAt: now, ClosesAt: now.Add(24 * time.Hour), Offer: closeloop.PointsOffer{PerAnswer: 50, CommentBonus: 25, MinCommentLength: 20},
			Brand: f.Settings.Branding, DefaultLocale: "en",
		}
		_, _, err := f.Product.DB.CreateSurvey(ctx, s, 0)
		return err
	})
	due, err := f.Product.DB.DueSurveys(ctx, now, n)
	if err != nil || len(due) != n {
		b.Fatalf("%d due, want %d: %v", len(due), n, err)
	}
	out := make([]sent, n)
	parallel(b, n, 16, func(i int) error {
		d := due[i]
		token, hash := secret.NewToken(d.Survey.SurveyID)
		_, unsubscribeHash := secret.NewToken(d.Survey.SurveyID)
		lease, result, err := f.Product.DB.Claim(ctx, d, now.Add(time.Minute), hash, unsubscribeHash)
		if err != nil || result != closeloop.Claimed {
			return fmt.Errorf("claim: %v %v", result, err)
		}
		if _, err := f.Product.DB.MarkSent(ctx, lease, now, d.Survey.ClosesAt, d.Survey.Brand, "en"); err != nil {
			return err
		}
		out[i] = sent{d.Survey.SurveyID, token}
		return nil
	})
	return out
}

// parallel runs do(0..n-1) on workers goroutines and records each call's
// duration; the first error fails b.
func parallel(b *testing.B, n, workers int, do func(i int) error) []time.Duration {
	b.Helper()
	times := make([]time.Duration, n)
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				start := time.Now()
				err := do(i)
				times[i] = time.Since(start)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
	return times
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// score is the score of submission i: 4 and 5 alternate, so the summary's
// distribution is checked as well as its total (neither opens a case).
func score(i int) int { return 4 + i%2 }

// BenchmarkLoad: 5,000 survey submissions from 64 concurrent clients
// against the product's HTTP handler on DynamoDB Local; the reference is
// the same answer transaction sent bare by as many clients, in the same run.
func BenchmarkLoad(b *testing.B) {
	f := apptest.New(b)
	ctx := context.Background()

	start := time.Now()
	surveys := seed(b, f, submissions+references)
	seeding := time.Since(start)
	load, refs := surveys[:submissions], surveys[submissions:]

	// The reference: the transaction the submit writes, built by the same
	// code, sent straight to DynamoDB Local.
	inputs := make([]*dynamodb.TransactWriteItemsInput, len(refs))
	for i, r := range refs {
		sv, err := f.Product.DB.Survey(ctx, r.surveyID)
		if err != nil {
			b.Fatal(err)
		}
		resp, problems := closeloop.Answer{Score: "4", Comment: comment}.Parse()
		if len(problems) > 0 {
			b.Fatal(problems)
		}
		resp.Points = sv.Offer.For(resp.Comment)
		if inputs[i], err = f.Product.DB.AnswerTransaction(sv, resp, nil, f.Clock.Now().Truncate(time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
	refTimes := parallel(b, len(refs), clients, func(i int) error {
		_, err := f.Client.TransactWriteItems(ctx, inputs[i])
		return err
	})

	// The load: each client posts the form as a browser would.
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	var errorsSeen atomic.Int64
	f.Counter.Reset()
	loadStart := time.Now()
	loadTimes := parallel(b, len(load), clients, func(i int) error {
		body := url.Values{"score": {fmt.Sprint(score(i))}, "comment": {comment}}.Encode()
		resp, err := httpClient.Post(f.Server.URL+"/s/"+load[i].token, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			errorsSeen.Add(1)
			return nil
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Thank") {
			errorsSeen.Add(1)
		}
		return nil
	})
	loadWall := time.Since(loadStart)
	requests := f.Counter.Total()

	// The counters: the stream delivers the answers to the summary.
	f.Settle(b)
	day := f.Clock.Now().UTC()
	q := "/v1/summary?from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	r := f.API(b, "GET", q, "")
	if r.Status != http.StatusOK {
		b.Fatalf("summary: %d %s", r.Status, r.Body)
	}
	var sum struct {
		Answered      int `json:"answered"`
		PointsAwarded int `json:"points_awarded"`
		CSAT          struct {
			Distribution map[string]int `json:"distribution"`
		} `json:"csat"`
	}
	if err := json.Unmarshal([]byte(r.Body), &sum); err != nil {
		b.Fatal(err)
	}
	// The reference's transactions are answers too (score 4, with the
	// bonus): the counters count them.
	answers, fours, fives := submissions+references, submissions/2+references, submissions/2
	points := answers * (50 + 25)
	exact := sum.Answered == answers && sum.CSAT.Distribution["4"] == fours &&
		sum.CSAT.Distribution["5"] == fives && sum.PointsAwarded == points

	p50, p99 := percentile(loadTimes, 0.5), percentile(loadTimes, 0.99)
	r50, r99 := percentile(refTimes, 0.5), percentile(refTimes, 0.99)
	ratio := float64(p50) / float64(r50)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	var md strings.Builder
	fmt.Fprintf(&md, "\n## Load: %d survey submissions, %d concurrent clients\n\n", submissions, clients)
	fmt.Fprintf(&md, "The product's HTTP handler (local.Product) on DynamoDB Local; the reference is the same answer transaction (dynamo AnswerTransaction) sent bare with TransactWriteItems by %d clients, %d times, in the same run. %d sent surveys seeded (create, claim, mark sent, 16 in parallel) in %.1f s.\n\n", clients, references, submissions+references, seeding.Seconds())
	fmt.Fprintf(&md, "| figure | value | target | verdict |\n|---|---:|---|---|\n")
	fmt.Fprintf(&md, "| errors | %d of %d | 0 | %s |\n", errorsSeen.Load(), submissions, verdict(errorsSeen.Load() == 0))
	fmt.Fprintf(&md, "| summary answered / 4s / 5s / points (submits + reference answers) | %d / %d / %d / %d | %d / %d / %d / %d | %s |\n", sum.Answered, sum.CSAT.Distribution["4"], sum.CSAT.Distribution["5"], sum.PointsAwarded, answers, fours, fives, points, verdict(exact))
	fmt.Fprintf(&md, "| submit p50 / p99 | %.1f / %.1f ms | | |\n", ms(p50), ms(p99))
	fmt.Fprintf(&md, "| bare TransactWriteItems p50 / p99 | %.1f / %.1f ms | | |\n", ms(r50), ms(r99))
	fmt.Fprintf(&md, "| submit p50 ÷ bare transaction p50 | %.2f | | |\n", ratio)
	fmt.Fprintf(&md, "| submits per second | %.0f (%.1f s) | | |\n", float64(submissions)/loadWall.Seconds(), loadWall.Seconds())
	fmt.Fprintf(&md, "| DynamoDB requests per submit | %.2f | | |\n", float64(requests)/submissions)
	writeResults(b, md.String(), map[string]any{
		"submissions": submissions, "clients": clients, "errors": errorsSeen.Load(), "summary_exact": exact,
		"p50_ms": ms(p50), "p99_ms": ms(p99), "bare_transact_p50_ms": ms(r50), "bare_transact_p99_ms": ms(r99),
		"p50_ratio": ratio, "submits_per_second": float64(submissions) / loadWall.Seconds(),
		"ddb_requests_per_submit": float64(requests) / submissions, "seed_seconds": seeding.Seconds(),
	}, "load")
	if errorsSeen.Load() != 0 || !exact {
		b.Errorf("%d errors; summary exact: %v (%s)", errorsSeen.Load(), exact, r.Body)
	}
}

var resultsMu sync.Mutex

// writeResults appends md to $CLOSELOOP_BENCH_MD (or logs it) and sets
// figures under key in the JSON object in $CLOSELOOP_BENCH_JSON, keeping
// the other benchmarks' keys.
func writeResults(b *testing.B, md string, figures map[string]any, key string) {
	b.Helper()
	resultsMu.Lock()
	defer resultsMu.Unlock()
	if path := os.Getenv("CLOSELOOP_BENCH_MD"); path != "" {
		file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		defer file.Close()
		if _, err := file.WriteString(md); err != nil {
			b.Fatal(err)
		}
	}
	b.Log(md)
	path := os.Getenv("CLOSELOOP_BENCH_JSON")
	if path == "" {
		return
	}
	all := map[string]any{}
	if data, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(data, &all); err != nil {
			b.Fatalf("%s: %v", path, err)
		}
	} else if !os.IsNotExist(err) {
		b.Fatal(err)
	}
	all[key] = figures
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		b.Fatal(err)
	}
}
