// Command coldstart measures what issue 14 asks of every function's
// binary: its size as SAM builds it (linux/arm64, stripped) and its cold
// start. Each function's bootstrap, built for the host as the e2e tests
// build it, is started -runs times as a fresh process under the Lambda
// Runtime Interface Emulator, interleaved run by run with two references
// built the same way: hello (a bare aws-lambda-go function) and the floor
// of the function (floor-<clients>: the AWS configuration and the clients
// it needs, nothing else). It prints markdown tables and, with -json, writes
// the figures with each target's verdict to a file (make bench's).
//
// Init is the emulator's INIT REPORT: from starting the bootstrap until
// it asks for its first event. First response is the invoke as the caller
// sees it, from sending the first event to its response, init included.
//
// Each function's first event is a realistic one that needs AWS requests
// (seed.go: a page view of a sent survey, an API call, the dashboard's
// overview signed in, its schedule over a table with nothing due, a sample
// batch from events/), answered from the local stack: the
// one infra/test.sh started (CLOSELOOP_TEST_*_URL), or else one this
// command starts with infra/stack.sh on -ports. Each function has a table
// like the product's (template.yaml), seeded with what its event needs
// and put back to that seed before every cold start, so that every start
// makes the same requests. The webhook worker gets a store without a
// webhook URL: the production binary refuses loopback receivers, so its
// POST cannot be measured here.
//
// Before the timed runs, five cold starts of each function go through a
// recording proxy in front of each service, which keeps every request
// (the SDK clients' own record, internal/callrec, must name the same
// operations, and each start the same ones); requests that overlapped in
// time share a stage, and the start with the fewest stages is kept, as
// the scheduler can start independent requests apart. After each
// timed cold start the bench puts the table back and sends the recorded
// requests again, byte for byte in their order, over warm keep-alive
// connections, timing each. The first-response target is the floor's
// median first response plus, over the stages, the longest request's
// median: the time the requests need with independent ones in parallel.
// A third reference, floor-ddb-get, is floor-ddb answering after one
// GetItem, measured the same way: what its first response takes beyond
// floor-ddb's and the GetItem's is the fixed cost of a fresh process's
// first request, which that target does not allow for.
//
//	go run ./bench/coldstart -rie .local/bin/aws-lambda-rie [-runs 30] [-json FILE] [-ports "18000 18005 15005"]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/closeloop/closeloop/internal/callrec"
	"github.com/closeloop/closeloop/internal/render"
)

// sizeTarget is the limit on a function's binary, in MiB.
const sizeTarget = 12.0

// initTarget is the limit on a function's init against its floor's.
const initTarget = 1.1

// target is one bootstrap the benchmark starts.
type target struct {
	name  string // directory under functions/ or bench/coldstart/
	floor string // the reference with the function's clients; "" for a reference
}

// functions are the product's functions with their floors; their first
// events are their fixtures' (seed.go).
var functions = []target{
	{"admin", "floor-ddb"},
	{"dashboard", "floor-ddb-ses"}, // it sends the sign-in email
	{"digest", "floor-ddb-ses"},
	{"dispatch", "floor-ddb-ses"},
	{"followup", "floor-ddb-ses"},
	{"public", "floor-ddb-sqs"},
	{"relay", "floor-ddb-ses-sqs"},
	{"replies", "floor-ddb-ses"},
	{"sesevents", "floor-ddb"},
	{"shophooks", "floor-ddb-ses"},
	{"sla", "floor-ddb-ses"},
	{"webhook", "floor-ddb-sqs"},
}

// references answer an empty object without a request.
var references = []target{
	{"hello", ""},
	{"floor-ddb", ""},
	{"floor-ddb-ses", ""},
	{"floor-ddb-sqs", ""},
	{"floor-ddb-ses-sqs", ""},
	{"floor-ddb-get", ""}, // floor-ddb with one GetItem
}

