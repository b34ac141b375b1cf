package main

import (
	"encoding/json"
	"os"
)

// Results are the figures -json writes: what the tables show, as numbers,
// with each target's verdict.
type Results struct {
	Runs      int          `json:"runs"`
	Build     string       `json:"build"`
	Sizes     []Size       `json:"sizes"`
	Functions []Function   `json:"functions"`
	Refs      []Reference  `json:"references"`
	ParseMs   Spread       `json:"template_parse_ms"`
	Targets   TargetLimits `json:"targets"`
}

// TargetLimits are the limits the verdicts apply.
type TargetLimits struct {
	SizeMiB   float64 `json:"size_mib"`
	InitRatio float64 `json:"init_ratio"`
	// FirstResponse is how the first-response limit is set: the floor's
	// median plus the median latency of each AWS request the event needs,
	// along its critical path.
	FirstResponse string `json:"first_response"`
}

// Size is one function's linux/arm64 stripped binary.
type Size struct {
	Function string  `json:"function"`
	Bytes    int64   `json:"bytes"`
	MiB      float64 `json:"mib"`
	Met      bool    `json:"met"`
}

// Spread is a sample's median and p10–p90, in milliseconds.
type Spread struct {
	Median float64 `json:"median"`
	P10    float64 `json:"p10"`
	P90    float64 `json:"p90"`
}

// Function is one function's cold start beside its floor's, with the
// requests its first event made and the first-response limit they set.
type Function struct {
	Function           string  `json:"function"`
	Floor              string  `json:"floor"`
	InitMs             Spread  `json:"init_ms"`
	FloorInitMs        Spread  `json:"floor_init_ms"`
	InitRatio          float64 `json:"init_ratio"`
	InitMet            bool    `json:"init_met"`
	FirstResponseMs    Spread  `json:"first_response_ms"`
	FloorFirstMs       Spread  `json:"floor_first_response_ms"`
	FirstResponseLimit float64 `json:"first_response_target_ms"`
	FirstResponseMet   bool    `json:"first_response_met"`
	// Event is the first event, as events/ names it.
	Event string `json:"event"`
	// Requests are the requests the event made, in the order they
	// started, each with the times it took sent again in the same run.
	Requests []Request `json:"requests"`
	// RequestsMs is their critical path: the sum over the stages of the
	// longest median.
	RequestsMs float64 `json:"requests_ms"`
	// Outside is where the recorded starts spent their time outside the
	// requests (the median of each part).
	Outside Outside `json:"outside_requests"`
}

// Request is one request a first event made.
type Request struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Stage is its place on the critical path: requests that overlapped
	// share one.
	Stage int    `json:"stage"`
	Ms    Spread `json:"ms"`
}

// Reference is one reference bootstrap's cold start.
type Reference struct {
	Reference       string `json:"reference"`
	InitMs          Spread `json:"init_ms"`
	FirstResponseMs Spread `json:"first_response_ms"`
	// RequestsMs is, for floor-ddb-get, its GetItem's median sent again
	// from a warm client, and FirstRequestMs what its first response took
	// beyond floor-ddb's and that: the fixed cost of a fresh process's
	// first request.
	RequestsMs     float64 `json:"requests_ms,omitempty"`
	FirstRequestMs float64 `json:"first_request_extra_ms,omitempty"`
}

func spreadOf(xs []float64) Spread {
	return Spread{Median: quantile(xs, .5), P10: quantile(xs, .1), P90: quantile(xs, .9)}
}

// figures gathers what the tables print.
func figures(sizes map[string]int64, cold map[string]*samples, requests map[string][]request, outsides map[string]Outside, runs int, parse []float64) Results {
	r := Results{
		Runs:    runs,
		Build:   "linux/arm64 -tags lambda.norpc -trimpath -ldflags=-s -w (sizes); host-built, under aws-lambda-rie (cold starts)",
		ParseMs: spreadOf(parse),
		Targets: TargetLimits{SizeMiB: sizeTarget, InitRatio: initTarget,
			FirstResponse: "the floor's first-response median + the critical path of the event's requests (each request's median, sent again in the same run; overlapping requests count once, as the longest)"},
	}
	for _, t := range functions {
		mib := float64(sizes[t.name]) / (1 << 20)
		r.Sizes = append(r.Sizes, Size{Function: t.name, Bytes: sizes[t.name], MiB: mib, Met: mib <= sizeTarget})

		s, f := cold[t.name], cold[t.floor]
		fn := Function{Function: t.name, Floor: t.floor, InitMs: spreadOf(s.init), FloorInitMs: spreadOf(f.init),
			FirstResponseMs: spreadOf(s.first), FloorFirstMs: spreadOf(f.first), Event: firstEvents[t.name], Requests: []Request{}, Outside: outsides[t.name]}
		fn.InitRatio = fn.InitMs.Median / fn.FloorInitMs.Median
		fn.InitMet = fn.InitRatio <= initTarget
		medians := make([]float64, len(requests[t.name]))
		for i, q := range requests[t.name] {
			ms := spreadOf(s.requests[i])
			medians[i] = ms.Median
			fn.Requests = append(fn.Requests, Request{Service: q.Service, Operation: q.Operation, Stage: q.Stage, Ms: ms})
		}
		fn.RequestsMs = criticalPath(requests[t.name], medians)
		fn.FirstResponseLimit = fn.FloorFirstMs.Median + fn.RequestsMs
		fn.FirstResponseMet = fn.FirstResponseMs.Median <= fn.FirstResponseLimit
		r.Functions = append(r.Functions, fn)
	}
	for _, t := range references {
		ref := Reference{Reference: t.name, InitMs: spreadOf(cold[t.name].init), FirstResponseMs: spreadOf(cold[t.name].first)}
		if reqs := requests[t.name]; len(reqs) > 0 {
			medians := make([]float64, len(reqs))
			for i := range reqs {
				medians[i] = quantile(cold[t.name].requests[i], .5)
			}
			ref.RequestsMs = criticalPath(reqs, medians)
			ref.FirstRequestMs = ref.FirstResponseMs.Median - quantile(cold["floor-ddb"].first, .5) - ref.RequestsMs
		}
		r.Refs = append(r.Refs, ref)
	}
	return r
}

// writeJSON writes r to path.
func writeJSON(path string, r Results) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
