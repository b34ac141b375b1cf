package capacity

// Prices are AWS list prices in US dollars (us-east-1).
type Prices struct {
	PerMillionWRU     float64 `json:"per_million_wru"`         // DynamoDB on demand
	PerMillionRRU     float64 `json:"per_million_rru"`         // DynamoDB on demand
	PerGBSecond       float64 `json:"per_gb_second"`           // Lambda, arm64
	PerMillionLambda  float64 `json:"per_million_invocations"` // Lambda requests
	PerMillionHTTP    float64 `json:"per_million_http_api"`    // API Gateway HTTP API
	PerMillionSQS     float64 `json:"per_million_sqs"`         // SQS standard requests
	PerGBLogs         float64 `json:"per_gb_logs"`             // CloudWatch Logs ingestion
	PerThousandEmails float64 `json:"per_thousand_emails"`     // SES outbound
}

// ListPrices are the on-demand list prices assumed (us-east-1, late 2024
// on: DynamoDB's on-demand price was halved in November 2024).
var ListPrices = Prices{
	PerMillionWRU: 0.625, PerMillionRRU: 0.125,
	PerGBSecond: 0.0000133334, PerMillionLambda: 0.20,
	PerMillionHTTP: 1.00, PerMillionSQS: 0.40, PerGBLogs: 0.50,
	PerThousandEmails: 0.10,
}

// Usage is what a number of surveys uses.
type Usage struct {
	WRU          float64 `json:"write_request_units"`
	RRU          float64 `json:"read_request_units"`
	GBSeconds    float64 `json:"lambda_gb_seconds"`
	Invocations  float64 `json:"lambda_invocations"`
	HTTPRequests float64 `json:"http_api_requests"`
	SQSRequests  float64 `json:"sqs_requests"`
	LogBytes     float64 `json:"log_bytes"`
	Emails       float64 `json:"emails"`
}

// Add returns u plus n times v.
func (u Usage) Add(v Usage, n float64) Usage {
	return Usage{
		WRU: u.WRU + n*v.WRU, RRU: u.RRU + n*v.RRU, GBSeconds: u.GBSeconds + n*v.GBSeconds,
		Invocations: u.Invocations + n*v.Invocations, HTTPRequests: u.HTTPRequests + n*v.HTTPRequests,
		SQSRequests: u.SQSRequests + n*v.SQSRequests, LogBytes: u.LogBytes + n*v.LogBytes, Emails: u.Emails + n*v.Emails,
	}
}

// Cost is a usage's price by service; WithoutSES is the sum of all but
// SES, the floor of a product that sends email.
type Cost struct {
	DynamoDB   float64 `json:"dynamodb"`
	Lambda     float64 `json:"lambda"`
	HTTPAPI    float64 `json:"http_api"`
	SQS        float64 `json:"sqs"`
	Logs       float64 `json:"cloudwatch_logs"`
	WithoutSES float64 `json:"total_without_ses"`
	SES        float64 `json:"ses"`
}

// Cost prices u.
func (p Prices) Cost(u Usage) Cost {
	c := Cost{
		DynamoDB: (u.WRU*p.PerMillionWRU + u.RRU*p.PerMillionRRU) / 1e6,
		Lambda:   u.GBSeconds*p.PerGBSecond + u.Invocations*p.PerMillionLambda/1e6,
		HTTPAPI:  u.HTTPRequests * p.PerMillionHTTP / 1e6,
		SQS:      u.SQSRequests * p.PerMillionSQS / 1e6,
		Logs:     u.LogBytes / (1 << 30) * p.PerGBLogs,
		SES:      u.Emails * p.PerThousandEmails / 1e3,
	}
	c.WithoutSES = c.DynamoDB + c.Lambda + c.HTTPAPI + c.SQS + c.Logs
	return c
}
