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
// Every function gets the same environment, with the AWS endpoints on a
// closed loopback port: the events are ones the function answers without
// an AWS request (a page that is not there, an empty batch). The scheduled
// functions have no such event; for them only init is measured.
//
//	go run ./bench/coldstart -rie .local/bin/aws-lambda-rie [-json FILE]
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
	event string // the first event; "" measures init only
}

const (
	httpMissing      = `{"version":"2.0","routeKey":"$default","rawPath":"/zz-bench-missing","rawQueryString":"","headers":{"host":"bench.example"},"requestContext":{"http":{"method":"GET","path":"/zz-bench-missing","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},"requestId":"bench","routeKey":"$default","stage":"$default"},"isBase64Encoded":false}`
	dashboardMissing = `{"version":"2.0","routeKey":"$default","rawPath":"/app/zz-bench-missing","rawQueryString":"","headers":{"host":"bench.example"},"requestContext":{"http":{"method":"GET","path":"/app/zz-bench-missing","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},"requestId":"bench","routeKey":"$default","stage":"$default"},"isBase64Encoded":false}`
	emptyBatch       = `{"Records":[]}`
)

// functions are the product's functions with their floors and first events.
var functions = []target{
	{"admin", "floor-ddb", httpMissing},
	{"dashboard", "floor-ddb-ses", dashboardMissing}, // it sends the sign-in email
	{"digest", "floor-ddb-ses", ""},
	{"dispatch", "floor-ddb-ses", ""},
	{"followup", "floor-ddb-ses", emptyBatch},
	{"public", "floor-ddb-sqs", httpMissing},
	{"relay", "floor-ddb-ses-sqs", emptyBatch},
	{"replies", "floor-ddb-ses", emptyBatch},
	{"sesevents", "floor-ddb", emptyBatch},
	{"shophooks", "floor-ddb-ses", emptyBatch},
	{"sla", "floor-ddb-ses", ""},
	{"webhook", "floor-ddb-sqs", emptyBatch},
}

