//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
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
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/closeloop/closeloop/internal/callrec"
	"github.com/closeloop/closeloop/internal/testenv"
)

// functionNames are the functions under functions/ the tests run.
var functionNames = []string{"admin", "dispatch", "public", "relay", "followup", "webhook", "sla", "digest", "sesevents", "shophooks", "dashboard"}

// functionID is the logical id in template.yaml of the function under
// functions/name.
func functionID(name string) string {
	if name == "sesevents" {
		return "SesEventsFunction"
	}
	if name == "shophooks" {
		return "ShopHooksFunction"
	}
	return strings.ToUpper(name[:1]) + name[1:] + "Function"
}

// binaries are the bootstraps, built once per test binary into dir (made
// and removed by TestMain).
var binaries struct {
	once sync.Once
	dir  string
	err  error
}

// bootstrap returns the path of the function's bootstrap, building every
// function on the first call.
func bootstrap(t *testing.T, fn string) string {
	t.Helper()
	root := testenv.RepoRoot(t)
	binaries.once.Do(func() { binaries.err = buildBootstraps(root, binaries.dir) })
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return filepath.Join(binaries.dir, fn, "bootstrap")
}

// buildBootstraps builds every function as for Lambda but for the host, in
// one go build (the packages share their compiled dependencies and link in
// parallel), into dir/<fn>/bootstrap.
func buildBootstraps(root, dir string) error {
	out := filepath.Join(dir, "bin")
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", out + string(filepath.Separator)}
	for _, fn := range functionNames {
		args = append(args, "./functions/"+fn)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	// The host's platform, whatever the developer's shell exports for sam build.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("CGO_ENABLED=0 go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	for _, fn := range functionNames {
		if err := os.MkdirAll(filepath.Join(dir, fn), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(out, fn), filepath.Join(dir, fn, "bootstrap")); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: built %d bootstraps in %v\n", len(functionNames), time.Since(start).Round(time.Millisecond))
	return nil
}

// function is one bootstrap running under aws-lambda-rie.
type function struct {
	name    string
	url     string // the emulator's invoke URL
	logPath string // the emulator's and the function's output
}

// startFunction runs the function's bootstrap under aws-lambda-rie on two
// free loopback ports with an environment of the static test credentials,
// PATH, an empty HOME (no ~/.aws) and env, and waits until the emulator
// accepts invokes. The emulator is stopped when the test ends; its log is
// attached to the test's output when the test failed.
func startFunction(t *testing.T, name string, env map[string]string) *function {
	t.Helper()
	checkTemplateEnv(t, name, env)
	rie := testenv.RIE(t)
	boot := bootstrap(t, name)
	f := &function{name: name, logPath: filepath.Join(t.TempDir(), name+"-rie.log")}
	logFile, err := os.Create(f.logPath)
	if err != nil {
		t.Fatal(err)
	}
	// The emulator writes straight to the file, so its REPORT line is there
	// before the invoke's response is.
	t.Cleanup(func() { logFile.Close() })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: aws-lambda-rie log:\n%s", name, f.log(t))
		}
	})
	environ := functionEnv(t, name, env)
	// Another process can take a free port before the emulator binds it.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		port, apiPort := testenv.FreePort(t), testenv.FreePort(t)
		if port == apiPort {
			continue
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(rie,
			"--runtime-interface-emulator-address", addr,
			"--runtime-api-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort)),
			boot)
		cmd.Dir = filepath.Dir(boot)
		cmd.Env = environ
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", rie, err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		err := awaitListening(addr, exited, 10*time.Second)
		if err == nil {
			t.Cleanup(func() { stop(t, cmd, exited) })
			f.url = "http://" + addr + "/2015-03-31/functions/function/invocations"
			return f
		}
		stop(t, cmd, exited)
		if attempt == attempts {
			t.Fatalf("%s: aws-lambda-rie on %s: %v; log:\n%s", name, addr, err, f.log(t))
		}
	}
}

// functionEnv is the emulator's environment, which it hands on to the
// function. Nothing comes from the developer's environment but PATH.
func functionEnv(t *testing.T, name string, extra map[string]string) []string {
	t.Helper()
	env := map[string]string{
		"PATH":                        os.Getenv("PATH"),
		"HOME":                        t.TempDir(),
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_REGION":                  testenv.Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_LAMBDA_FUNCTION_NAME":    name,
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "20",
	}
	// Under make test the bootstrap records its AWS calls, labelled with
	// AWS_LAMBDA_FUNCTION_NAME (the function's directory name), for the
	// permissions test, like the in-process handlers. A test-only variable
	// template.yaml never gives: checkTemplateEnv checks only extra.
	if dir := os.Getenv(callrec.EnvDir); dir != "" {
		env[callrec.EnvDir] = dir
	}
	for k, v := range extra {
		env[k] = v
	}
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return list
}

// checkTemplateEnv fails the test when env sets a variable of the
// product's own (not an AWS_ endpoint of the local stack) that
// template.yaml does not give the function: such a test would pass where
// the deployed function cannot start.
func checkTemplateEnv(t *testing.T, name string, env map[string]string) {
	t.Helper()
	id := functionID(name)
	given := templateVariables(t, id)
	for k := range env {
		if !strings.HasPrefix(k, "AWS_") && !slices.Contains(given, k) {
			t.Fatalf("%s: the test sets %s, which template.yaml does not give %s (it gives %q)", name, k, id, given)
		}
	}
}

