package load_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/sesmail"
	"github.com/closeloop/closeloop/internal/stores"
)

const (
	dispatchSurveys = 2000
	dispatchStores  = 5
	// ceilingSurveys are sent first with no account limit: the fastest
	// this stack sends, one after another as dispatch does.
	ceilingSurveys = 200
	// fairShare is the least share of the sends in any tenth of the run
	// a store may get without being starved (a fair share is 20 %).
	fairShare = 0.15
)

// recordingMailer is the SES mailer, noting when each send started and to
// whom.
type recordingMailer struct {
	closeloop.Mailer
	mu    sync.Mutex
	sends []send
}

type send struct {
	at time.Time
	to string
}

func (m *recordingMailer) Send(ctx context.Context, msg closeloop.Message) (string, error) {
	m.mu.Lock()
	m.sends = append(m.sends, send{time.Now(), msg.To})
	m.mu.Unlock()
	return m.Mailer.Send(ctx, msg)
}

// dueSurveys creates n scheduled surveys due now, spread over storeIDs in
// turn, noting each customer's store in storeOf.
func dueSurveys(b *testing.B, f *apptest.Fixture, storeIDs []string, n int, storeOf map[string]string) {
	b.Helper()
	now := f.Clock.Now()
	var mu sync.Mutex
	parallel(b, n, 16, func(i int) error {
		s := closeloop.Survey{
			SurveyID: secret.NewID("s"), StoreID: storeIDs[i%len(storeIDs)], OrderID: secret.NewID("disp"),
			Customer: closeloop.Customer{Email: apptest.Email("disp")}, Status: closeloop.StatusScheduled,
			SendAt: now, ClosesAt: now.Add(24 * time.Hour), Offer: closeloop.PointsOffer{PerAnswer: 50},
			Brand: f.Settings.Branding, DefaultLocale: "en",
		}
		mu.Lock()
		storeOf[s.Customer.Email] = s.StoreID
		mu.Unlock()
		_, _, err := f.Product.DB.CreateSurvey(context.Background(), s, 0)
		return err
	})
}

