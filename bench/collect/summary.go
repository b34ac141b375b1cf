package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Row is one line of the summary: a target of issue 14, what this run
// measured and the verdict.
type Row struct {
	Area     string `json:"area"`
	Figure   string `json:"figure"`
	Measured string `json:"measured"`
	Target   string `json:"target"`
	Verdict  string `json:"verdict"`
}

// The verdicts: a figure with a limit is met or missed; one the issue
// asks for without a limit is reported; one a failed step did not
// produce is not measured.
const (
	Met         = "met"
	Missed      = "missed"
	Reported    = "reported"
	NotMeasured = "not measured"
)

func verdict(ok bool) string {
	if ok {
		return Met
	}
	return Missed
}

func missing(area, figure string) Row {
	return Row{Area: area, Figure: figure, Measured: "–", Target: "–", Verdict: NotMeasured}
}

type spread struct {
	Median float64 `json:"median"`
	P10    float64 `json:"p10"`
	P90    float64 `json:"p90"`
}

// coldstartFigures is what the summary reads of bench/coldstart -json.
type coldstartFigures struct {
	Sizes []struct {
		Function string  `json:"function"`
		MiB      float64 `json:"mib"`
		Met      bool    `json:"met"`
	} `json:"sizes"`
	Functions []struct {
		Function         string  `json:"function"`
		Floor            string  `json:"floor"`
		InitMs           spread  `json:"init_ms"`
		FloorInitMs      spread  `json:"floor_init_ms"`
		InitRatio        float64 `json:"init_ratio"`
		InitMet          bool    `json:"init_met"`
		FirstResponseMs  *spread `json:"first_response_ms"`
		FirstResponseMax float64 `json:"first_response_target_ms"`
		FirstResponseMet *bool   `json:"first_response_met"`
		FloorFirstMs     *spread `json:"floor_first_response_ms"`
		Requests         []struct {
			Service   string `json:"service"`
			Operation string `json:"operation"`
		} `json:"requests"`
		RequestsMs float64 `json:"requests_ms"`
	} `json:"functions"`
	Targets struct {
		SizeMiB   float64 `json:"size_mib"`
		InitRatio float64 `json:"init_ratio"`
	} `json:"targets"`
	References []struct {
		Reference       string  `json:"reference"`
		FirstResponseMs spread  `json:"first_response_ms"`
		RequestsMs      float64 `json:"requests_ms"`
		FirstRequestMs  float64 `json:"first_request_extra_ms"`
	} `json:"references"`
}

// capacityFigures is what the summary reads of TestOperationUnits' JSON.
type capacityFigures struct {
	Cost *struct {
		Surveys int `json:"surveys"`
		Cost    struct {
			WithoutSES float64 `json:"total_without_ses"`
			SES        float64 `json:"ses"`
		} `json:"cost"`
		Target float64 `json:"target_without_ses"`
		Met    bool    `json:"target_met"`
	} `json:"cost_per_10000_surveys"`
}

// loadFigures is what the summary reads of bench/load's JSON.
type loadFigures struct {
	Load *struct {
		Submissions int     `json:"submissions"`
		Clients     int     `json:"clients"`
		Errors      int     `json:"errors"`
		Exact       bool    `json:"summary_exact"`
		P50         float64 `json:"p50_ms"`
		P99         float64 `json:"p99_ms"`
		BareP50     float64 `json:"bare_transact_p50_ms"`
		Ratio       float64 `json:"p50_ratio"`
	} `json:"load"`
	Dispatch *struct {
		Surveys      int     `json:"surveys"`
		Stores       int     `json:"stores"`
		Ceiling      float64 `json:"ceiling_sends_per_second"`
		SetRate      float64 `json:"set_rate"`
		Achieved     float64 `json:"achieved_rate"`
		MaxInSecond  int     `json:"max_in_one_second"`
		MinShare     float64 `json:"min_store_share"`
		MaxShare     float64 `json:"max_store_share"`
		BelowCeiling bool    `json:"below_ceiling"`
		RateMet      bool    `json:"rate_met"`
		WindowMet    bool    `json:"window_met"`
		FairMet      bool    `json:"fair_met"`
		MinFairShare float64 `json:"fair_share_target"`
	} `json:"dispatch"`
	Scaling *struct {
		Small  float64 `json:"median_ms_1k"`
		Large  float64 `json:"median_ms_100k"`
		Ratio  float64 `json:"ratio"`
		Target float64 `json:"ratio_target"`
		Met    bool    `json:"ratio_met"`
	} `json:"summary_scaling"`
	Followup *struct {
		Runs   int     `json:"runs"`
		Median float64 `json:"median_ms"`
		P10    float64 `json:"p10_ms"`
		P90    float64 `json:"p90_ms"`
		Poll   float64 `json:"poll_interval_ms"`
	} `json:"followup_latency"`
}

