package load_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
)

// summaryDays is the summary's span; summaryRuns how many times each
// store's summary is read, alternating between the stores.
const (
	summaryDays = 365
	summaryRuns = 30
	// scalingTarget is the limit on 100k answers' median ÷ 1k's.
	scalingTarget = 1.2
)

// seedHistory counts answers spread evenly over the summaryDays days up to
// last in the store's day counters, through the counters' own writing code
// (AddStoreTallies, for seeding and backfills), answer i on shard i%4 as
// the stream would spread them. The summary reads only these counters
// (never the answers), so this is the stored shape it reads for that many
// answers.
// It returns how many counter items that makes.
func seedHistory(b *testing.B, f *apptest.Fixture, answers int, last time.Time) int {
	b.Helper()
	byID := map[string]closeloop.Tallies{}
	for i := range answers {
		day := last.AddDate(0, 0, -(i % summaryDays)).Format(time.DateOnly)
		id := fmt.Sprintf("seed-%d", (i/summaryDays)%4)
		ts := byID[id]
		if ts == nil {
			ts = closeloop.Tallies{}
			byID[id] = ts
		}
		t := ts[day]
		t.Sent++
		t.Answered++
		t.CSAT[3+i%2]++
		t.Points += 50
		ts[day] = t
	}
	items := 0
	for id, ts := range byID {
		if err := f.Product.DB.AddStoreTallies(context.Background(), f.StoreID, id, ts); err != nil {
			b.Fatal(err)
		}
		items += len(ts)
	}
	return items
}

// BenchmarkSummaryScaling: the 365-day summary of a store with 1,000
// answers beside one with 100,000, read alternately in the same run.
func BenchmarkSummaryScaling(b *testing.B) {
	// 10,000 shows where the counters stop growing: every day's four
	// shards hold some.
	sizes := []int{1000, 10000, 100000}
	fixtures := make([]*apptest.Fixture, len(sizes))
	items := make([]int, len(sizes))
	var q string
	for i, n := range sizes {
		f := apptest.New(b)
		last := f.Clock.Now().UTC()
		q = "/v1/summary?from=" + last.AddDate(0, 0, -(summaryDays-1)).Format(time.DateOnly) + "&to=" + last.Format(time.DateOnly)
		items[i] = seedHistory(b, f, n, last)
		// The answers are all there before timing starts.
		r := f.API(b, "GET", q, "")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`"answered":%d,`, n)) {
			b.Fatalf("summary of %d answers: %d %.300s", n, r.Status, r.Body)
		}
		fixtures[i] = f
	}
	times := make([][]time.Duration, len(sizes))
	requests := make([]float64, len(sizes))
	for range summaryRuns {
		for i, f := range fixtures {
			f.Counter.Reset()
			start := time.Now()
			if r := f.API(b, "GET", q, ""); r.Status != http.StatusOK {
				b.Fatalf("summary: %d %s", r.Status, r.Body)
			}
			times[i] = append(times[i], time.Since(start))
			requests[i] += float64(f.Counter.Total()) / summaryRuns
		}
	}
	small, large := percentile(times[0], 0.5), percentile(times[len(sizes)-1], 0.5)
	ratio := float64(large) / float64(small)
	var md strings.Builder
	fmt.Fprintf(&md, "\n## Summary scaling: the %d-day summary (GET /v1/summary), %d reads each, alternating\n\n", summaryDays, summaryRuns)
	fmt.Fprintf(&md, "The summary reads the store's day counters (4 shards a day), never the answers: the answers are seeded as counters through AddStoreTallies, spread evenly over the days and shards. Whatever the answers, the summary reads at most 365 × 4 counter items; a store with fewer answers than that reads fewer, so the figures stop growing at about 1,460 answers a year.\n\n")
	fmt.Fprintf(&md, "| answers | counter items | median | p90 | DynamoDB requests |\n|---:|---:|---:|---:|---:|\n")
	for i, n := range sizes {
		fmt.Fprintf(&md, "| %d | %d | %.1f ms | %.1f ms | %.1f |\n", n, items[i], ms(percentile(times[i], 0.5)), ms(percentile(times[i], 0.9)), requests[i])
	}
	verdict := "met"
	if ratio > scalingTarget {
		verdict = "MISSED"
	}
	fmt.Fprintf(&md, "\nMedian 100k ÷ median 1k: %.2f (target ≤ 1.2: %s).\n", ratio, verdict)
	writeResults(b, md.String(), map[string]any{
		"days": summaryDays, "runs": summaryRuns,
		"median_ms_1k": ms(small), "median_ms_10k": ms(percentile(times[1], 0.5)), "median_ms_100k": ms(large),
		"requests_1k": requests[0], "requests_100k": requests[2], "ratio": ratio,
		"items_1k": items[0], "items_100k": items[2], "ratio_target": scalingTarget, "ratio_met": ratio <= scalingTarget,
	}, "summary_scaling")
}
