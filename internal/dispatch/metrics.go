package dispatch

import (
	"encoding/json"
	"time"
)

// MetricsNamespace is the CloudWatch namespace of the run metrics; the
// alarms in template.yaml read them there, by the stage dimension.
const MetricsNamespace = "closeloop"

// metric is one run metric: its CloudWatch name and its value in a report.
type metric struct {
	name  string
	value func(Report) int
}

// metrics are what each run reports to CloudWatch.
var metrics = []metric{
	{"Sent", func(r Report) int { return r.Sent }},
	{"Reminded", func(r Report) int { return r.Reminded }},
	{"Failed", func(r Report) int { return r.Failed }},
	{"Retried", func(r Report) int { return r.Retried }},
	{"Suppressed", func(r Report) int { return r.Suppressed }},
	{"Deferred", func(r Report) int { return r.Deferred }},
	{"Held", func(r Report) int { return r.Held }},
	{"StoresPaused", func(r Report) int { return r.StoresPaused }},
	{"AccountRefused", func(r Report) int {
		if r.AccountRefused != "" {
			return 1
		}
		return 0
	}},
}

// EMF returns the report as one line of CloudWatch embedded metric format
// (namespace closeloop, dimension stage, one count per metric), with the
// whole report beside the metrics. Written to a Lambda function's stdout,
// CloudWatch Logs turns it into metrics: no PutMetricData call, no
// permission.
func (r Report) EMF(stage string, at time.Time) []byte {
	type metricDef struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	}
	defs := make([]metricDef, len(metrics))
	line := map[string]any{"stage": stage, "report": r}
	for i, m := range metrics {
		defs[i] = metricDef{Name: m.name, Unit: "Count"}
		line[m.name] = m.value(r)
	}
	line["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  MetricsNamespace,
			"Dimensions": [][]string{{"stage"}},
			"Metrics":    defs,
		}},
	}
	out, _ := json.Marshal(line) // only strings and numbers: it cannot fail
	return append(out, '\n')
}