// summarize lists every target of issue 14 with this run's figure.
func summarize(r Results) []Row {
	var rows []Row
	rows = append(rows, coldstartRows(r.Coldstart)...)
	rows = append(rows, costRows(r.Capacity)...)
	rows = append(rows, loadRows(r.Load)...)
	return rows
}

func coldstartRows(raw json.RawMessage) []Row {
	var c coldstartFigures
	if err := json.Unmarshal(raw, &c); err != nil || len(c.Functions) == 0 || len(c.Sizes) == 0 {
		return []Row{missing("cold start", "init ÷ floor init, first response"), missing("binary size", "every function")}
	}
	var rows, first []Row
	var initOnly []string
	for _, f := range c.Functions {
		rows = append(rows, Row{
			Area: "cold start", Figure: fmt.Sprintf("init ÷ floor (%s) init: %s", f.Floor, f.Function),
			Measured: fmt.Sprintf("%.2f (%.2f ÷ %.2f ms)", f.InitRatio, f.InitMs.Median, f.FloorInitMs.Median),
			Target:   fmt.Sprintf("≤ %.1f", c.Targets.InitRatio), Verdict: verdict(f.InitMet),
		})
		if f.FirstResponseMs == nil || f.FirstResponseMet == nil {
			initOnly = append(initOnly, f.Function)
			continue
		}
		target := fmt.Sprintf("≤ %.2f ms (%s's; the event needs no AWS request)", f.FirstResponseMax, f.Floor)
		if len(f.Requests) > 0 && f.FloorFirstMs != nil {
			n := fmt.Sprintf("%d requests'", len(f.Requests))
			if len(f.Requests) == 1 {
				n = "1 request's"
			}
			target = fmt.Sprintf("≤ %.2f ms (%s's %.2f + %s critical path %.2f)", f.FirstResponseMax, f.Floor, f.FloorFirstMs.Median, n, f.RequestsMs)
		}
		first = append(first, Row{
			Area: "cold start", Figure: "first response: " + f.Function,
			Measured: fmt.Sprintf("%.2f ms (p10–p90 %.2f–%.2f)", f.FirstResponseMs.Median, f.FirstResponseMs.P10, f.FirstResponseMs.P90),
			Target:   target, Verdict: verdict(*f.FirstResponseMet),
		})
	}
	rows = append(rows, first...)
	for _, r := range c.References {
		if r.RequestsMs > 0 {
			rows = append(rows, Row{Area: "cold start", Figure: "a fresh process's first request beyond its latency (" + r.Reference + ")",
				Measured: fmt.Sprintf("%.2f ms (first response %.2f, request %.2f)", r.FirstRequestMs, r.FirstResponseMs.Median, r.RequestsMs),
				Target:   "–", Verdict: Reported})
		}
	}
	if len(initOnly) > 0 {
		rows = append(rows, Row{Area: "cold start", Figure: "first response: " + strings.Join(initOnly, ", "),
			Measured: "– (no first response in the figures; init only)", Target: "–", Verdict: NotMeasured})
	}
	for _, s := range c.Sizes {
		rows = append(rows, Row{Area: "binary size", Figure: s.Function + " (linux/arm64, stripped)",
			Measured: fmt.Sprintf("%.2f MiB", s.MiB), Target: fmt.Sprintf("≤ %.0f MiB", c.Targets.SizeMiB), Verdict: verdict(s.Met)})
	}
	return rows
}

func costRows(raw json.RawMessage) []Row {
	var c capacityFigures
	if err := json.Unmarshal(raw, &c); err != nil || c.Cost == nil {
		return []Row{missing("cost", "per 10,000 surveys")}
	}
	return []Row{
		{Area: "cost", Figure: fmt.Sprintf("all but SES, per %d surveys", c.Cost.Surveys),
			Measured: fmt.Sprintf("$%.4f", c.Cost.Cost.WithoutSES), Target: fmt.Sprintf("≤ $%.2f", c.Cost.Target), Verdict: verdict(c.Cost.Met)},
		{Area: "cost", Figure: fmt.Sprintf("SES, per %d surveys (the floor)", c.Cost.Surveys),
			Measured: fmt.Sprintf("$%.4f", c.Cost.Cost.SES), Target: "–", Verdict: Reported},
	}
}

