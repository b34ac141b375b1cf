package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/ordercsv"
)

const importUsage = "usage: storectl import [-api URL] [-key KEY] [-map field=header,...] [-delimiter auto|,|;|tab] [-tz ZONE] [-batch 100] [-parallel 4] [-dry-run] [-restart] orders.csv"

// importOrders posts the orders of a CSV file to the store API.
func importOrders(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("import", flag.ContinueOnError)
	api := flags.String("api", cmp.Or(getenv("CLOSELOOP_API_URL"), "http://localhost:8080"), "the store API's base URL (default $CLOSELOOP_API_URL)")
	key := flags.String("key", "", "the store's API key, owner or ingest (default $CLOSELOOP_API_KEY)")
	mapping := flags.String("map", "", "columns by header, field=header pairs separated by commas: fields order_id, email, name, locale, sku, product_name, purchased_at")
	delimiter := flags.String("delimiter", "auto", "the column delimiter: auto (from the header row), ',', ';' or tab")
	zone := flags.String("tz", "UTC", "the IANA time zone of purchase times written without an offset")
	size := flags.Int("batch", closeloop.MaxOrdersPerBatch, "orders per request, 1 to 100")
	parallel := flags.Int("parallel", 4, "requests under way at once, 1 to 16")
	dryRun := flags.Bool("dry-run", false, "read and check every row, send nothing")
	restart := flags.Bool("restart", false, "start from the top, ignoring an interrupted import's state")
	every := flags.Duration("progress", 5*time.Second, "how often to print a progress line when the output is not a terminal")
	listed := flags.Int("list", 20, "how many invalid and too-old lines to list; the report file has them all")
	// Flags may also follow the file's name.
	var files []string
	for {
		if err := flags.Parse(args); err != nil {
			return err
		}
		if flags.NArg() == 0 {
			break
		}
		files, args = append(files, flags.Arg(0)), flags.Args()[1:]
	}
	if len(files) != 1 {
		return errors.New(importUsage)
	}
	opt := ordercsv.Options{}
	var err error
	if opt.Columns, err = ordercsv.ParseMapping(*mapping); err != nil {
		return err
	}
	switch *delimiter {
	case "auto":
	case ",", ";":
		opt.Comma = rune((*delimiter)[0])
	case "tab", `\t`, "\t":
		opt.Comma = '\t'
	default:
		return fmt.Errorf("-delimiter %q: want auto, ',', ';' or tab", *delimiter)
	}
	if opt.Location, err = time.LoadLocation(*zone); err != nil {
		return fmt.Errorf("-tz %q: not an IANA time zone such as Europe/Berlin", *zone)
	}
	if *size < 1 || *size > closeloop.MaxOrdersPerBatch {
		return errors.New("-batch must be 1 to 100")
	}
	if *parallel < 1 || *parallel > 16 {
		return errors.New("-parallel must be 1 to 16")
	}
	im := &importer{
		api: strings.TrimRight(*api, "/"), key: cmp.Or(*key, getenv("CLOSELOOP_API_KEY")),
		client: &http.Client{Timeout: 2 * time.Minute}, out: out, now: time.Now,
		path: files[0], size: *size, parallel: *parallel, dryRun: *dryRun, listed: max(*listed, 0), every: *every,
		retryBase: 500 * time.Millisecond,
	}
	if !im.dryRun {
		if im.key == "" {
			return errors.New("-key or $CLOSELOOP_API_KEY is required: a key of the store, role owner or ingest")
		}
		// The key goes in every request: never in clear text off this
		// machine.
		u, err := url.Parse(im.api)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
			return fmt.Errorf("-api %q: want an https:// URL (http:// only to this machine)", im.api)
		}
	}
	// Ctrl-C ends the import between batches; a second one, once the
	// first is seen, stops it at once as usual.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return im.run(ctx, opt, *restart)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// importer posts a file's orders in batches and keeps its state.
type importer struct {
	api, key  string
	client    *http.Client
	out       io.Writer
	now       func() time.Time
	path      string
	size      int
	parallel  int // batches sent at once
	dryRun    bool
	listed    int           // entries listed in the summary
	every     time.Duration // between plain progress lines
	retryBase time.Duration // the first wait before a retry

	state    importState // as read so far
	saved    importState // as last saved
	progress *progress
	report   *os.File
}