// measured are the bootstraps whose first event makes requests: the
// functions and floor-ddb-get.
func measured() []target {
	return append(slices.Clone(functions), target{"floor-ddb-get", "floor-ddb"})
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

func run() error {
	rie := flag.String("rie", ".local/bin/aws-lambda-rie", "the Runtime Interface Emulator")
	runs := flag.Int("runs", 30, "cold starts of each bootstrap")
	out := flag.String("json", "", "write the figures to this file as JSON")
	defaultPorts := os.Getenv("CLOSELOOP_TEST_PORTS")
	if defaultPorts == "" {
		defaultPorts = "18000 18005 15005"
	}
	ports := flag.String("ports", defaultPorts, "DynamoDB, SES and SQS ports of the stack it starts when infra/test.sh's is not set")
	flag.Parse()
	if _, err := os.Stat(*rie); err != nil {
		return fmt.Errorf("%v (infra/stack.sh install builds it)", err)
	}
	emulator, err := filepath.Abs(*rie)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sizes, err := armSizes(filepath.Join(dir, "arm64"))
	if err != nil {
		return err
	}
	bin := filepath.Join(dir, "host")
	all := append(slices.Clone(functions), references...)
	if err := build(bin, runtime.GOOS, runtime.GOARCH, nil, all); err != nil {
		return err
	}
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		return err
	}

	st, err := openStack(*ports)
	if err != nil {
		return err
	}
	defer st.stop()
	ctx := context.Background()
	queues := map[string]string{}
	for env, name := range map[string]string{"FOLLOWUP_QUEUE_URL": "coldstart-followup", "WEBHOOK_QUEUE_URL": "coldstart-webhook", "SHOPHOOKS_QUEUE_URL": "coldstart-shophooks"} {
		if queues[env], err = st.queue(ctx, name); err != nil {
			return err
		}
	}
	fixtures := map[string]*fixture{}
	for _, t := range measured() {
		if fixtures[t.name], err = prepare(ctx, st, t.name, queues); err != nil {
			return err
		}
	}
	// Cold starts of each function through a recording proxy find the
	// requests its event makes; the SDK clients' own record of their calls
	// (internal/callrec) must name the same operations.
	rec, err := newRecorder(map[string]string{"DynamoDB": st.ddbURL, "SESv2": st.sesURL, "SQS": st.sqsURL})
	if err != nil {
		return err
	}
	requests, outsides := map[string][]request{}, map[string]Outside{}
	for _, t := range measured() {
		var before, between, after []float64
		for i := range recordings {
			reqs, out, err := record(ctx, st, rec, emulator, filepath.Join(bin, t.name), home, filepath.Join(dir, fmt.Sprintf("calls-%s-%d", t.name, i)), t.name, fixtures[t.name])
			if err != nil {
				return fmt.Errorf("%s, recording its requests: %w", t.name, err)
			}
			if i > 0 && !sameOperations(reqs, requests[t.name]) {
				return fmt.Errorf("%s made other requests on its recorded starts: %v, then %v", t.name, names(requests[t.name]), names(reqs))
			}
			// Requests one waits for never overlap, and independent ones
			// overlap unless the scheduler started them apart: the start
			// with the fewest stages is the truest.
			if i == 0 || stages(reqs) < stages(requests[t.name]) {
				requests[t.name] = reqs
			}
			before, between, after = append(before, out.Before), append(between, out.Between), append(after, out.After)
		}
		outsides[t.name] = Outside{Before: quantile(before, .5), Between: quantile(between, .5), After: quantile(after, .5)}
	}
	rec.close()
	direct := endpoints{st.ddbURL, st.sesURL, st.sqsURL}
	replay := newReplayer()

	results := map[string]*samples{}
	for _, t := range all {
		results[t.name] = &samples{}
		if f := fixtures[t.name]; f != nil {
			results[t.name].requests = make([][]float64, len(requests[t.name]))
		}
	}
	// Interleaved: every run starts each bootstrap once, in an order
	// rotated per run, so that the machine's load drifts over all alike;
	// after each function's cold start its requests are sent again from
	// here, each once, over warm connections, from the same seed.
	for r := 0; r < *runs; r++ {
		for i := range all {
			t := all[(i+r)%len(all)]
			f := fixtures[t.name]
			env, event := environment(home, t.name, direct, f), []byte("{}")
			if f != nil {
				event = f.event
			}
			// Another process can take a free port before the emulator
			// binds it: a failed start is tried again, twice.
			var s sample
			for attempt := 1; ; attempt++ {
				if f != nil {
					if err = st.restore(ctx, f.table, f.seed); err != nil {
						return err
					}
				}
				var resp []byte
				s, resp, err = coldStart(emulator, filepath.Join(bin, t.name), env, event)
				if err == nil && f != nil {
					err = f.check(resp)
				}
				if err == nil {
					break
				}
				if attempt == 3 {
					return fmt.Errorf("run %d: %s: %w", r+1, t.name, err)
				}
				fmt.Fprintf(os.Stderr, "coldstart: run %d: %s: %v; trying again\n", r+1, t.name, firstLine(err))
			}
			results[t.name].add(s)
			if f == nil {
				continue
			}
			if err := st.restore(ctx, f.table, f.seed); err != nil {
				return err
			}
			for j, req := range requests[t.name] {
				ms, err := replay.send(req)
				if err != nil {
					return fmt.Errorf("run %d: %s: %w", r+1, t.name, err)
				}
				results[t.name].requests[j] = append(results[t.name].requests[j], ms)
			}
		}
		fmt.Fprintf(os.Stderr, "coldstart: run %d of %d\n", r+1, *runs)
	}
	parse := measureParse(*runs)
	fig := figures(sizes, results, requests, outsides, *runs, parse)
	printSizes(sizes)
	printColdStarts(fig)
	if *out != "" {
		return writeJSON(*out, fig)
	}
	return nil
}

