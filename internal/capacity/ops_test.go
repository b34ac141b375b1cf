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

// EnvOut names the JSON file TestOperationUnits writes its figures to,
// and EnvMarkdown the file it writes them to as tables (make bench sets
// both).
const (
	EnvOut      = "CLOSELOOP_CAPACITY_OUT"
	EnvMarkdown = "CLOSELOOP_CAPACITY_MD"
	// EnvDetail logs each write of the single operations ("1") or of
	// every operation ("all"): where the units go.
	EnvDetail = "CLOSELOOP_CAPACITY_DETAIL"
)

// surveyLimit is the most a survey without a comment may weigh through its
// life: one write unit per write.
const surveyLimit = 1024

// Operation is one product operation's measured units.
type Operation struct {
	Name       string  `json:"name"`
	Per        int     `json:"per"` // the units below are the total divided by this
	Calls      float64 `json:"calls"`
	WriteUnits float64 `json:"write_units"`
	IndexWrite float64 `json:"index_write_units"`
	ReadUnits  float64 `json:"read_units"`
	MaxItem    int     `json:"max_item_bytes"`
	// Ms is the operation's wall time here (DynamoDB Local, far slower
	// than DynamoDB), per unit: the Lambda duration assumed.
	Ms   float64 `json:"ms"`
	Note string  `json:"note,omitempty"`
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
	// Single-item calls cross-checked against DynamoDB Local's
	// ConsumedCapacity (right for them, not for transactions).
	checked, agreed := 0, 0
	// The largest write of a survey item that was never answered with a
	// comment: created, sent, reminded (answered ones are listed here).
	largestSurvey := 0
	answered := map[string]bool{}
	measure := func(name string, per int, note string, run func()) {
		t.Helper()
		f.Settle(t)
		rec.Reset()
		start := time.Now()
		run()
		f.Settle(t)
		op := Operation{Name: name, Per: per, Note: note, Ms: float64(time.Since(start).Microseconds()) / 1e3 / float64(per)}
		for _, c := range rec.Calls() {
			switch c.Op {
			case "PutItem", "UpdateItem", "DeleteItem", "GetItem":
				checked++
				if own := c.WriteUnits + c.ReadUnits; c.Reported == own || c.Reported == own-c.IndexWriteUnits {
					agreed++
				} else {
					t.Errorf("%s %s: computed %v units (%v of them index writes), DynamoDB Local says %v; sizes %v", name, c.Op, own, c.IndexWriteUnits, c.Reported, c.Sizes)
				}
			}
			op.Calls++
			if detail := os.Getenv(EnvDetail); detail == "all" || detail != "" && per == 1 {
				t.Logf("%s: %s %.1f WRU %.1f RRU %v", name, c.Op, c.WriteUnits, c.ReadUnits, c.Writes)
			}
			for _, w := range c.Writes {
				if strings.HasPrefix(w.Key, "SURVEY#") && !answered[strings.Fields(w.Key)[0]] {
					largestSurvey = max(largestSurvey, w.Size)
				}
			}
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
		// Three named items, as a survey email lists at most.
		orders[i] = strings.Replace(apptest.Order("cap-batch-"+strconv.Itoa(i), many[i]), `[{"sku":"MUG-1","name":"Mug"}]`,
			`[{"sku":"MUG-1","name":"Stoneware mug, 350 ml"},{"sku":"TOWEL-LINEN","name":"Linen tea towel"},{"sku":"COASTERS-OAK-4","name":"Oak coasters, set of four"}]`, 1)
	}
	measure("ingest 100 orders (per order)", 100, "one request of 100 three-item orders", func() { post(`{"orders":[` + strings.Join(orders, ",") + `]}`) })

	f.Clock.Advance(time.Minute)
	measure("dispatch (per survey)", 101, "one run sending 101 surveys, 100 of them of three items: each product counted", func() { f.Dispatch(t) })
	// The page view and the happy answer are of a three-item survey, as
	// the unhappy answer and the reminder are.
	token := f.SurveyPath(t, many[2])
	measure("survey page view", 1, "", func() {
		if r := f.Do(t, "GET", token+"?score=5", "", "", ""); r.Status != http.StatusOK {
			t.Fatalf("page view: %d", r.Status)
		}
	})
	form := "application/x-www-form-urlencoded"
	answered["SURVEY#"+surveyID(t, token)] = true
	unhappy := f.SurveyPath(t, many[0])
	answered["SURVEY#"+surveyID(t, unhappy)] = true
	measure("answer, happy", 1, "score 5 with a comment", func() {
		if r := f.Do(t, "POST", token, "", form, "score=5&nps=10&comment=Lovely+mug%2C+arrived+quickly"); r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
	})
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
	t.Logf("%d of %d single-item calls agree with DynamoDB Local's ConsumedCapacity", agreed, checked)
	t.Logf("largest survey without a comment, three named items, through ingest, send and reminder: %d B", largestSurvey)
	if largestSurvey == 0 || largestSurvey > surveyLimit {
		t.Errorf("largest survey without a comment: %d B, want 1..%d", largestSurvey, surveyLimit)
	}
	if checked == 0 {
		t.Error("no single-item call to cross-check")
	}
	model := costModel(ops)
	t.Logf("per 10,000 surveys: %+v", model.Cost)
	if path := os.Getenv(EnvOut); path != "" {
		data, err := json.MarshalIndent(map[string]any{"capacity_units": ops, "cost_per_10000_surveys": model, "largest_survey_bytes": largestSurvey}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if path := os.Getenv(EnvMarkdown); path != "" {
		if err := os.WriteFile(path, []byte(markdown(ops, model, agreed, checked, largestSurvey)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func markdown(ops []Operation, m Model, agreed, checked, largestSurvey int) string {
	var b strings.Builder
	b.WriteString("## Capacity units per operation\n\n")
	b.WriteString("Computed from the items each call wrote or read (internal/capacity.Recorder) by DynamoDB's rules; each operation includes what the stream and queues did after it. ")
	fmt.Fprintf(&b, "%d of %d single-item calls agree with DynamoDB Local's ConsumedCapacity.\n\n", agreed, checked)
	b.WriteString("| operation | DynamoDB calls | write units | of them index writes | read units | largest item (B) | note |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, op := range ops {
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f | %.2f | %d | %s |\n", op.Name, op.Calls, op.WriteUnits, op.IndexWrite, op.ReadUnits, op.MaxItem, op.Note)
	}
	fmt.Fprintf(&b, "\nThe largest survey item without a comment (three named items; created, sent, reminded): %d B, limit %d B.\n", largestSurvey, surveyLimit)
	c := m.Cost
	fmt.Fprintf(&b, "\n## Cost per %d surveys\n\n| service | usage | dollars |\n|---|---:|---:|\n", m.Surveys)
	u := m.Usage
	fmt.Fprintf(&b, "| DynamoDB on demand | %.0f WRU, %.0f RRU | %.4f |\n", u.WRU, u.RRU, c.DynamoDB)
	fmt.Fprintf(&b, "| Lambda | %.0f GB-s, %.0f invocations | %.4f |\n", u.GBSeconds, u.Invocations, c.Lambda)
	fmt.Fprintf(&b, "| HTTP API | %.0f requests | %.4f |\n", u.HTTPRequests, c.HTTPAPI)
	fmt.Fprintf(&b, "| SQS | %.0f requests | %.4f |\n", u.SQSRequests, c.SQS)
	fmt.Fprintf(&b, "| CloudWatch Logs | %.1f MB | %.4f |\n", u.LogBytes/1e6, c.Logs)
	fmt.Fprintf(&b, "| **all but SES** | | **%.4f** |\n", c.WithoutSES)
	fmt.Fprintf(&b, "| SES (the floor) | %.0f emails | %.4f |\n\n", u.Emails, c.SES)
	verdict := "met"
	if !m.Met {
		verdict = "missed"
	}
	fmt.Fprintf(&b, "Target: all but SES ≤ $%.2f per %d surveys: **%s** ($%.4f).\n\nAssumptions:\n\n", m.Target, m.Surveys, verdict, c.WithoutSES)
	for _, a := range m.Assumptions {
		b.WriteString("- " + a + "\n")
	}
	return b.String()
}

// Model is the cost of 10,000 surveys: the assumptions and the result.
type Model struct {
	Surveys     int                `json:"surveys"`
	Rates       map[string]float64 `json:"operations_per_survey"`
	MemoryMB    float64            `json:"lambda_memory_mb"`
	Prices      capacity.Prices    `json:"prices"`
	Usage       capacity.Usage     `json:"usage"`
	Cost        capacity.Cost      `json:"cost"`
	Target      float64            `json:"target_without_ses"`
	Met         bool               `json:"target_met"`
	Assumptions []string           `json:"assumptions"`
}

// Per operation besides DynamoDB and its duration: Lambda invocations,
// HTTP API requests, SQS messages (each sent, received, deleted: 3
// requests) and emails. Assumed from the design, not measured.
var extras = map[string]struct{ invocations, http, messages, emails float64 }{
	"ingest 1 order":        {2, 1, 0, 0}, // API + stream
	"dispatch (per survey)": {2, 0, 1, 1}, // a share of a run + the SES event
	"reminder (per survey)": {2, 0, 1, 1},
	"survey page view":      {1, 1, 0, 0},
	"answer, happy":         {3, 1, 1, 0}, // API + stream + webhook
	"answer, unhappy":       {5, 1, 3, 1}, // API + stream + case queue + alert + webhook; alert email
	"365-day summary":       {1, 1, 0, 0},
}

func costModel(ops []Operation) Model {
	const surveys = 10000
	const answered, unhappy = 0.30, 0.15
	m := Model{
		Surveys: surveys, MemoryMB: 256, Prices: capacity.ListPrices, Target: 0.15,
		Rates: map[string]float64{
			"ingest 1 order": 1, "dispatch (per survey)": 1, "reminder (per survey)": 0.6,
			"survey page view": answered, "answer, happy": answered * (1 - unhappy), "answer, unhappy": answered * unhappy,
			"365-day summary": 0.01,
		},
		Assumptions: []string{
			"30 % of surveys answered, each after one page view; 15 % of answers unhappy (a follow-up case)",
			"60 % of surveys get a reminder (unanswered when it falls due)",
			"orders posted one per request (a batch of 100 costs the same units per order and fewer requests)",
			"one 365-day summary per 100 surveys (owners looking at their numbers)",
			"Lambda: 256 MB arm64 (template.yaml), billed for each operation's wall time in this run over DynamoDB Local (an upper bound: DynamoDB answers in a few ms)",
			"CloudWatch Logs: 600 bytes per invocation (JSON platform start and report lines and one request line)",
			"SQS: 3 requests per message (send, receive, delete); idle long polls of the event source mappings not counted (per account, not per survey)",
			"prices: us-east-1 list prices (DynamoDB on demand $0.625/M WRU, $0.125/M RRU; Lambda arm64 $0.0000133334/GB-s, $0.20/M; HTTP API $1.00/M; SQS $0.40/M; Logs $0.50/GB; SES $0.10/1000)",
		},
	}
	for _, op := range ops {
		rate, ok := m.Rates[op.Name]
		if !ok {
			continue
		}
		x := extras[op.Name]
		m.Usage = m.Usage.Add(capacity.Usage{
			WRU: op.WriteUnits, RRU: op.ReadUnits, GBSeconds: op.Ms / 1000 * m.MemoryMB / 1024,
			Invocations: x.invocations, HTTPRequests: x.http, SQSRequests: 3 * x.messages,
			LogBytes: 600 * x.invocations, Emails: x.emails,
		}, rate*surveys)
	}
	m.Cost = m.Prices.Cost(m.Usage)
	m.Met = m.Cost.WithoutSES <= m.Target
	return m
}

// surveyID is the survey ID of a survey page path (/s/{id}.{secret}).
func surveyID(t *testing.T, path string) string {
	t.Helper()
	id, _, ok := strings.Cut(strings.TrimPrefix(path, "/s/"), ".")
	if !ok {
		t.Fatalf("survey path %q has no token", path)
	}
	return id
}
