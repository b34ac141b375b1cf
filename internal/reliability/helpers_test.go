package reliability_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// EnvSoak set to 1 (make soak) scales the suite's counts up, to thousands
// of operations.
const EnvSoak = "CLOSELOOP_SOAK"

// scale returns n under make test and soak under make soak.
func scale(n, soak int) int {
	if os.Getenv(EnvSoak) == "1" {
		return soak
	}
	return n
}

const form = "application/x-www-form-urlencoded"

// parallel runs fn(i) for i in [0, n) on n goroutines started together
// and waits for all of them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func decode[T any](t testing.TB, r apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, r.Body)
	}
	return v
}

type surveysBody struct {
	Surveys []struct {
		OrderID  string `json:"order_id"`
		SurveyID string `json:"survey_id"`
	} `json:"surveys"`
}

// newFixture is apptest.New with the store's send rate at its most:
// pacing is not under test, and soak sends thousands.
func newFixture(t testing.TB, opts ...apptest.Option) *apptest.Fixture {
	t.Helper()
	return apptest.New(t, append([]apptest.Option{func(s *closeloop.Settings) { s.MaxSendPerSecond = 1000 }}, opts...)...)
}

// newDispatcher is the dispatch function's dispatcher over mailer (nil:
// the stack's SES), at an account rate that does not slow the suite.
func newDispatcher(t testing.TB, f *apptest.Fixture, mailer sesmail.API) *dispatch.Dispatcher {
	t.Helper()
	renderer, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	if mailer == nil {
		mailer = f.Product.FunctionClients("dispatch").SES
	}
	db := f.Product.FunctionDB("dispatch")
	return dispatch.New(db, db, sesmail.New(mailer, f.Product.Config.ConfigurationSet), renderer, dispatch.Config{
		PublicBaseURL: f.Product.Config.PublicBaseURL, DefaultSender: f.Product.Config.SenderAddress,
		AccountRate: 1000,
	}, f.Clock.Now)
}

// dispatchAll runs dispatch until nothing is due (a run takes at most a
// batch per shard) and returns how many it sent.
func dispatchAll(t testing.TB, f *apptest.Fixture) int {
	t.Helper()
	d := newDispatcher(t, f, nil)
	sent := 0
	for range 50 {
		rep, err := d.Run(context.Background())
		if err != nil {
			t.Fatalf("dispatch: %+v, %v", rep, err)
		}
		sent += rep.Sent
		if rep.Due == 0 {
			return sent
		}
	}
	t.Fatal("dispatch: surveys still due after 50 runs")
	return sent
}

// postOrders posts order prefix-i for each emails[i], eight at a time,
// and returns their survey IDs.
func postOrders(t testing.TB, f *apptest.Fixture, prefix string, emails []string) []string {
	t.Helper()
	ids := make([]string, len(emails))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range emails {
			next <- i
		}
	}()
	parallel(8, func(int) {
		for i := range next {
			ids[i] = postOrder(t, f, prefix+"-"+itoa(i), emails[i])
		}
	})
	return ids
}

// postOrder posts order id for email and returns its survey ID.
func postOrder(t testing.TB, f *apptest.Fixture, id, email string) string {
	t.Helper()
	r := f.API(t, "POST", "/v1/orders", apptest.Order(id, email))
	if r.Status != http.StatusAccepted {
		t.Fatalf("post order %s: %d %s", id, r.Status, r.Body)
	}
	return decode[surveysBody](t, r).Surveys[0].SurveyID
}

var surveyLink = regexp.MustCompile(`https://feedback\.test(/s/[A-Za-z0-9_.-]+)\?score=\d`)

// surveyPaths returns the survey page path of each of emails, read from
// the one survey email each has in the inbox.
func surveyPaths(t testing.TB, f *apptest.Fixture, emails []string) []string {
	t.Helper()
	by := f.Inbox.ByRecipient(t)
	paths := make([]string, len(emails))
	for i, e := range emails {
		got := by[strings.ToLower(e)]
		if len(got) != 1 {
			t.Fatalf("%d emails to %s, want the one survey", len(got), e)
		}
		m := surveyLink.FindStringSubmatch(got[0].Text)
		if m == nil {
			t.Fatalf("no survey link in the email to %s", e)
		}
		paths[i] = m[1]
	}
	return paths
}

// summary is the part of GET /v1/summary the suite checks.
type summary struct {
	Sent          int `json:"sent"`
	Answered      int `json:"answered"`
	PointsAwarded int `json:"points_awarded"`
	CSAT          struct {
		Answers      int            `json:"answers"`
		Distribution map[string]int `json:"distribution"`
	} `json:"csat"`
	Followups struct {
		Opened int `json:"opened"`
	} `json:"followups"`
}

// today reads the store's summary of the fixture clock's day (the store's
// time zone is UTC).
func today(t testing.TB, f *apptest.Fixture) summary {
	t.Helper()
	day := f.Clock.Now().UTC().Format("2006-01-02")
	r := f.API(t, "GET", "/v1/summary?from="+day+"&to="+day, "")
	if r.Status != http.StatusOK {
		t.Fatalf("summary: %d %s", r.Status, r.Body)
	}
	return decode[summary](t, r)
}

type points struct {
	Balance int `json:"balance"`
	Ledger  []struct {
		SurveyID string `json:"survey_id"`
		Points   int    `json:"points"`
	} `json:"ledger"`
}

func pointsOf(t testing.TB, f *apptest.Fixture, email string) points {
	t.Helper()
	r := f.API(t, "GET", "/v1/customers/"+email+"/points", "")
	if r.Status != http.StatusOK {
		t.Fatalf("points of %s: %d %s", email, r.Status, r.Body)
	}
	return decode[points](t, r)
}

func itoa(i int) string { return strconv.Itoa(i) }
