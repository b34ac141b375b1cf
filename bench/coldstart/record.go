package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/callrec"
)

// request is one AWS request a first event made, as the recording proxy
// passed it on: enough to send it again byte for byte.
type request struct {
	Service   string `json:"service"`   // "DynamoDB", "SESv2", "SQS"
	Operation string `json:"operation"` // "GetItem"
	Status    int    `json:"status"`    // the stack's HTTP status
	// Stage is the request's place on the event's critical path: requests
	// that overlapped in the recording run share a stage.
	Stage int `json:"stage"`

	upstream   string
	method     string
	path       string
	header     http.Header
	body       []byte
	start, end time.Time
}

func (r request) name() string { return r.Service + " " + r.Operation }

// recorder is a proxy in front of each service of the stack that keeps
// the requests passing through it.
type recorder struct {
	mu       sync.Mutex
	requests []request
	urls     map[string]string // service → the proxy's URL
	servers  []*http.Server
}

// newRecorder starts a proxy for each of upstreams (service → URL).
func newRecorder(upstreams map[string]string) (*recorder, error) {
	rec := &recorder{urls: map[string]string{}}
	client := &http.Client{Timeout: 30 * time.Second}
	for service, upstream := range upstreams {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			rec.close()
			return nil, err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			body, _ := io.ReadAll(r.Body)
			out, _ := http.NewRequest(r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
			out.Header = r.Header.Clone()
			resp, err := client.Do(out)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			respBody, _ := io.ReadAll(resp.Body)
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = w.Write(respBody)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.requests = append(rec.requests, request{Service: service, Operation: operation(service, r, body),
				Status: resp.StatusCode, upstream: upstream, method: r.Method, path: r.URL.RequestURI(),
				header: r.Header.Clone(), body: body, start: start, end: time.Now()})
		})}
		go srv.Serve(ln)
		rec.servers = append(rec.servers, srv)
		rec.urls[service] = "http://" + ln.Addr().String()
	}
	return rec, nil
}

func (rec *recorder) close() {
	for _, s := range rec.servers {
		s.Close()
	}
}

// take returns the requests recorded since the last take, in the order
// they started, each with its stage.
func (rec *recorder) take() []request {
	rec.mu.Lock()
	reqs := rec.requests
	rec.requests = nil
	rec.mu.Unlock()
	slices.SortFunc(reqs, func(a, b request) int { return a.start.Compare(b.start) })
	stage, end := -1, time.Time{}
	for i := range reqs {
		if stage < 0 || !reqs[i].start.Before(end) {
			stage++
		}
		if reqs[i].end.After(end) {
			end = reqs[i].end
		}
		reqs[i].Stage = stage
	}
	return reqs
}

// operation names a request as the SDK does: JSON protocols name it in
// X-Amz-Target, SES v2 (REST) by its method and path.
func operation(service string, r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ := strings.Cut(t, ".")
		return op
	}
	if service == "SESv2" {
		switch p := r.URL.Path; {
		case r.Method == http.MethodPost && p == "/v2/email/outbound-emails":
			return "SendEmail"
		case r.Method == http.MethodGet && strings.HasPrefix(p, "/v2/email/suppression/addresses/"):
			return "GetSuppressedDestination"
		case r.Method == http.MethodGet && p == "/v2/email/account":
			return "GetAccount"
		}
	}
	return r.Method + " " + r.URL.Path
}

// stages counts the stages of reqs.
func stages(reqs []request) int {
	if len(reqs) == 0 {
		return 0
	}
	return reqs[len(reqs)-1].Stage + 1
}

// names lists the requests' services and operations.
func names(reqs []request) []string {
	var n []string
	for _, r := range reqs {
		n = append(n, r.name())
	}
	return n
}

// sameOperations says whether a and b hold the same operations as often.
func sameOperations(a, b []request) bool {
	x, y := names(a), names(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// checkCalls compares the requests the proxy saw with the calls the
// bootstrap's SDK clients recorded (internal/callrec, which keeps each
// distinct call once): the same operations, or an error naming both.
func checkCalls(reqs []request, dir string) error {
	calls, err := callrec.ReadDir(dir)
	if err != nil {
		return err
	}
	proxied, recorded := names(reqs), []string(nil)
	for _, c := range calls {
		recorded = append(recorded, c.Service+" "+c.Operation)
	}
	slices.Sort(proxied)
	slices.Sort(recorded)
	if !slices.Equal(slices.Compact(proxied), slices.Compact(recorded)) {
		return fmt.Errorf("the proxy saw %q but the SDK clients recorded %q", proxied, recorded)
	}
	return nil
}

// replayer sends recorded requests again over warm keep-alive connections.
type replayer struct{ client *http.Client }

func newReplayer() *replayer {
	return &replayer{client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}}}
}

// send sends r again and returns how long its answer took, in ms. A
// transaction's ClientRequestToken is dropped, so that DynamoDB applies
// it again rather than answer from its idempotency cache.
func (p *replayer) send(r request) (float64, error) {
	body := r.body
	if r.Service == "DynamoDB" && r.Operation == "TransactWriteItems" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err == nil {
			delete(m, "ClientRequestToken")
			body, _ = json.Marshal(m)
		}
	}
	req, err := http.NewRequest(r.method, r.upstream+r.path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = r.header.Clone()
	req.Header.Del("Content-Length")
	start := time.Now()
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != r.Status {
		return 0, fmt.Errorf("%s answered %d again, %d when recorded", r.name(), resp.StatusCode, r.Status)
	}
	return took, nil
}

// Outside is where a recorded first response spent its time outside the
// requests, in ms.
type Outside struct {
	Before  float64 `json:"before_ms"`  // from sending the event, less init, to the first request
	Between float64 `json:"between_ms"` // between the end of one stage and the start of the next
	After   float64 `json:"after_ms"`   // from the last request's answer to the response
}

// outside divides the recorded start s of reqs.
func outside(reqs []request, s sample) Outside {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	if len(reqs) == 0 {
		return Outside{Before: ms(s.answered.Sub(s.sent)) - s.init}
	}
	o := Outside{Before: ms(reqs[0].start.Sub(s.sent)) - s.init}
	end := reqs[0].end
	for _, r := range reqs[1:] {
		if r.start.After(end) {
			o.Between += ms(r.start.Sub(end))
		}
		if r.end.After(end) {
			end = r.end
		}
	}
	o.After = ms(s.answered.Sub(end))
	return o
}

// criticalPath is the sum over the stages of the longest request's
// median: the time the requests need when independent ones run in
// parallel.
func criticalPath(reqs []request, medians []float64) float64 {
	longest := map[int]float64{}
	for i, r := range reqs {
		longest[r.Stage] = max(longest[r.Stage], medians[i])
	}
	total := 0.0
	for _, ms := range longest {
		total += ms
	}
	return total
}