func loadRows(raw json.RawMessage) []Row {
	var l loadFigures
	_ = json.Unmarshal(raw, &l)
	var rows []Row
	if x := l.Load; x != nil {
		rows = append(rows,
			Row{Area: "load", Figure: fmt.Sprintf("errors in %d submits from %d clients", x.Submissions, x.Clients),
				Measured: fmt.Sprint(x.Errors), Target: "0", Verdict: verdict(x.Errors == 0)},
			Row{Area: "load", Figure: "summary counters equal the answers",
				Measured: map[bool]string{true: "exact", false: "not exact"}[x.Exact], Target: "exact", Verdict: verdict(x.Exact)},
			Row{Area: "load", Figure: "submit p50 ÷ bare TransactWriteItems p50",
				Measured: fmt.Sprintf("%.2f (%.1f ÷ %.1f ms; submit p99 %.1f ms)", x.Ratio, x.P50, x.BareP50, x.P99), Target: "–", Verdict: Reported})
	} else {
		rows = append(rows, missing("load", "errors, counters, p50 ratio"))
	}
	if x := l.Dispatch; x != nil {
		rows = append(rows,
			Row{Area: "dispatch", Figure: "set account rate below the ceiling measured in the run",
				Measured: fmt.Sprintf("%.0f /s (ceiling %.1f /s)", x.SetRate, x.Ceiling), Target: "< ceiling", Verdict: verdict(x.BelowCeiling)},
			Row{Area: "dispatch", Figure: fmt.Sprintf("achieved rate, %d surveys across %d stores", x.Surveys, x.Stores),
				Measured: fmt.Sprintf("%.2f /s (%.1f %% of %.0f /s)", x.Achieved, 100*x.Achieved/x.SetRate, x.SetRate), Target: "≥ 95 % of the set rate", Verdict: verdict(x.RateMet)},
			Row{Area: "dispatch", Figure: "most sends in any one-second window",
				Measured: fmt.Sprint(x.MaxInSecond), Target: fmt.Sprintf("≤ %.0f", x.SetRate), Verdict: verdict(x.WindowMet)},
			Row{Area: "dispatch", Figure: "each store's share in each tenth of the run",
				Measured: fmt.Sprintf("%.1f – %.1f %%", 100*x.MinShare, 100*x.MaxShare), Target: fmt.Sprintf("none starved (≥ %.0f %%)", 100*x.MinFairShare), Verdict: verdict(x.FairMet)})
	} else {
		rows = append(rows, missing("dispatch", "rate, window, starvation"))
	}
	if x := l.Scaling; x != nil {
		rows = append(rows, Row{Area: "summary scaling", Figure: "365-day summary median, 100k ÷ 1k answers",
			Measured: fmt.Sprintf("%.2f (%.1f ÷ %.1f ms)", x.Ratio, x.Large, x.Small), Target: fmt.Sprintf("≤ %.1f", x.Target), Verdict: verdict(x.Met)})
	} else {
		rows = append(rows, missing("summary scaling", "100k ÷ 1k"))
	}
	if x := l.Followup; x != nil {
		rows = append(rows, Row{Area: "follow-up latency", Figure: fmt.Sprintf("unhappy answer → support alert, median of %d", x.Runs),
			Measured: fmt.Sprintf("%.0f ms (p10–p90 %.0f–%.0f; local polls every %.0f ms when idle)", x.Median, x.P10, x.P90, x.Poll), Target: "–", Verdict: Reported})
	} else {
		rows = append(rows, missing("follow-up latency", "median"))
	}
	return rows
}

// summaryMarkdown is the summary table and its tally.
func summaryMarkdown(rows []Row) string {
	var b strings.Builder
	b.WriteString("| area | figure | measured | target | verdict |\n|---|---|---:|---|---|\n")
	count := map[string]int{}
	for _, r := range rows {
		v := r.Verdict
		if v == Missed || v == NotMeasured {
			v = "**" + v + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Area, r.Figure, r.Measured, r.Target, v)
		count[r.Verdict]++
	}
	fmt.Fprintf(&b, "\n%d met, %d missed, %d not measured; %d reported without a limit.\n", count[Met], count[Missed], count[NotMeasured], count[Reported])
	return b.String()
}
