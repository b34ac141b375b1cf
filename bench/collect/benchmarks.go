package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Benchmark is one line of go test -bench output.
type Benchmark struct {
	Name       string             `json:"name"`
	Package    string             `json:"package"`
	Iterations int                `json:"iterations"`
	Metrics    map[string]float64 `json:"metrics"` // by unit: ns/op, B/op, allocs/op, ddb-requests/op
}

// procs is the -N GOMAXPROCS suffix go test puts on a benchmark's name.
var procs = regexp.MustCompile(`-[0-9]+$`)

// parseBenchmarks reads go test -bench output: each result line with the
// package named by the "pkg:" line before it.
func parseBenchmarks(out []byte) []Benchmark {
	var bs []Benchmark
	pkg := ""
	for line := range strings.SplitSeq(string(out), "\n") {
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		b := Benchmark{Name: procs.ReplaceAllString(f[0], ""), Package: pkg, Iterations: n, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				b.Metrics = nil
				break
			}
			b.Metrics[f[i+1]] = v
		}
		if b.Metrics != nil {
			bs = append(bs, b)
		}
	}
	return bs
}

// benchmarksMarkdown is the Go benchmarks' table.
func benchmarksMarkdown(raw json.RawMessage) []byte {
	var bs []Benchmark
	_ = json.Unmarshal(raw, &bs)
	var b strings.Builder
	b.WriteString("## Go benchmarks\n\n")
	b.WriteString("The HTTP ones on DynamoDB Local, far slower than DynamoDB: read the requests per operation as the target, the times as this machine's.\n\n")
	b.WriteString("| benchmark | package | ns/op | ms/op | DynamoDB requests/op | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|---:|\n")
	metric := func(m map[string]float64, unit, format string) string {
		v, ok := m[unit]
		if !ok {
			return "–"
		}
		return fmt.Sprintf(format, v)
	}
	for _, x := range bs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", x.Name, strings.TrimPrefix(x.Package, "github.com/closeloop/closeloop/"),
			metric(x.Metrics, "ns/op", "%.0f"), fmt.Sprintf("%.2f", x.Metrics["ns/op"]/1e6), metric(x.Metrics, "ddb-requests/op", "%.3f"),
			metric(x.Metrics, "B/op", "%.0f"), metric(x.Metrics, "allocs/op", "%.0f"))
	}
	return []byte(b.String())
}
