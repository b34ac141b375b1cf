package main

import (
	"strings"
	"testing"
)

// TestColdstartRowsWithRequests reads bench/coldstart's figures with the
// requests of each first event: the target names the floor's first
// response and the requests' critical path it adds up.
func TestColdstartRowsWithRequests(t *testing.T) {
	raw := `{"runs":5,"sizes":[{"function":"public","mib":9.1,"met":true}],
		"functions":[{"function":"public","floor":"floor-ddb-sqs","init_ms":{"median":5},"floor_init_ms":{"median":5},"init_ratio":1,"init_met":true,
		 "first_response_ms":{"median":12.5,"p10":11,"p90":14},"floor_first_response_ms":{"median":6.6},"first_response_target_ms":8.9,"first_response_met":false,
		 "event":"GET /s/{token}","requests":[{"service":"DynamoDB","operation":"GetItem","stage":0,"ms":{"median":2.3}}],"requests_ms":2.3}],
		"references":[{"reference":"floor-ddb","first_response_ms":{"median":5}},
		 {"reference":"floor-ddb-get","first_response_ms":{"median":9},"requests_ms":1,"first_request_extra_ms":3}],
		"targets":{"size_mib":12,"init_ratio":1.1}}`
	var row, extra *Row
	rows := coldstartRows([]byte(raw))
	for i := range rows {
		switch rows[i].Figure {
		case "first response: public":
			row = &rows[i]
		case "a fresh process's first request beyond its latency (floor-ddb-get)":
			extra = &rows[i]
		}
	}
	if extra == nil || extra.Measured != "3.00 ms (first response 9.00, request 1.00)" || extra.Verdict != Reported {
		t.Errorf("the first request's cost: %+v in %+v", extra, rows)
	}
	if row == nil {
		t.Fatalf("no first-response row for public in %+v", rows)
	}
	if want := "≤ 8.90 ms (floor-ddb-sqs's 6.60 + 1 request's critical path 2.30)"; row.Target != want || row.Verdict != Missed {
		t.Errorf("target %q, verdict %q; want %q, %q", row.Target, row.Verdict, want, Missed)
	}
	if !strings.HasPrefix(row.Measured, "12.50 ms") {
		t.Errorf("measured %q, want the median 12.50 ms first", row.Measured)
	}
}
