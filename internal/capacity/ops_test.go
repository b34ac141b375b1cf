package capacity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/capacity"
)

// EnvOut names the JSON file TestOperationUnits writes its figures to
// (make bench sets it).
const EnvOut = "CLOSELOOP_CAPACITY_OUT"

// Operation is one product operation's measured units.
type Operation struct {
	Name       string  `json:"name"`
	Per        int     `json:"per"` // the units below are the total divided by this
	Calls      float64 `json:"calls"`
	WriteUnits float64 `json:"write_units"`
	IndexWrite float64 `json:"index_write_units"`
	ReadUnits  float64 `json:"read_units"`
	MaxItem    int     `json:"max_item_bytes"`
	Note       string  `json:"note,omitempty"`
}

// TestOperationUnits runs the product's operations over DynamoDB Local
// with a capacity.Recorder on its client and reports each one's units.
// Each operation includes what the stream and queues do after it
// (Fixture.Settle: counters, follow-up case, alerts, webhooks).
func TestOperationUnits(t *testing.T) {
	ctx := context.Background()
	var rec *capacity.Recorder
	f := apptest.NewWith(t, func(raw *dynamodb.Client, table string) []func(*dynamodb.Options) {
		var err error
		if rec, err = capacity.NewRecorder(ctx, raw, table); err != nil {
			t.Fatal(err)
		}
		return []func(*dynamodb.Options){rec.Register}
	})
	var ops []Operation
	measure := func(name string, per int, note string, run func()) {
		t.Helper()
		f.Settle(t)
		rec.Reset()
		run()
		f.Settle(t)
		op := Operation{Name: name, Per: per, Note: note}
		for _, c := range rec.Calls() {
			op.Calls++
			op.WriteUnits += c.WriteUnits
			op.IndexWrite += c.IndexWriteUnits
			op.ReadUnits += c.ReadUnits
			for _, s := range c.Sizes {
				op.MaxItem = max(op.MaxItem, s)
			}
		}
		op.Calls /= float64(per)
		op.WriteUnits /= float64(per)
		op.IndexWrite /= float64(per)
		op.ReadUnits /= float64(per)
		ops = append(ops, op)
	}
	post := func(body string) {
		if r := f.API(t, "POST", "/v1/orders", body); r.Status != http.StatusAccepted {
			t.Fatalf("post orders: %d %s", r.Status, r.Body)
		}
	}

	one := apptest.Email("one")
	measure("ingest 1 order", 1, "", func() { post(apptest.Order("cap-1", one)) })
	many := make([]string, 100)
	orders := make([]string, 100)
	for i := range many {
		many[i] = apptest.Email("many")
		orders[i] = apptest.Order("cap-batch-"+strconv.Itoa(i), many[i])
	}
	measure("ingest 100 orders (per order)", 100, "one request of 100", func() { post(`{"orders":[` + strings.Join(orders, ",") + `]}`) })

	f.Clock.Advance(time.Minute)
	measure("dispatch (per survey)", 101, "one run sending 101 surveys", func() { f.Dispatch(t) })
	token := f.SurveyPath(t, one)
	measure("survey page view", 1, "", func() {
		if r := f.Do(t, "GET", token+"?score=5", "", "", ""); r.Status != http.StatusOK {
			t.Fatalf("page view: %d", r.Status)
		}
	})
	form := "application/x-www-form-urlencoded"
	measure("answer, happy", 1, "score 5 with a comment", func() {
		if r := f.Do(t, "POST", token, "", form, "score=5&nps=10&comment=Lovely+mug%2C+arrived+quickly"); r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
	})
	unhappy := f.SurveyPath(t, many[0])
	measure("answer, unhappy", 1, "score 1 with a comment and contact_me: the case, its alert and webhook", func() {
		if r := f.Do(t, "POST", unhappy, "", form, "score=1&nps=2&comment=Broken+on+arrival&contact_me=on"); r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
	})
	f.Clock.Advance(time.Duration(f.Settings.ReminderAfterHours)*time.Hour + time.Minute)
	measure("reminder (per survey)", 99, "one run reminding the 99 unanswered", func() { f.Dispatch(t) })
	if n := len(f.Inbox.To(t, many[1])); n != 2 {
		t.Fatalf("%d emails to an unanswered customer after the reminder run, want 2", n)
	}
	day := func(d time.Time) string { return d.Format("2006-01-02") }
	for _, days := range []int{30, 365} {
		now := f.Clock.Now()
		measure(fmt.Sprintf("%d-day summary", days), 1, "", func() {
			if r := f.API(t, "GET", "/v1/summary?from="+day(now.AddDate(0, 0, -days+1))+"&to="+day(now), ""); r.Status != http.StatusOK {
				t.Fatalf("summary: %d %s", r.Status, r.Body)
			}
		})
	}

	t.Logf("%-32s %8s %8s %8s %8s %8s", "operation", "calls", "WRU", "of GSI", "RRU", "max B")
	for _, op := range ops {
		t.Logf("%-32s %8.2f %8.2f %8.2f %8.2f %8d", op.Name, op.Calls, op.WriteUnits, op.IndexWrite, op.ReadUnits, op.MaxItem)
		if op.Calls == 0 {
			t.Errorf("%s: no DynamoDB call recorded", op.Name)
		}
	}
	if path := os.Getenv(EnvOut); path != "" {
		data, err := json.MarshalIndent(ops, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
