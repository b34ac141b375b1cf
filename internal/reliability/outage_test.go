package reliability_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestDynamoDBKilledAndRestartedUnderLoad runs the product on a DynamoDB
// Local of its own, keeping its data in files, while clients answer
// surveys and post orders. A quarter of the way in, DynamoDB Local is
// killed (SIGKILL) and, a moment later, started again on the same files.
// Meanwhile every request is answered 503 with code unavailable (the
// pages: their 503) and a Retry-After header, never 500; the clients send
// again until it succeeds. Afterwards nothing is half-written or lost:
// every survey answered once with its points and counters, every order
// holding one survey, which is sent once.
//
// Not parallel: the fixture reaches its own DynamoDB Local through the
// environment (t.Setenv).
func TestDynamoDBKilledAndRestartedUnderLoad(t *testing.T) {
	started := time.Now()
	ddb := testenv.StartDynamoDB(t)
	t.Setenv(testenv.EnvDynamoDBURL, ddb.URL)
	f := newFixture(t)
	answers, orders := scale(40, 400), scale(40, 400)
	const workers = 8

	emails := make([]string, answers)
	for i := range emails {
		emails[i] = apptest.Email("outage")
	}
	postOrders(t, f, "before", emails)
	dispatchAll(t, f)
	paths := surveyPaths(t, f, emails)
	customers := make([]string, orders)
	surveyIDs := make([]string, orders)

	// Each operation is one request, sent until it succeeds.
	type operation struct {
		method, path, key, contentType, body string
		ok                                   func(r apptest.Response) bool
		doneAt                               *time.Time
	}
	ops := make([]operation, 0, answers+orders)
	for i, path := range paths {
		ops = append(ops, operation{"POST", path, "", form, "score=" + itoa(4+i%2), func(r apptest.Response) bool {
			return r.Status == http.StatusOK && strings.Contains(r.Body, "You earned 50 points!")
		}, nil})
	}
	for j := range orders {
		customers[j] = apptest.Email("during")
		ops = append(ops, operation{"POST", "/v1/orders", f.APIKey, "application/json", apptest.Order("during-"+itoa(j), customers[j]),
			func(r apptest.Response) bool {
				if r.Status != http.StatusAccepted && r.Status != http.StatusOK {
					return false
				}
				surveyIDs[j] = decode[surveysBody](t, r).Surveys[0].SurveyID
				return true
			}, nil})
	}
	answeredAt, postedAt := make([]time.Time, answers), make([]time.Time, orders)
	for k := range ops {
		if k < answers {
			ops[k].doneAt = &answeredAt[k]
		} else {
			ops[k].doneAt = &postedAt[k-answers]
		}
	}
	rand.Shuffle(len(ops), func(a, b int) { ops[a], ops[b] = ops[b], ops[a] })

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // a slow restart on a loaded machine
	defer cancel()
	client := &http.Client{Timeout: 20 * time.Second}
	var (
		done, unavailable atomic.Int64
		mu                sync.Mutex
		faults            []string
	)
	fault := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(faults) < 10 {
			faults = append(faults, s)
		}
	}
	send := func(op operation) (apptest.Response, error) {
		req, err := http.NewRequestWithContext(ctx, op.method, f.Server.URL+op.path, strings.NewReader(op.body))
		if err != nil {
			return apptest.Response{}, err
		}
		req.Header.Set("Content-Type", op.contentType)
		if op.key != "" {
			req.Header.Set("Authorization", "Bearer "+op.key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return apptest.Response{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, err
	}
	queue := make(chan operation)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := range queue {
				for {
					r, err := send(op)
					if err != nil {
						fault(op.method + " " + op.path + ": " + err.Error())
						break
					}
					if op.ok(r) {
						*op.doneAt = time.Now()
						done.Add(1)
						break
					}
					if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
						(op.key != "" && !strings.Contains(r.Body, `"code":"unavailable"`)) {
						fault(op.method + " " + op.path + ": " + itoa(r.Status) + " Retry-After " + r.Header.Get("Retry-After") + " " + r.Body)
						break
					}
					unavailable.Add(1)
					// Retry-After says 5 s; the test's clients come back sooner.
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	go func() {
		defer close(queue)
		for _, op := range ops {
			select {
			case queue <- op:
			case <-ctx.Done():
				return
			}
		}
	}()

	for done.Load() < int64(len(ops)/2) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	killedAt, doneAtKill := time.Now(), done.Load()
	ddb.Kill(t)
	time.Sleep(1500 * time.Millisecond) // the clients keep going, against nothing
	restartedAt := time.Now()
	ddb.Start(t)
	down := time.Since(killedAt)
	wg.Wait()
	t.Logf("%d operations (%d done when killed), %d answered 503, DynamoDB Local down %v, whole test %v",
		len(ops), doneAtKill, unavailable.Load(), down.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	if len(faults) > 0 {
		t.Fatalf("%d of %d operations done; faults:\n%s", done.Load(), len(ops), strings.Join(faults, "\n"))
	}
	if done.Load() != int64(len(ops)) {
		t.Fatalf("%d of %d operations done within the time", done.Load(), len(ops))
	}
	if unavailable.Load() == 0 {
		t.Fatal("no request met the outage: the test proved nothing")
	}

	// DynamoDB Local acknowledges a write a moment before it is in its
	// files: writes acknowledged up to about 100 ms before the SIGKILL were
	// seen gone after the restart (whole: the survey unanswered, no points,
	// no counters). Real DynamoDB acknowledges only durable writes. So an
	// operation acknowledged in the last second before the kill may be
	// lost here, but never half; every other one must be there. (One
	// answered between the kill and the restart was acknowledged before
	// the kill, its answer still on its way.)
	lossWindow := func(at time.Time) bool { return at.After(killedAt.Add(-time.Second)) && at.Before(restartedAt) }

	// Nothing half-written: every survey answered once with its points and
	// its counters, or (lost by the emulator) not at all.
	var lostAnswers []int
	for i, e := range emails {
		p := pointsOf(t, f, e)
		switch {
		case p.Balance == 50 && len(p.Ledger) == 1:
		case p.Balance == 0 && len(p.Ledger) == 0 && lossWindow(answeredAt[i]):
			lostAnswers = append(lostAnswers, i)
		default:
			t.Errorf("customer %d (answered %v after the kill): points %+v, want 50 awarded once", i, answeredAt[i].Sub(killedAt), p)
		}
	}
	kept := answers - len(lostAnswers)
	if sum := today(t, f); sum.Answered != kept || sum.CSAT.Answers != kept || sum.PointsAwarded != 50*kept {
		t.Errorf("summary %+v, want %d answers and %d points (%d lost by the emulator)", sum, kept, 50*kept, len(lostAnswers))
	}
	// The customers whose answers the emulator lost send them again.
	for _, i := range lostAnswers {
		if r := f.Do(t, "POST", paths[i], "", form, "score=5"); r.Status != http.StatusOK || !strings.Contains(r.Body, "You earned 50 points!") {
			t.Errorf("customer %d answering again: %d", i, r.Status)
		}
	}
	if sum := today(t, f); sum.Answered != answers || sum.PointsAwarded != 50*answers {
		t.Errorf("summary %+v, want %d answers and %d points", sum, answers, 50*answers)
	}
	// Nothing lost: every order holds the one survey its post returned (or,
	// lost by the emulator, none until posted again), which goes out once.
	lostOrders := 0
	for j, id := range surveyIDs {
		r := f.API(t, "POST", "/v1/orders", apptest.Order("during-"+itoa(j), customers[j]))
		switch {
		case r.Status == http.StatusOK && decode[surveysBody](t, r).Surveys[0].SurveyID == id:
		case r.Status == http.StatusAccepted && lossWindow(postedAt[j]):
			lostOrders++
		default:
			t.Errorf("order %d (posted %v after the kill) posted again: %d %s, want 200 with survey %s", j, postedAt[j].Sub(killedAt), r.Status, r.Body, id)
		}
	}
	t.Logf("lost by DynamoDB Local at the kill, whole: %d answers, %d orders", len(lostAnswers), lostOrders)
	dispatchAll(t, f)
	by := f.Inbox.ByRecipient(t)
	for j, e := range customers {
		if n := len(by[strings.ToLower(e)]); n != 1 {
			t.Errorf("%d emails to the customer of order %d, want 1", n, j)
		}
	}
	if sum := today(t, f); sum.Sent != answers+orders {
		t.Errorf("summary counts %d sent, want %d", sum.Sent, answers+orders)
	}
}