// recordings are the recorded cold starts of each function.
const recordings = 5

// record starts the function once with its AWS endpoints on the recording
// proxies and its SDK clients recording their calls into calls, and
// returns the requests its first event made.
func record(ctx context.Context, st *stack, rec *recorder, emulator, bootstrap, home, calls, name string, f *fixture) ([]request, Outside, error) {
	if err := st.restore(ctx, f.table, f.seed); err != nil {
		return nil, Outside{}, err
	}
	env := environment(home, name, endpoints{rec.urls["DynamoDB"], rec.urls["SESv2"], rec.urls["SQS"]}, f,
		callrec.EnvDir+"="+calls)
	s, resp, err := coldStart(emulator, bootstrap, env, f.event)
	if err == nil {
		err = f.check(resp)
	}
	reqs := rec.take()
	if err != nil {
		return nil, Outside{}, err
	}
	if packageDir(name) != "functions/"+name {
		return reqs, outside(reqs, s), nil // a reference records no calls of its own
	}
	return reqs, outside(reqs, s), checkCalls(reqs, calls)
}

// build builds the targets' commands into dir, named after their
// directories, as the e2e tests build the bootstraps (or, with ldflags, as
// the Makefile's SAM targets do), in one go build.
func build(dir, goos, goarch string, ldflags []string, targets []target) error {
	args := append([]string{"build", "-tags", "lambda.norpc", "-trimpath"}, ldflags...)
	args = append(args, "-o", dir+string(filepath.Separator))
	for _, t := range targets {
		args = append(args, "./"+packageDir(t.name))
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("GOOS=%s GOARCH=%s go %s: %v\n%s", goos, goarch, strings.Join(args, " "), err, out)
	}
	return nil
}

func packageDir(name string) string {
	if name == "hello" || strings.HasPrefix(name, "floor") {
		return "bench/coldstart/" + name
	}
	return "functions/" + name
}

// armSizes builds every function as `sam build` does and returns each
// binary's size in bytes.
func armSizes(dir string) (map[string]int64, error) {
	if err := build(dir, "linux", "arm64", []string{"-ldflags=-s -w"}, functions); err != nil {
		return nil, err
	}
	sizes := map[string]int64{}
	for _, t := range functions {
		fi, err := os.Stat(filepath.Join(dir, t.name))
		if err != nil {
			return nil, err
		}
		sizes[t.name] = fi.Size()
	}
	return sizes, nil
}

// sample is one cold start, in milliseconds, with when its event was sent
// and answered.
type sample struct {
	init, first    float64
	sent, answered time.Time
}