// BenchmarkDispatch: 2,000 due surveys across 5 stores sent by the
// dispatcher at an account rate two thirds of the fastest it sends on this stack,
// measured in the same run.
func BenchmarkDispatch(b *testing.B) {
	f := apptest.New(b)
	ctx := context.Background()
	storeIDs := []string{f.StoreID}
	for i := 1; i < dispatchStores; i++ {
		id := fmt.Sprintf("shop-disp%d-%s", i, strings.ToLower(secret.NewID("x")[2:8]))
		if _, _, err := stores.Create(ctx, f.Product.DB, id, f.Settings, f.Clock.Now()); err != nil {
			b.Fatal(err)
		}
		storeIDs = append(storeIDs, id)
	}
	renderer, err := render.New()
	if err != nil {
		b.Fatal(err)
	}
	db := f.Product.FunctionDB("dispatch")
	mailer := &recordingMailer{Mailer: sesmail.New(f.Product.FunctionClients("dispatch").SES, f.Product.Config.ConfigurationSet)}
	dispatcher := func(rate float64) *dispatch.Dispatcher {
		return dispatch.New(db, db, mailer, renderer, dispatch.Config{
			PublicBaseURL: f.Product.Config.PublicBaseURL, DefaultSender: f.Product.Config.SenderAddress,
			AccountRate: rate, Batch: dispatchSurveys,
		}, time.Now)
	}
	storeOf := map[string]string{}

	// The ceiling: as fast as the stack lets dispatch send.
	dueSurveys(b, f, storeIDs, ceilingSurveys, storeOf)
	f.Counter.Reset()
	start := time.Now()
	rep, err := dispatcher(math.MaxFloat64).Run(ctx)
	if err != nil || rep.Sent != ceilingSurveys {
		b.Fatalf("ceiling run sent %d of %d: %v", rep.Sent, ceilingSurveys, err)
	}
	ceilingTime := time.Since(start)
	ceiling := float64(ceilingSurveys) / ceilingTime.Seconds()
	transacts := float64(f.Counter.Counts()["TransactWriteItems"]) / ceilingTime.Seconds()
	rate := math.Floor(ceiling * 2 / 3)

	dueSurveys(b, f, storeIDs, dispatchSurveys, storeOf)
	mailer.sends = nil
	start = time.Now()
	if rep, err = dispatcher(rate).Run(ctx); err != nil || rep.Sent != dispatchSurveys {
		b.Fatalf("sent %d of %d: %v", rep.Sent, dispatchSurveys, err)
	}
	sends := mailer.sends
	first, last := sends[0].at, sends[len(sends)-1].at
	achieved := float64(len(sends)-1) / last.Sub(first).Seconds()
	// The most sends in any one second: the window starting at each send.
	most := 0
	for i, s := range sends {
		j, _ := slices.BinarySearchFunc(sends[i:], s.at.Add(time.Second), func(x send, t time.Time) int { return x.at.Compare(t) })
		most = max(most, j)
	}
	// Each store's share of the sends in each tenth of the run.
	const slices10 = 10
	span := last.Sub(first) + time.Nanosecond
	share := make([][]int, slices10)
	for k := range share {
		share[k] = make([]int, len(storeIDs))
	}
	index := map[string]int{}
	for i, id := range storeIDs {
		index[id] = i
	}
	for _, s := range sends {
		share[int(s.at.Sub(first)*slices10/span)][index[storeOf[s.to]]]++
	}
	minShare, maxShare := 1.0, 0.0
	for _, counts := range share {
		total := 0
		for _, c := range counts {
			total += c
		}
		for _, c := range counts {
			minShare = min(minShare, float64(c)/float64(total))
			maxShare = max(maxShare, float64(c)/float64(total))
		}
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	rateOK, windowOK, fairOK := achieved >= 0.95*rate, float64(most) <= rate, minShare >= fairShare
	var md strings.Builder
	fmt.Fprintf(&md, "\n## Dispatch: %d due surveys across %d stores\n\n", dispatchSurveys, dispatchStores)
	fmt.Fprintf(&md, "One dispatch run (the dispatcher over DynamoDB Local and the SES emulator, send times recorded by a wrapper of the SES mailer). The ceiling first, in the same run: %d surveys sent with no account limit, one after another as dispatch sends, at %.1f sends/s (%.1f DynamoDB Local transactions/s); the account rate (SES_MAX_SEND_RATE) set to two thirds of that, rounded down.\n\n", ceilingSurveys, ceiling, transacts)
	fmt.Fprintf(&md, "| figure | value | target | verdict |\n|---|---:|---|---|\n")
	fmt.Fprintf(&md, "| set account rate | %.0f /s | below the ceiling %.1f /s | %s |\n", rate, ceiling, verdict(rate < ceiling))
	fmt.Fprintf(&md, "| achieved rate | %.2f /s (%.1f%%) over %.1f s | ≥ 95%% of the set rate | %s |\n", achieved, 100*achieved/rate, last.Sub(first).Seconds(), verdict(rateOK))
	fmt.Fprintf(&md, "| most sends in any one-second window | %d | ≤ %.0f | %s |\n", most, rate, verdict(windowOK))
	fmt.Fprintf(&md, "| each store's share in each tenth of the run | %.1f%% – %.1f%% | none starved (20%% each) | %s |\n", 100*minShare, 100*maxShare, verdict(fairOK))
	writeResults(b, md.String(), map[string]any{
		"surveys": dispatchSurveys, "stores": dispatchStores, "ceiling_sends_per_second": ceiling,
		"ceiling_transactions_per_second": transacts, "set_rate": rate, "achieved_rate": achieved,
		"max_in_one_second": most, "min_store_share": minShare, "max_store_share": maxShare,
		"below_ceiling": rate < ceiling, "rate_met": rateOK, "window_met": windowOK, "fair_met": fairOK, "fair_share_target": fairShare,
	}, "dispatch")
	if !rateOK || !windowOK || !fairOK {
		b.Errorf("dispatch targets missed: rate %v, window %v, fair %v", rateOK, windowOK, fairOK)
	}
}