// importState is what the state file next to the CSV keeps after each
// batch the API answered: where in the file the import is, and what it
// counted and listed up to there.
type importState struct {
	Size       int64             `json:"size"`   // of the CSV: a changed file is not resumed
	Header     []string          `json:"header"` // likewise
	At         ordercsv.Position `json:"at"`
	Counts     importCounts      `json:"counts"`
	Invalid    []string          `json:"invalid"` // the first few listed
	TooOld     []string          `json:"too_old"` // the first few listed
	ReportSize int64             `json:"report_size"`
}

// importCounts counts the rows read and the orders by what became of them.
type importCounts struct {
	Rows     int `json:"rows"`
	Orders   int `json:"orders"`
	Accepted int `json:"accepted"` // a survey created
	Known    int `json:"known"`    // posted before: nothing created
	TooOld   int `json:"too_old"`  // a survey created expired: older than the store's survey expiry
	Invalid  int `json:"invalid"`  // refused, here or by the API
	Valid    int `json:"valid"`    // a dry run's orders that would be sent
}

func (im *importer) statePath() string { return im.path + ".import-state" }

func (im *importer) reportPath() string {
	if im.dryRun {
		return im.path + ".dry-run-report"
	}
	return im.path + ".import-report"
}

func (im *importer) run(ctx context.Context, opt ordercsv.Options, restart bool) error {
	f, err := os.Open(im.path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	lines, err := countLines(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", im.path, err)
	}
	var resume *ordercsv.Position
	if !im.dryRun && !restart {
		if resume, err = im.loadState(info.Size()); err != nil {
			return err
		}
	}
	r, err := ordercsv.Open(f, opt, resume)
	if err != nil {
		return fmt.Errorf("%s: %w", im.path, err)
	}
	if resume != nil {
		if !slices.Equal(im.state.Header, r.Header) {
			return fmt.Errorf("%s has another header row than when its import was interrupted: import it with -restart", im.path)
		}
		fmt.Fprintf(im.out, "Resuming the import of %s after line %d (%d orders done; -restart starts over).\n",
			im.path, resume.Line, im.state.Counts.Orders)
	} else {
		im.state = importState{Size: info.Size(), Header: r.Header, At: r.Start}
		im.saved = im.state
		if !im.dryRun {
			_ = os.Remove(im.statePath())
		}
		if err := os.Remove(im.reportPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	header := r.Data.Line
	total := max(lines-header, 0)
	im.progress = newProgress(im.out, im.every, total, im.state.At.Line-header, im.now())
	defer func() {
		if im.report != nil {
			im.report.Close()
		}
	}()

	err = im.read(ctx, r, header)
	if err == nil {
		im.progress.update(im.state.At.Line-header, im.now(), true)
		im.summary()
		if !im.dryRun {
			if err := os.Remove(im.statePath()); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	if im.dryRun {
		return err
	}
	// What the state file says is done is what a resumed import skips
	// (written even when no batch was answered, for the message below).
	im.state = im.saved
	if serr := im.saveState(); serr != nil {
		err = errors.Join(err, serr)
	}
	if ctx.Err() != nil {
		im.progress.println(fmt.Sprintf("Interrupted: %d orders done, up to line %d.", im.state.Counts.Orders, im.state.At.Line))
		im.summary()
		return fmt.Errorf("import interrupted; run the same command again to resume after line %d (state in %s), or add -restart to start over",
			im.state.At.Line, im.statePath())
	}
	im.progress.println(fmt.Sprintf("Stopped: %d orders done, up to line %d.", im.state.Counts.Orders, im.state.At.Line))
	im.summary()
	return fmt.Errorf("%w (run the same command again to resume after line %d)", err, im.state.At.Line)
}

// batch is a run of orders read together: the valid ones, sent in one
// request, and the invalid ones read among them. Its counts reach the
// state when its answer and those of every batch before it have come, so
// that the state always describes the file up to one place.
type batch struct {
	seq     int
	orders  []*ordercsv.Order
	invalid []refusal // found here, in file order
	rows    int       // rows read
	read    int       // orders read
	end     ordercsv.Position

	// The answer, filled by send.
	sent    []*ordercsv.Order // the orders the API took, in its answer's order
	surveys []surveyAnswer
	refused []refusal // by the API
	err     error
}

type refusal struct {
	order    *ordercsv.Order
	problems closeloop.Problems
	by       string
}

type surveyAnswer struct {
	OrderID string           `json:"order_id"`
	Status  closeloop.Status `json:"status"`
	Created bool             `json:"created"`
}

// read reads the orders, checks each, and sends the valid ones in
// batches, im.parallel at a time. After each batch answered (and every
// one before it) the state is saved: on an error or an interruption the
// import resumes after the last such batch, and the orders read after it
// are read again.
//
// An order ID met again after other orders (not on consecutive rows) is
// the same order posted again: it is sent after the batches holding it
// were answered, and the API answers it as already known.
func (im *importer) read(ctx context.Context, r *ordercsv.Reader, header int) error {
	work, done := make(chan *batch), make(chan *batch, im.parallel)
	var workers sync.WaitGroup
	for range im.parallel {
		workers.Go(func() {
			for b := range work {
				im.send(ctx, b)
				done <- b
			}
		})
	}
	var (
		seq, next, inFlight int
		answered            = map[int]*batch{}
		sending             = map[string]int{} // order IDs in the batches sent, not yet answered
		failure             error
	)
	// collect waits for an answer and applies, in file order, those that
	// can be.
	collect := func() {
		b := <-done
		inFlight--
		for _, o := range b.orders {
			if sending[o.OrderID]--; sending[o.OrderID] == 0 {
				delete(sending, o.OrderID)
			}
		}
		answered[b.seq] = b
		for answered[next] != nil {
			b := answered[next]
			delete(answered, next)
			next++
			if failure == nil {
				failure = b.err
			}
			if failure == nil {
				failure = im.apply(b, header)
			}
		}
	}
	submit := func(b *batch) {
		for inFlight == im.parallel {
			collect()
		}
		if failure != nil {
			return
		}
		b.seq = seq
		seq++
		inFlight++
		for _, o := range b.orders {
			sending[o.OrderID]++
		}
		work <- b
	}
	finish := func(err error) error {
		close(work)
		for inFlight > 0 {
			collect()
		}
		workers.Wait()
		return errors.Join(err, failure)
	}

	cur := &batch{end: im.state.At}
	for failure == nil {
		if err := ctx.Err(); err != nil {
			if len(cur.orders) == 0 && cur.read > 0 {
				submit(cur) // only counts: everything read is accounted for
			}
			return finish(err) // a batch not sent is read again
		}
		o, err := r.Next()
		if errors.Is(err, io.EOF) {
			if cur.read > 0 {
				submit(cur)
			}
			return finish(nil)
		}
		if err != nil {
			return finish(fmt.Errorf("read %s: %w", im.path, err))
		}
		problems := o.Problems
		problems.Merge("", o.Validate(im.now()))
		if len(problems) == 0 && (slices.ContainsFunc(cur.orders, func(b *ordercsv.Order) bool { return b.OrderID == o.OrderID }) || sending[o.OrderID] > 0) {
			// Sent after the order it repeats, whose first rows win.
			if cur.read > 0 {
				submit(cur)
			}
			for inFlight > 0 {
				collect()
			}
			cur = &batch{end: cur.end}
		}
		cur.rows += o.Rows
		cur.read++
		cur.end = o.End
		if len(problems) > 0 {
			cur.invalid = append(cur.invalid, refusal{order: o, problems: problems})
		} else {
			cur.orders = append(cur.orders, o)
		}
		if len(cur.orders) == im.size || len(cur.invalid) == im.size {
			submit(cur)
			cur = &batch{end: cur.end}
		}
	}
	return finish(nil)
}

// send posts a batch's orders and keeps the answer in it. Orders the API
// refuses, which the checks here let through (its clock differs, its
// rules changed), are taken out and the rest sent again.
func (im *importer) send(ctx context.Context, b *batch) {
	pending := b.orders
	if im.dryRun {
		b.sent = pending
		return
	}
	for len(pending) > 0 {
		orders := make([]closeloop.Order, len(pending))
		for i, o := range pending {
			orders[i] = o.Order
		}
		body, err := json.Marshal(map[string]any{"orders": orders})
		if err != nil {
			b.err = err
			return
		}
		status, answer, err := im.post(ctx, body)
		if err != nil {
			b.err = err
			return
		}
		switch status {
		case http.StatusOK, http.StatusAccepted:
			var got struct {
				Surveys []surveyAnswer `json:"surveys"`
			}
			if err := json.Unmarshal(answer, &got); err != nil || len(got.Surveys) != len(pending) {
				b.err = fmt.Errorf("the API's answer to a batch of %d orders is not its surveys: %.200s", len(pending), answer)
				return
			}
			b.sent, b.surveys = pending, got.Surveys
			return
		case http.StatusBadRequest:
			refused := refusedOrders(answer, len(pending))
			if len(refused) == 0 {
				b.err = fmt.Errorf("the API refused a batch: %s", apiMessage(answer))
				return
			}
			var rest []*ordercsv.Order
			for i, o := range pending {
				if p, ok := refused[i]; ok {
					b.refused = append(b.refused, refusal{order: o, problems: p, by: " (refused by the API)"})
				} else {
					rest = append(rest, o)
				}
			}
			pending = rest
		case http.StatusUnauthorized, http.StatusForbidden:
			b.err = fmt.Errorf("the API refused the key (%d): %s; use a key of the store with the owner or ingest role", status, apiMessage(answer))
			return
		default:
			b.err = fmt.Errorf("the API answered %d: %s", status, apiMessage(answer))
			return
		}
	}
}

// apply counts an answered batch, lists its invalid and too-old orders,
// and saves the state after it.
func (im *importer) apply(b *batch, header int) error {
	c := &im.state.Counts
	c.Rows += b.rows
	c.Orders += b.read
	for _, r := range slices.Concat(b.invalid, b.refused) {
		if err := im.refuse(r.order, r.problems, r.by); err != nil {
			return err
		}
	}
	if im.dryRun {
		c.Valid += len(b.sent)
	}
	for i, s := range b.surveys {
		switch o := b.sent[i]; {
		case !s.Created:
			c.Known++
		case s.Status == closeloop.StatusExpired:
			c.TooOld++
			entry := fmt.Sprintf("line %d (order %q): purchased %s, longer ago than the store's survey expiry; recorded, never surveyed",
				o.Line, o.OrderID, o.PurchasedAt.UTC().Format(time.RFC3339))
			if err := im.list(&im.state.TooOld, "too old", entry); err != nil {
				return err
			}
		default:
			c.Accepted++
		}
	}
	im.state.At = b.end
	if err := im.saveState(); err != nil {
		return err
	}
	im.progress.update(b.end.Line-header, im.now(), false)
	return nil
}

// refuse counts an invalid order and lists its problems by line.
func (im *importer) refuse(o *ordercsv.Order, problems closeloop.Problems, by string) error {
	im.state.Counts.Invalid++
	fields := make([]string, 0, len(problems))
	for field := range problems {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	parts := make([]string, len(fields))
	for i, field := range fields {
		parts[i] = field + " " + problems[field]
		if line := o.ProblemLine(field); line != o.Line {
			parts[i] += " (line " + strconv.Itoa(line) + ")"
		}
	}
	entry := fmt.Sprintf("line %d (order %q): %s%s", o.Line, o.OrderID, strings.Join(parts, "; "), by)
	return im.list(&im.state.Invalid, "invalid", entry)
}

// list writes an entry to the report file and keeps it for the summary
// while fewer than im.listed are kept.
func (im *importer) list(kept *[]string, kind, entry string) error {
	if len(*kept) < im.listed {
		*kept = append(*kept, entry)
	}
	if im.report == nil {
		f, err := os.OpenFile(im.reportPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		im.report = f
	}
	n, err := fmt.Fprintf(im.report, "%s: %s\n", kind, entry)
	im.state.ReportSize += int64(n)
	return err
}

// post sends a batch, again after a network error, 429, 502, 503 or 504,
// waiting as Retry-After says or longer each time. A batch sent again is
// safe: the API creates an order's survey once. Interrupted while waiting,
// it gives the batch up (its answer unknown: it is sent again on resume);
// a request under way is let finish.
func (im *importer) post(ctx context.Context, body []byte) (int, []byte, error) {
	const attempts = 8
	wait := im.retryBase
	for attempt := 1; ; attempt++ {
		status, answer, after, err := im.postOnce(ctx, body)
		var why string
		switch {
		case err != nil:
			why = err.Error()
		case status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
			status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
			why = fmt.Sprintf("the API answered %d", status)
		default:
			return status, answer, nil
		}
		if attempt == attempts {
			return 0, nil, fmt.Errorf("gave up after %d attempts: %s", attempts, why)
		}
		pause := wait + rand.N(wait/4+1)
		if after >= 0 {
			pause = min(after, 5*time.Minute)
		}
		im.progress.println(fmt.Sprintf("%s; retrying in %s", why, pause.Round(10*time.Millisecond)))
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(pause):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// postOnce posts body once. after is the answer's Retry-After, -1 when it
// has none.
func (im *importer) postOnce(ctx context.Context, body []byte) (status int, answer []byte, after time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, im.api+"/v1/orders", bytes.NewReader(body))
	if err != nil {
		return 0, nil, -1, err
	}
	req.Header.Set("Authorization", "Bearer "+im.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := im.client.Do(req)
	if err != nil {
		return 0, nil, -1, err
	}
	defer resp.Body.Close()
	answer, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, nil, -1, err
	}
	return resp.StatusCode, answer, retryAfter(resp.Header.Get("Retry-After"), im.now()), nil
}

// retryAfter reads a Retry-After header, seconds or an HTTP date; -1 when
// there is none.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

var orderField = regexp.MustCompile(`^orders\[(\d+)\]\.(.+)$`)

// refusedOrders reads the problems of a 400 answer by order: fields
// orders[i].field.
func refusedOrders(answer []byte, n int) map[int]closeloop.Problems {
	var body struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(answer, &body) != nil {
		return nil
	}
	refused := map[int]closeloop.Problems{}
	for field, problem := range body.Error.Fields {
		m := orderField.FindStringSubmatch(field)
		if m == nil {
			continue
		}
		if i, err := strconv.Atoi(m[1]); err == nil && i < n {
			if refused[i] == nil {
				refused[i] = closeloop.Problems{}
			}
			refused[i].Add(m[2], problem)
		}
	}
	return refused
}

// apiMessage is an error answer's message and fields, or its first bytes.
func apiMessage(answer []byte) string {
	var body struct {
		Error struct {
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(answer, &body) != nil || body.Error.Message == "" {
		return fmt.Sprintf("%.200q", answer)
	}
	if len(body.Error.Fields) == 0 {
		return body.Error.Message
	}
	fields := make([]string, 0, len(body.Error.Fields))
	for field, problem := range body.Error.Fields {
		fields = append(fields, field+": "+problem)
	}
	sort.Strings(fields)
	return body.Error.Message + " (" + strings.Join(fields, "; ") + ")"
}

// summary prints the counts and the first lines listed.
func (im *importer) summary() {
	c := im.state.Counts
	w := im.out
	if im.dryRun {
		fmt.Fprintf(w, "Dry run of %s, nothing sent: %d rows, %d orders\n", im.path, c.Rows, c.Orders)
		fmt.Fprintf(w, "  valid, to send:  %d\n", c.Valid)
	} else {
		fmt.Fprintf(w, "%s: %d rows, %d orders\n", im.path, c.Rows, c.Orders)
		fmt.Fprintf(w, "  accepted:       %d (surveys created)\n", c.Accepted)
		fmt.Fprintf(w, "  already known:  %d (posted before: nothing created)\n", c.Known)
		fmt.Fprintf(w, "  too old:        %d (recorded, never surveyed)\n", c.TooOld)
		for _, entry := range im.state.TooOld {
			fmt.Fprintf(w, "    %s\n", entry)
		}
	}
	fmt.Fprintf(w, "  invalid:        %d (not sent)\n", c.Invalid)
	for _, entry := range im.state.Invalid {
		fmt.Fprintf(w, "    %s\n", entry)
	}
	if c.Invalid > len(im.state.Invalid) || c.TooOld > len(im.state.TooOld) {
		fmt.Fprintf(w, "Every invalid and too-old line is listed in %s.\n", im.reportPath())
	}
}

// loadState reads the state an interrupted import left, nil when there is
// none. A file whose size changed since is not resumed.
func (im *importer) loadState(size int64) (*ordercsv.Position, error) {
	data, err := os.ReadFile(im.statePath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &im.state); err != nil {
		return nil, fmt.Errorf("%s is not an import's state (%v): import with -restart", im.statePath(), err)
	}
	if im.state.Size != size {
		return nil, fmt.Errorf("%s changed since its import was interrupted (%d bytes, then %d): import it with -restart",
			im.path, size, im.state.Size)
	}
	// Entries written after the last batch answered are written again.
	if err := os.Truncate(im.reportPath(), im.state.ReportSize); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	im.saved = im.state
	at := im.state.At
	return &at, nil
}

// saveState writes the state next to the CSV, replacing the file whole so
// that an interruption while writing leaves the previous state.
func (im *importer) saveState() error {
	if im.dryRun {
		return nil
	}
	data, err := json.Marshal(im.state)
	if err != nil {
		return err
	}
	tmp := im.statePath() + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, im.statePath()); err != nil {
		return err
	}
	im.saved = im.state
	im.saved.Invalid, im.saved.TooOld = slices.Clone(im.state.Invalid), slices.Clone(im.state.TooOld)
	return nil
}

// countLines counts the lines of f, reading it once in blocks, and leaves
// it at its start.
func countLines(f *os.File) (int, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	buf := make([]byte, 64<<10)
	lines, last := 0, byte('\n')
	for {
		n, err := br.Read(buf)
		if n > 0 {
			lines += bytes.Count(buf[:n], []byte{'\n'})
			last = buf[n-1]
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		lines++
	}
	_, err := f.Seek(0, io.SeekStart)
	return lines, err
}
