package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const benchOutput = `test.sh: a partial run
goos: linux
goarch: amd64
pkg: github.com/closeloop/closeloop/internal/closeloop
cpu: Intel(R) Xeon(R)
BenchmarkKeywordRules-2   	  172021	     13849 ns/op	   25728 B/op	      73 allocs/op
PASS
ok  	github.com/closeloop/closeloop/internal/closeloop	4.1s
pkg: github.com/closeloop/closeloop/internal/pages
2026-11-28T15:00:00Z INFO request path=/s/x
BenchmarkSurveyPageView-2 	    1485	   1614082 ns/op	         1.000 ddb-requests/op	   93920 B/op	    1103 allocs/op
BenchmarkBroken-2         	--- FAIL: BenchmarkBroken
ok  	github.com/closeloop/closeloop/internal/pages	9.0s
`

func TestParseBenchmarks(t *testing.T) {
	got := parseBenchmarks([]byte(benchOutput))
	want := []Benchmark{
		{Name: "BenchmarkKeywordRules", Package: "github.com/closeloop/closeloop/internal/closeloop", Iterations: 172021,
			Metrics: map[string]float64{"ns/op": 13849, "B/op": 25728, "allocs/op": 73}},
		{Name: "BenchmarkSurveyPageView", Package: "github.com/closeloop/closeloop/internal/pages", Iterations: 1485,
			Metrics: map[string]float64{"ns/op": 1614082, "ddb-requests/op": 1, "B/op": 93920, "allocs/op": 1103}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// The figures as the steps write them, cut down to what the summary reads
// and a little more.
const (
	capacityJSON = `{"capacity_units":[{"name":"ingest 1 order","write_units":11}],
		"cost_per_10000_surveys":{"surveys":10000,"cost":{"total_without_ses":0.4009,"ses":1.645},"target_without_ses":0.15,"target_met":false}}`
	coldstartJSON = `{"runs":5,"sizes":[{"function":"admin","bytes":9835315,"mib":9.38,"met":true},{"function":"relay","bytes":12845056,"mib":12.25,"met":false}],
		"functions":[
		{"function":"admin","floor":"floor-ddb","init_ms":{"median":4.62,"p10":4.19,"p90":6.14},"floor_init_ms":{"median":3.39},"init_ratio":1.36,"init_met":false,
		 "first_response_ms":{"median":4.5,"p10":4.1,"p90":6},"floor_first_response_ms":{"median":4.78},"first_response_target_ms":4.78,"first_response_met":true},
		{"function":"sla","floor":"floor-ddb-ses","init_ms":{"median":4},"floor_init_ms":{"median":3.93},"init_ratio":1.02,"init_met":true}],
		"targets":{"size_mib":12,"init_ratio":1.1}}`
	loadJSON     = `{"load":{"submissions":5000,"clients":64,"errors":0,"summary_exact":true,"p50_ms":40,"p99_ms":90,"bare_transact_p50_ms":20,"p50_ratio":2}}`
	fullLoadJSON = `{"load":{"submissions":5000,"clients":64,"errors":3,"summary_exact":true,"p50_ms":40,"p99_ms":90,"bare_transact_p50_ms":20,"p50_ratio":2},
		"dispatch":{"surveys":2000,"stores":5,"ceiling_sends_per_second":44.8,"set_rate":29,"achieved_rate":28.5,"max_in_one_second":29,
		 "min_store_share":0.196,"max_store_share":0.204,"below_ceiling":true,"rate_met":true,"window_met":true,"fair_met":true,"fair_share_target":0.15},
		"summary_scaling":{"median_ms_1k":30,"median_ms_100k":33,"ratio":1.1,"ratio_target":1.2,"ratio_met":true},
		"followup_latency":{"runs":20,"median_ms":1165,"p10_ms":1024,"p90_ms":2066,"poll_interval_ms":1000}}`
)

// stepsDir is a directory as infra/bench.sh leaves it: files by name.
func stepsDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func collect(t *testing.T, dir string) (Results, string, string, error) {
	t.Helper()
	jsonOut, mdOut := filepath.Join(dir, "results.json"), filepath.Join(dir, "results.md")
	var stdout bytes.Buffer
	err := run(dir, "2026-11-28T15:40:00Z", jsonOut, mdOut, &stdout)
	data, readErr := os.ReadFile(jsonOut)
	if readErr != nil {
		t.Fatalf("results.json not written (run: %v): %v", err, readErr)
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	md, readErr := os.ReadFile(mdOut)
	if readErr != nil {
		t.Fatal(readErr)
	}
	return r, string(md), stdout.String(), err
}

func verdicts(rows []Row) map[string]string {
	m := map[string]string{}
	for _, r := range rows {
		m[r.Area+": "+r.Figure] = r.Verdict
	}
	return m
}

func TestEveryStepDone(t *testing.T) {
	dir := stepsDir(t, map[string]string{
		"steps.tsv":      "benchmarks\t0\t95\ncapacity\t0\t60\ncoldstart\t0\t240\nload\t1\t400\n",
		"benchmarks.txt": benchOutput,
		"capacity.json":  capacityJSON, "capacity.md": "## Capacity units per operation\n\n| x |\n",
		"coldstart.json": coldstartJSON, "coldstart.md": "### Binary sizes\n",
		"load.json": fullLoadJSON, "load.md": "\n## Load: 5000 survey submissions\n",
	})
	r, md, stdout, err := collect(t, dir)
	// The load benchmark fails on its missed target (3 errors): make bench
	// fails with it, and the figures are all there.
	if err == nil || !strings.Contains(err.Error(), "step load exited 1") {
		t.Errorf("run: %v, want the load step's failure", err)
	}
	want := map[string]string{
		"cold start: init ÷ floor (floor-ddb) init: admin":                 Missed,
		"cold start: init ÷ floor (floor-ddb-ses) init: sla":               Met,
		"cold start: first response: admin":                                Met,
		"cold start: first response: sla":                                  NotMeasured,
		"binary size: admin (linux/arm64, stripped)":                       Met,
		"binary size: relay (linux/arm64, stripped)":                       Missed,
		"cost: all but SES, per 10000 surveys":                             Missed,
		"cost: SES, per 10000 surveys (the floor)":                         Reported,
		"load: errors in 5000 submits from 64 clients":                     Missed,
		"load: summary counters equal the answers":                         Met,
		"load: submit p50 ÷ bare TransactWriteItems p50":                   Reported,
		"dispatch: set account rate below the ceiling measured in the run": Met,
		"dispatch: achieved rate, 2000 surveys across 5 stores":            Met,
		"dispatch: most sends in any one-second window":                    Met,
		"dispatch: each store's share in each tenth of the run":            Met,
		"summary scaling: 365-day summary median, 100k ÷ 1k answers":       Met,
		"follow-up latency: unhappy answer → support alert, median of 20":  Reported,
	}
	if got := verdicts(r.Targets); !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts:\n got %v\nwant %v", got, want)
	}
	if r.Date != "2026-11-28T15:40:00Z" || r.Machine.Cores == 0 || r.Machine.GOOS == "" || len(r.Steps) != 4 || r.Steps[3].Seconds != 400 {
		t.Errorf("date, machine, steps: %q %+v %+v", r.Date, r.Machine, r.Steps)
	}
	var load map[string]json.RawMessage
	if err := json.Unmarshal(r.Load, &load); err != nil || len(load) != 4 {
		t.Errorf("load: %v %s", err, r.Load)
	}
	if !strings.Contains(string(r.Benchmarks), `"BenchmarkSurveyPageView"`) || !strings.Contains(string(r.Capacity), `"capacity_units"`) ||
		!strings.Contains(string(r.Coldstart), `"sizes"`) {
		t.Errorf("steps' figures missing: %s %s %s", r.Benchmarks, r.Capacity, r.Coldstart)
	}
	// results.md: the header, the summary, then every step's tables.
	order := []string{"# Benchmarks", "make bench took 13 min 15 s", "## Summary", "| cold start | first response: admin | 4.50 ms",
		"## Go benchmarks", "| BenchmarkSurveyPageView | internal/pages | 1614082 | 1.61 | 1.000 |",
		"## Capacity units", "## Binary sizes and cold starts", "### Binary sizes", "**The load step failed (exit status 1)", "## Load: 5000"}
	if i := inOrder(md, order); i >= 0 {
		t.Errorf("results.md lacks %q in order:\n%s", order[i], md)
	}
	// The terminal: the details, then the summary last.
	terminal := []string{"## Go benchmarks", "## Load: 5000", "## Summary", "9 met, 4 missed"}
	if i := inOrder(stdout, terminal); i >= 0 {
		t.Errorf("stdout lacks %q in order:\n%s", terminal[i], stdout)
	}
	if !strings.HasSuffix(stdout, "reported without a limit.\n") {
		t.Errorf("stdout does not end with the summary:\n%s", stdout)
	}
}

// A step that failed and left part of its figures, and one that never
// ran: the rest is written, the missing targets say so, and run fails.
func TestStepsMissing(t *testing.T) {
	dir := stepsDir(t, map[string]string{
		"steps.tsv":      "benchmarks\t1\t5\ncapacity\t0\t60\ncoldstart\t2\t1\n",
		"benchmarks.txt": "FAIL\tgithub.com/closeloop/closeloop/internal/pages [build failed]\n",
		"capacity.json":  capacityJSON,
		"load.json":      loadJSON,
	})
	r, md, _, err := collect(t, dir)
	for _, want := range []string{"step benchmarks exited 1", "step coldstart exited 2", "step load did not run", "coldstart.json"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("run: %v, want %q", err, want)
		}
	}
	if string(r.Benchmarks) != "null" || string(r.Coldstart) != "null" || !strings.Contains(string(r.Capacity), "capacity_units") {
		t.Errorf("figures: benchmarks %s, coldstart %s, capacity %s", r.Benchmarks, r.Coldstart, r.Capacity)
	}
	got := verdicts(r.Targets)
	for figure, want := range map[string]string{
		"cold start: init ÷ floor init, first response": NotMeasured,
		"binary size: every function":                   NotMeasured,
		"cost: all but SES, per 10000 surveys":          Missed,
		"load: errors in 5000 submits from 64 clients":  Met,
		"dispatch: rate, window, starvation":            NotMeasured,
		"summary scaling: 100k ÷ 1k":                    NotMeasured,
		"follow-up latency: median":                     NotMeasured,
	} {
		if got[figure] != want {
			t.Errorf("%s: %q, want %q (all: %v)", figure, got[figure], want, got)
		}
	}
	for _, want := range []string{"**The benchmarks step failed (exit status 1)", "**The coldstart step failed (exit status 2)", "**The load step failed (it did not run)"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

func TestNoStepsFile(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir, "", filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md"), &bytes.Buffer{}); err == nil {
		t.Error("run with no steps.tsv succeeded")
	}
	dir = stepsDir(t, map[string]string{"steps.tsv": "benchmarks\tzero\t5\n"})
	if err := run(dir, "", filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md"), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "zero") {
		t.Errorf("run with a bad steps.tsv: %v", err)
	}
}

// inOrder returns the index of the first of parts not found in s after
// the one before it, or -1.
func inOrder(s string, parts []string) int {
	at := 0
	for i, p := range parts {
		j := strings.Index(s[at:], p)
		if j < 0 {
			return i
		}
		at += j + len(p)
	}
	return -1
}