// templateVariables lists the environment variables template.yaml gives
// the function with logical id id: Globals' and its own.
func templateVariables(t *testing.T, id string) []string {
	t.Helper()
	type environment struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	}
	var tpl struct {
		Globals struct {
			Function struct {
				Environment environment `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Environment environment `yaml:"Environment"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	fn, ok := tpl.Resources[id]
	if !ok || fn.Type != "AWS::Serverless::Function" {
		t.Fatalf("template.yaml has no function %s", id)
	}
	names := slices.Collect(maps.Keys(tpl.Globals.Function.Environment.Variables))
	for k := range fn.Properties.Environment.Variables {
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// awaitListening waits until addr accepts TCP connections, the process
// exits, or timeout passes.
func awaitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-exited:
			return errors.New("the emulator exited")
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			// A port taken by someone else answers too; the emulator then
			// panics at once on its failed listen.
			select {
			case <-exited:
				return errors.New("the emulator exited")
			case <-time.After(20 * time.Millisecond):
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %v: %v", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the emulator: SIGTERM to its process group, SIGKILL when it has
// not exited 3 s later. The function (in a process group of its own) exits
// when its next-invocation request to the gone emulator fails.
func stop(t *testing.T, cmd *exec.Cmd, exited <-chan struct{}) {
	t.Helper()
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(3 * time.Second):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(3 * time.Second):
		t.Errorf("aws-lambda-rie (pid %d) still running after SIGKILL", pgid)
	}
}

// log returns what the emulator and the function wrote so far.
func (f *function) log(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.logPath)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", f.logPath, err)
	}
	return string(b)
}

// invoke sends event to the function through the emulator and returns the
// function's response. A function error (an errorType in the response) or
// an emulator error fails the test.
func (f *function) invoke(t *testing.T, event []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke %s: %v", f.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("invoke %s: read the response: %v", f.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke %s: emulator answered %s: %s", f.name, resp.Status, body)
	}
	var fnErr struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fnErr) == nil && fnErr.ErrorType != "" {
		t.Fatalf("invoke %s: function error %s: %s", f.name, fnErr.ErrorType, fnErr.ErrorMessage)
	}
	return body
}

// invokeJSON invokes the function with event encoded as JSON and decodes
// its response into resp (a partial batch response, a report).
func (f *function) invokeJSON(t *testing.T, event, resp any) {
	t.Helper()
	b, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	raw := f.invoke(t, b)
	if err := json.Unmarshal(raw, resp); err != nil {
		t.Fatalf("%s: response %s: %v", f.name, raw, err)
	}
}

// reportLine matches the emulator's REPORT line of a cold start, and
// initReport rapid's own INIT REPORT line.
var (
	reportLine = regexp.MustCompile(`REPORT RequestId: \S+\s+Init Duration: ([0-9.]+) ms\s+Duration: ([0-9.]+) ms`)
	initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
)

// coldStart describes the function's cold start from the emulator's log:
// the REPORT line's Init Duration and Duration of the first invoke, and
// rapid's INIT REPORT. This emulator's Init Duration times only its
// asynchronous Init call (hundredths of a millisecond); INIT REPORT is the
// time from starting the bootstrap until it asked for its first event.
func (f *function) coldStart(t *testing.T) string {
	t.Helper()
	log := f.log(t)
	m := reportLine.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("%s: no REPORT line with an Init Duration in the emulator's log", f.name)
	}
	rapidInit := "not in the log"
	if r := initReport.FindStringSubmatch(log); r != nil {
		ms, _ := strconv.ParseFloat(r[1], 64)
		rapidInit = strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	}
	return fmt.Sprintf("REPORT Init Duration %s ms, first invoke Duration %s ms; rapid INIT REPORT %s", m[1], m[2], rapidInit)
}

// httpResponse is what an HTTP API function returned, its body decoded.
type httpResponse struct {
	Status  int
	Headers map[string]string
	Body    string
}

// invokeHTTP invokes an HTTP API function with an API Gateway HTTP API
// (v2) event and decodes its response.
func (f *function) invokeHTTP(t *testing.T, event []byte) httpResponse {
	t.Helper()
	raw := f.invoke(t, event)
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("%s: the response is not an API Gateway v2 response: %v\n%s", f.name, err, raw)
	}
	if resp.StatusCode == 0 {
		t.Fatalf("%s: the response has no statusCode: %s", f.name, raw)
	}
	body := resp.Body
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatalf("%s: body: %v", f.name, err)
		}
		body = string(b)
	}
	headers := make(map[string]string, len(resp.Headers))
	for k, v := range resp.Headers {
		headers[strings.ToLower(k)] = v
	}
	return httpResponse{Status: resp.StatusCode, Headers: headers, Body: body}
}

// loadEvent reads events/<name> with each old string replaced by its new
// one (strings.NewReplacer pairs) and, for an event with a body, sets the
// content-length header to the new body's length, as API Gateway would.
func loadEvent(t *testing.T, name string, oldnew ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "events", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(oldnew...).Replace(string(b))
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var event map[string]any
	if err := dec.Decode(&event); err != nil {
		t.Fatalf("events/%s after replacing: %v", name, err)
	}
	body, hasBody := event["body"].(string)
	headers, hasHeaders := event["headers"].(map[string]any)
	if !hasBody || !hasHeaders {
		return []byte(s)
	}
	if _, ok := headers["content-length"]; ok {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	out, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
