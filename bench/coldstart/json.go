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
	// and the events here need none.
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

// Function is one function's cold start beside its floor's. FirstResponse
// and its verdict are absent for the scheduled functions (init only).
type Function struct {
	Function           string  `json:"function"`
	Floor              string  `json:"floor"`
	InitMs             Spread  `json:"init_ms"`
	FloorInitMs        Spread  `json:"floor_init_ms"`
	InitRatio          float64 `json:"init_ratio"`
	InitMet            bool    `json:"init_met"`
	FirstResponseMs    *Spread `json:"first_response_ms,omitempty"`
	FloorFirstMs       *Spread `json:"floor_first_response_ms,omitempty"`
	FirstResponseLimit float64 `json:"first_response_target_ms,omitempty"`
	FirstResponseMet   *bool   `json:"first_response_met,omitempty"`
}

// Reference is one reference bootstrap's cold start.
type Reference struct {
	Reference       string `json:"reference"`
	InitMs          Spread `json:"init_ms"`
	FirstResponseMs Spread `json:"first_response_ms"`
}

func spreadOf(xs []float64) Spread {
	return Spread{Median: quantile(xs, .5), P10: quantile(xs, .1), P90: quantile(xs, .9)}
}

// figures gathers what the tables print.
func figures(sizes map[string]int64, cold map[string]*samples, runs int, parse []float64) Results {
	r := Results{
		Runs:    runs,
		Build:   "linux/arm64 -tags lambda.norpc -trimpath -ldflags=-s -w (sizes); host-built, under aws-lambda-rie (cold starts)",
		ParseMs: spreadOf(parse),
		Targets: TargetLimits{SizeMiB: sizeTarget, InitRatio: initTarget,
			FirstResponse: "the floor's first-response median: the first events need no AWS request"},
	}
	for _, t := range functions {
		mib := float64(sizes[t.name]) / (1 << 20)
		r.Sizes = append(r.Sizes, Size{Function: t.name, Bytes: sizes[t.name], MiB: mib, Met: mib <= sizeTarget})

		s, f := cold[t.name], cold[t.floor]
		fn := Function{Function: t.name, Floor: t.floor, InitMs: spreadOf(s.init), FloorInitMs: spreadOf(f.init)}
		fn.InitRatio = fn.InitMs.Median / fn.FloorInitMs.Median
		fn.InitMet = fn.InitRatio <= initTarget
		if len(s.first) > 0 {
			first, floorFirst := spreadOf(s.first), spreadOf(f.first)
			met := first.Median <= floorFirst.Median
			fn.FirstResponseMs, fn.FloorFirstMs = &first, &floorFirst
			fn.FirstResponseLimit, fn.FirstResponseMet = floorFirst.Median, &met
		}
		r.Functions = append(r.Functions, fn)
	}
	for _, t := range references {
		r.Refs = append(r.Refs, Reference{Reference: t.name, InitMs: spreadOf(cold[t.name].init), FirstResponseMs: spreadOf(cold[t.name].first)})
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
