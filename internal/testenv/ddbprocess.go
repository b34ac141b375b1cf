package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The environment variables infra/test.sh sets for a test that runs a
// DynamoDB Local of its own: the jar, the loopback launcher stack.sh
// writes, and a port no other run of make test uses.
const (
	EnvDynamoDBJar      = "CLOSELOOP_TEST_DYNAMODB_JAR"
	EnvDynamoDBLauncher = "CLOSELOOP_TEST_DYNAMODB_LAUNCHER"
	EnvSparePort        = "CLOSELOOP_TEST_SPARE_PORT"
)

// DynamoDBProcess is a DynamoDB Local of one test's own, keeping its data
// in files (not in memory), so that the test can kill it and start it
// again on the same data, as an outage of the real service.
type DynamoDBProcess struct {
	// URL is its endpoint, http://127.0.0.1:port.
	URL  string
	args []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartDynamoDB starts DynamoDB Local on the spare port with its data under
// a directory of the test's own, waits until it answers and kills it when
// the test ends.
func StartDynamoDB(t testing.TB) *DynamoDBProcess {
	t.Helper()
	jar, launcher := getenv(t, EnvDynamoDBJar), getenv(t, EnvDynamoDBLauncher)
	port, err := strconv.Atoi(getenv(t, EnvSparePort))
	if err != nil {
		t.Fatalf("%s: %v", EnvSparePort, err)
	}
	dir := t.TempDir()
	p := &DynamoDBProcess{
		URL: fmt.Sprintf("http://127.0.0.1:%d", port),
		args: []string{"-Djava.library.path=" + filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"), "-cp", jar,
			launcher, "-dbPath", dir, "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port)},
		log: filepath.Join(dir, "dynamodb.log"),
	}
	t.Cleanup(func() { p.Kill(t) })
	p.Start(t)
	return p
}

// Start starts the process on its data and waits up to a minute until it
// answers HTTP.
func (p *DynamoDBProcess) Start(t testing.TB) {
	t.Helper()
	log, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("java", p.args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start DynamoDB Local: %v", err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(p.done)
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(time.Minute)
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, p.URL+"/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-p.done:
			data, _ := os.ReadFile(p.log)
			t.Fatalf("DynamoDB Local exited at start:\n%s", data)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("DynamoDB Local did not answer on %s within a minute", p.URL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits until it
// is gone; it does nothing when the process is not running.
func (p *DynamoDBProcess) Kill(t testing.TB) {
	t.Helper()
	if p.cmd == nil {
		return
	}
	select {
	case <-p.done:
	default:
		if err := p.cmd.Process.Kill(); err != nil { // SIGKILL on Unix
			t.Errorf("kill DynamoDB Local: %v", err)
		}
		<-p.done
	}
	p.cmd = nil
}
