// Package summary is what store owners read: satisfaction over a range of
// their store's days (CSAT, NPS, response rate, points, follow-ups, and
// day by day), and products worst first. It reads pre-aggregated counters
// only, never the responses themselves, so its cost does not grow with
// the number of answers.
package summary

import (
	"context"
	"slices"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Counters reads the counters. The DynamoDB adapter implements it.
type Counters interface {
	StoreTallies(ctx context.Context, storeID, from, to string) (map[string]closeloop.Tally, error)
	CaseLoad(ctx context.Context, storeID string) (closeloop.CaseLoad, error)
	ProductMonth(ctx context.Context, storeID, month string) (map[string]closeloop.ProductTally, error)
	ProductDays(ctx context.Context, storeID, from, to string) ([]closeloop.ProductTally, error)
	ProductTallyDays(ctx context.Context, storeID, sku string, days []string) (map[string]closeloop.Tally, string, error)
}

// Service summarises stores.
type Service struct {
	counters Counters
	now      func() time.Time
}

// New returns a Service; now is the clock.
func New(counters Counters, now func() time.Time) *Service {
	return &Service{counters: counters, now: now}
}

// Today is the store's day now.
func (s *Service) Today(store closeloop.Store) string {
	return closeloop.Day(s.now(), store.Settings.TimeZone)
}

// Summary summarises a store's range; with sku, that product's.
func (s *Service) Summary(ctx context.Context, store closeloop.Store, r closeloop.DayRange, sku string) (closeloop.Summary, error) {
	set := store.Settings
	if sku != "" {
		tallies, _, err := s.counters.ProductTallyDays(ctx, store.StoreID, sku, r.Each())
		if err != nil {
			return closeloop.Summary{}, err
		}
		sum := closeloop.Summarize(r.From, r.To, set.TimeZone, tallies, set.CSATThreshold, nil)
		sum.SKU = &sku
		return sum, nil
	}
	sums, err := s.summarize(ctx, store, r)
	if err != nil {
		return closeloop.Summary{}, err
	}
	return sums[0], nil
}

// Compare summarises the store's numbers over cur and over prev (the range
// its changes are shown against): of one product (sku) as Summary does,
// else from one read of the day counters spanning both ranges and one of
// the case load, half the requests of two Summary calls.
func (s *Service) Compare(ctx context.Context, store closeloop.Store, cur, prev closeloop.DayRange, sku string) (closeloop.Summary, closeloop.Summary, error) {
	if sku != "" {
		a, err := s.Summary(ctx, store, cur, sku)
		if err != nil {
			return closeloop.Summary{}, closeloop.Summary{}, err
		}
		b, err := s.Summary(ctx, store, prev, sku)
		return a, b, err
	}
	sums, err := s.summarize(ctx, store, cur, prev)
	if err != nil {
		return closeloop.Summary{}, closeloop.Summary{}, err
	}
	return sums[0], sums[1], nil
}

// summarize summarises the store's numbers over each range, from one read
// of the day counters from the first day of any to the last, and one of
// the case load.
func (s *Service) summarize(ctx context.Context, store closeloop.Store, ranges ...closeloop.DayRange) ([]closeloop.Summary, error) {
	from, to := ranges[0].From, ranges[0].To
	for _, r := range ranges[1:] {
		if r.From.Before(from) {
			from = r.From
		}
		if r.To.After(to) {
			to = r.To
		}
	}
	tallies, err := s.counters.StoreTallies(ctx, store.StoreID, from.Format(closeloop.DayLayout), to.Format(closeloop.DayLayout))
	if err != nil {
		return nil, err
	}
	load, err := s.counters.CaseLoad(ctx, store.StoreID)
	if err != nil {
		return nil, err
	}
	set := store.Settings
	sums := make([]closeloop.Summary, len(ranges))
	for i, r := range ranges {
		sums[i] = closeloop.Summarize(r.From, r.To, set.TimeZone, tallies, set.CSATThreshold, &load)
	}
	return sums, nil
}

// Products lists the products answered about (or sent) in the range,
// worst first: lowest CSAT, then most answers. A month wholly in the range
// is read from its roll-up, the others day by day.
func (s *Service) Products(ctx context.Context, store closeloop.Store, r closeloop.DayRange) ([]closeloop.ProductSummary, error) {
	totals := map[string]closeloop.Tally{}
	names := map[string]string{}
	for month := time.Date(r.From.Year(), r.From.Month(), 1, 0, 0, 0, 0, time.UTC); !month.After(r.To); month = month.AddDate(0, 1, 0) {
		first, last := month, month.AddDate(0, 1, -1)
		monthly, err := s.counters.ProductMonth(ctx, store.StoreID, month.Format("2006-01"))
		if err != nil {
			return nil, err
		}
		for sku, pt := range monthly {
			names[sku] = pt.Name
		}
		if !first.Before(r.From) && !last.After(r.To) {
			for sku, pt := range monthly {
				t := totals[sku]
				t.Add(pt.Tally)
				totals[sku] = t
			}
			continue
		}
		days, err := s.counters.ProductDays(ctx, store.StoreID, maxTime(first, r.From).Format(closeloop.DayLayout), minTime(last, r.To).Format(closeloop.DayLayout))
		if err != nil {
			return nil, err
		}
		for _, pt := range days {
			t := totals[pt.SKU]
			t.Add(pt.Tally)
			totals[pt.SKU] = t
		}
	}
	items := make([]closeloop.ProductSummary, 0, len(totals))
	for sku, t := range totals {
		if t.Zero() {
			continue
		}
		items = append(items, closeloop.SummarizeProduct(sku, names[sku], t, store.Settings.CSATThreshold))
	}
	slices.SortFunc(items, closeloop.WorstFirst)
	return items, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