// samples are a bootstrap's cold starts and, for a function, the times of
// each request of its first event sent again.
type samples struct {
	init, first []float64
	requests    [][]float64
}

func (s *samples) add(x sample) {
	s.init = append(s.init, x.init)
	s.first = append(s.first, x.first)
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// coldStart starts the emulator with the bootstrap in env, invokes it
// with event and reads its INIT REPORT; it returns the function's
// response beside the times.
func coldStart(rie, bootstrap string, env []string, event []byte) (sample, []byte, error) {
	port, apiPort, err := freePorts()
	if err != nil {
		return sample{}, nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var log lockedBuffer
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return sample{}, nil, err
	}
	defer stop(cmd)
	if err := awaitListening(addr, 10*time.Second); err != nil {
		return sample{}, nil, fmt.Errorf("the emulator: %v\n%s", err, log.String())
	}
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return sample{}, nil, fmt.Errorf("invoke: %v\n%s", err, log.String())
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("the emulator answered %s: %s", resp.Status, body)
	}
	if err == nil && bytes.Contains(body, []byte(`"errorType"`)) {
		err = fmt.Errorf("the function failed: %s", body)
	}
	if err != nil {
		return sample{}, nil, fmt.Errorf("invoke: %v\n%s", err, log.String())
	}
	first, answered := float64(took.Microseconds())/1000, start.Add(took)
	// The emulator logs INIT REPORT before it hands over the event.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := initReport.FindStringSubmatch(log.String()); m != nil {
			init, _ := strconv.ParseFloat(m[1], 64)
			return sample{init: init, first: first, sent: start, answered: answered}, body, nil
		}
		if time.Now().After(deadline) {
			return sample{}, nil, fmt.Errorf("no INIT REPORT in the emulator's log:\n%s", log.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// endpoints are where the bootstraps' AWS clients send their requests.
type endpoints struct{ dynamoDB, ses, sqs string }

// environment is a bootstrap's: the variables template.yaml gives the
// functions, static credentials, the AWS endpoints, and for a function
// its table, queues and its fixture's variables, then extra.
func environment(home, name string, at endpoints, f *fixture, extra ...string) []string {
	vars := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": home,
		"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_TIMEOUT": "20",
		"AWS_ENDPOINT_URL_DYNAMODB": at.dynamoDB, "AWS_ENDPOINT_URL_SESV2": at.ses, "AWS_ENDPOINT_URL_SQS": at.sqs,
		"TABLE_NAME": "bench", "STAGE": "bench", "PUBLIC_BASE_URL": "https://bench.example", "SENDER_ADDRESS": "bench@bench.example",
		"REPLY_DOMAIN": "reply.example.com",
	}
	if f != nil {
		vars["TABLE_NAME"] = f.table
		for k, v := range f.env {
			vars[k] = v
		}
	}
	env := make([]string, 0, len(vars)+len(extra))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return append(env, extra...)
}

// stop kills the bootstrap (a child of the emulator) and the emulator.
func stop(cmd *exec.Cmd) {
	for _, pid := range children(cmd.Process.Pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
}

// children lists the processes whose parent is pid, from /proc.
func children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, child)
		}
	}
	return pids
}

func freePorts() (int, int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports[0], ports[1], nil
}

func awaitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// measureParse times parsing every survey page and email template, in
// process: what each function that renders did at cold start before
// render parsed each template on its first use.
func measureParse(runs int) []float64 {
	var ms []float64
	for range runs {
		start := time.Now()
		r, err := render.New()
		if err == nil {
			err = r.Check()
		}
		if err != nil {
			panic(err)
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	return ms
}

// quantile is the nearest-rank q-quantile of xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func printSizes(sizes map[string]int64) {
	fmt.Println("### Binary sizes")
	fmt.Println()
	fmt.Println("linux/arm64, `-tags lambda.norpc -trimpath -ldflags=\"-s -w\"` as the Makefile's SAM targets build them; MiB (2^20 bytes).")
	fmt.Println()
	fmt.Println("| function | size MiB | target MiB | met |")
	fmt.Println("|---|---:|---:|---|")
	for _, t := range functions {
		mib := float64(sizes[t.name]) / (1 << 20)
		fmt.Printf("| %s | %.2f | %.0f | %s |\n", t.name, mib, sizeTarget, yes(mib <= sizeTarget))
	}
	fmt.Println()
}

func printColdStarts(r Results) {
	fmt.Println("### Cold start")
	fmt.Println()
	fmt.Printf("%d fresh processes of each host-built bootstrap under aws-lambda-rie, interleaved; ms, median (p10–p90). "+
		"Init: the emulator's INIT REPORT (bootstrap started → asks for its first event). "+
		"First response: the first invoke as the caller sees it, init included, its event answered from the local stack "+
		"(a table of its own put back to its seed before each start). "+
		"Targets: init ≤ %.1f × the floor's; first response ≤ the floor's + the requests' critical path, "+
		"the median of each request the event made (recorded through a proxy) sent again from the bench over warm connections "+
		"after each cold start, requests that overlapped counted once, as the longest.\n", r.Runs, r.Targets.InitRatio)
	fmt.Println()
	fmt.Println("| function | init | floor | floor init | init ÷ floor | met | first response | floor first response | requests | target | met |")
	fmt.Println("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---|")
	for _, f := range r.Functions {
		fmt.Printf("| %s | %s | %s | %s | %.2f | %s | %s | %s | %.2f | %.2f | %s |\n",
			f.Function, f.InitMs, f.Floor, f.FloorInitMs, f.InitRatio, yes(f.InitMet),
			f.FirstResponseMs, f.FloorFirstMs, f.RequestsMs, f.FirstResponseLimit, yes(f.FirstResponseMet))
	}
	fmt.Println()
	fmt.Println("Requests: each as the function made it, numbered by stage (overlapping ones share one), median (p10–p90) ms sent again. " +
		"Outside them, the median of the recorded starts (through the proxy): from the invoke, less init, to the first request; between the stages; from the last answer to the response.")
	fmt.Println()
	fmt.Println("| function | first event | requests | outside requests: before / between / after ms |")
	fmt.Println("|---|---|---|---:|")
	for _, f := range r.Functions {
		var reqs []string
		for _, q := range f.Requests {
			reqs = append(reqs, fmt.Sprintf("%d. %s %s %s", q.Stage+1, q.Service, q.Operation, q.Ms))
		}
		if len(reqs) == 0 {
			reqs = []string{"none"}
		}
		fmt.Printf("| %s | %s | %s | %.2f / %.2f / %.2f |\n", f.Function, f.Event, strings.Join(reqs, "; "),
			f.Outside.Before, f.Outside.Between, f.Outside.After)
	}
	fmt.Println()
	fmt.Println("| reference | init | first response |")
	fmt.Println("|---|---:|---:|")
	for _, ref := range r.Refs {
		fmt.Printf("| %s | %s | %s |\n", ref.Reference, ref.InitMs, ref.FirstResponseMs)
	}
	fmt.Println()
	for _, ref := range r.Refs {
		if ref.RequestsMs > 0 {
			fmt.Printf("%s (floor-ddb answering after one GetItem of a missing item) takes %.2f ms to its first response: floor-ddb's %.2f, "+
				"the GetItem's %.2f from a warm client, and %.2f ms more, what a fresh process's first request costs beyond its latency "+
				"(the connection, the SDK's first call); the first-response targets above do not allow for it.\n\n",
				ref.Reference, ref.FirstResponseMs.Median, ref.FirstResponseMs.Median-ref.RequestsMs-ref.FirstRequestMs, ref.RequestsMs, ref.FirstRequestMs)
		}
	}
	fmt.Printf("hello's init median is %.2f ms. Parsing every survey page and email template (render.New and Check, in process; now each is parsed on its first use): %s ms.\n",
		r.Refs[0].InitMs.Median, r.ParseMs)
	fmt.Println()
}

func (s Spread) String() string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.Median, s.P10, s.P90)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// lockedBuffer is the emulator's output, written by its process and read
// while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