var references = []target{
	{"hello", "", "{}"},
	{"floor-ddb", "", "{}"},
	{"floor-ddb-ses", "", "{}"},
	{"floor-ddb-sqs", "", "{}"},
	{"floor-ddb-ses-sqs", "", "{}"},
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
	results := map[string]*samples{}
	for _, t := range all {
		results[t.name] = &samples{}
	}
	// Interleaved: every run starts each bootstrap once, in an order
	// rotated per run, so that the machine's load drifts over all alike.
	for r := 0; r < *runs; r++ {
		for i := range all {
			t := all[(i+r)%len(all)]
			// Another process can take a free port before the emulator
			// binds it: a failed start is tried again, twice.
			var s sample
			for attempt := 1; ; attempt++ {
				s, err = coldStart(emulator, filepath.Join(bin, t.name), home, t)
				if err == nil {
					break
				}
				if attempt == 3 {
					return fmt.Errorf("run %d: %s: %w", r+1, t.name, err)
				}
				fmt.Fprintf(os.Stderr, "coldstart: run %d: %s: %v; trying again\n", r+1, t.name, firstLine(err))
			}
			results[t.name].add(s)
		}
		fmt.Fprintf(os.Stderr, "coldstart: run %d of %d\n", r+1, *runs)
	}
	parse := measureParse(*runs)
	printSizes(sizes)
	printColdStarts(results, *runs, parse)
	if *out != "" {
		return writeJSON(*out, figures(sizes, results, *runs, parse))
	}
	return nil
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

// sample is one cold start, in milliseconds; first is NaN when not measured.
type sample struct{ init, first float64 }

type samples struct{ init, first []float64 }

func (s *samples) add(x sample) {
	s.init = append(s.init, x.init)
	if !math.IsNaN(x.first) {
		s.first = append(s.first, x.first)
	}
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// coldStart starts the emulator with the bootstrap, invokes it with the
// target's event (or, for init only, an empty object it need not answer),
// and reads its INIT REPORT.
func coldStart(rie, bootstrap, home string, t target) (sample, error) {
	port, apiPort, err := freePorts()
	if err != nil {
		return sample{}, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var log lockedBuffer
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = environment(home, t.name)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	defer stop(cmd)
	if err := awaitListening(addr, 10*time.Second); err != nil {
		return sample{}, fmt.Errorf("the emulator: %v\n%s", err, log.String())
	}
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	event := t.event
	if event == "" {
		event = "{}"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type response struct {
		body []byte
		err  error
		took time.Duration
	}
	done := make(chan response, 1)
	go func() {
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(event))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- response{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("the emulator answered %s: %s", resp.Status, body)
		}
		done <- response{body: body, err: err, took: time.Since(start)}
	}()
	first := math.NaN()
	if t.event != "" {
		resp := <-done
		if resp.err != nil {
			return sample{}, fmt.Errorf("invoke: %v\n%s", resp.err, log.String())
		}
		if bytes.Contains(resp.body, []byte(`"errorType"`)) {
			return sample{}, fmt.Errorf("the function failed: %s\n%s", resp.body, log.String())
		}
		first = float64(resp.took.Microseconds()) / 1000
	}
	// The emulator logs INIT REPORT before it hands over the event.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := initReport.FindStringSubmatch(log.String()); m != nil {
			init, _ := strconv.ParseFloat(m[1], 64)
			return sample{init: init, first: first}, nil
		}
		if time.Now().After(deadline) {
			return sample{}, fmt.Errorf("no INIT REPORT in the emulator's log:\n%s", log.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// environment is every bootstrap's: the variables template.yaml gives the
// functions, static credentials, and AWS endpoints no one listens on.
func environment(home, name string) []string {
	const closed = "http://127.0.0.1:9"
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_LAMBDA_FUNCTION_TIMEOUT=20",
		"AWS_ENDPOINT_URL_DYNAMODB=" + closed, "AWS_ENDPOINT_URL_SESV2=" + closed, "AWS_ENDPOINT_URL_SQS=" + closed,
		"TABLE_NAME=bench", "STAGE=bench", "PUBLIC_BASE_URL=https://bench.example", "SENDER_ADDRESS=bench@bench.example",
		"REPLY_DOMAIN=reply.bench.example",
		"FOLLOWUP_QUEUE_URL=" + closed + "/123456789012/followup",
		"WEBHOOK_QUEUE_URL=" + closed + "/123456789012/webhook",
		"SHOPHOOKS_QUEUE_URL=" + closed + "/123456789012/shophooks",
	}
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

func printColdStarts(results map[string]*samples, runs int, parse []float64) {
	fmt.Println("### Cold start")
	fmt.Println()
	fmt.Printf("%d fresh processes of each host-built bootstrap under aws-lambda-rie, interleaved; ms, median (p10–p90). "+
		"Init: the emulator's INIT REPORT (bootstrap started → asks for its first event). "+
		"First response: the first invoke as the caller sees it, init included (a missing page or an empty batch; "+
		"the scheduled functions have no event without AWS requests: init only). "+
		"Target: init ≤ %.1f × the floor's.\n", runs, initTarget)
	fmt.Println()
	hello := results["hello"]
	fmt.Println("| function | init | floor | floor init | init ÷ floor | met | first response | floor first response |")
	fmt.Println("|---|---:|---|---:|---:|---|---:|---:|")
	for _, t := range functions {
		s, f := results[t.name], results[t.floor]
		ratio := quantile(s.init, .5) / quantile(f.init, .5)
		first, floorFirst := "init only", "–"
		if len(s.first) > 0 {
			first, floorFirst = spread(s.first), spread(f.first)
		}
		fmt.Printf("| %s | %s | %s | %s | %.2f | %s | %s | %s |\n",
			t.name, spread(s.init), t.floor, spread(f.init), ratio, yes(ratio <= initTarget), first, floorFirst)
	}
	fmt.Println()
	fmt.Println("| reference | init | first response |")
	fmt.Println("|---|---:|---:|")
	for _, t := range references {
		fmt.Printf("| %s | %s | %s |\n", t.name, spread(results[t.name].init), spread(results[t.name].first))
	}
	fmt.Println()
	fmt.Printf("hello's init median is %.2f ms. Parsing every survey page and email template (render.New and Check, in process; now each is parsed on its first use): %s ms.\n",
		quantile(hello.init, .5), spread(parse))
	fmt.Println()
}

func spread(xs []float64) string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", quantile(xs, .5), quantile(xs, .1), quantile(xs, .9))
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
