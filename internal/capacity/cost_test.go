package capacity

import (
	"math"
	"testing"
)

func TestCost(t *testing.T) {
	u := Usage{WRU: 1e6, RRU: 2e6, GBSeconds: 1000, Invocations: 1e6, HTTPRequests: 2e6, SQSRequests: 1e6, LogBytes: 1 << 30, Emails: 1000}
	c := ListPrices.Cost(Usage{}.Add(u, 1))
	want := Cost{DynamoDB: 0.875, Lambda: 0.0133334 + 0.2, HTTPAPI: 2, SQS: 0.4, Logs: 0.5, SES: 0.1}
	want.WithoutSES = want.DynamoDB + want.Lambda + want.HTTPAPI + want.SQS + want.Logs
	for _, g := range [][3]any{{"dynamodb", c.DynamoDB, want.DynamoDB}, {"lambda", c.Lambda, want.Lambda}, {"http", c.HTTPAPI, want.HTTPAPI},
		{"sqs", c.SQS, want.SQS}, {"logs", c.Logs, want.Logs}, {"ses", c.SES, want.SES}, {"total", c.WithoutSES, want.WithoutSES}} {
		if math.Abs(g[1].(float64)-g[2].(float64)) > 1e-9 {
			t.Errorf("%s = %v, want %v", g[0], g[1], g[2])
		}
	}
}
