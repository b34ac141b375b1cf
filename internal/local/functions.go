package local

import (
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/callrec"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/sesmail"
)

// functionNames are the functions under functions/ whose handlers New
// wires, each over adapters of its own.
var functionNames = []string{"public", "admin", "dispatch", "relay", "followup", "webhook", "sla", "digest", "sesevents", "replies", "shophooks", "dashboard"}

// wiring is one function's clients and adapters, as its main builds them.
type wiring struct {
	clients Clients
	db      *dynamo.DB
	mailer  *sesmail.Mailer
	mail    *mailing.Sender
	sqs     *sqs.Client
}

// wireFunctions builds every function's adapters over clients of its own:
// under make test (CLOSELOOP_RECORD_CALLS set) each records its calls under
// the function's name for the permissions test, as a deployed bootstrap
// does. The clients passed in stay unlabelled for the event sources, whose
// calls are Lambda's, and for the tests' own setup.
func wireFunctions(clients Clients, cfg app.Config, now func() time.Time) (map[string]wiring, error) {
	out := make(map[string]wiring, len(functionNames))
	for _, name := range functionNames {
		c, err := recorded(clients, name)
		if err != nil {
			return nil, err
		}
		c.Streams = nil // a function never reads the stream itself: Lambda does
		// The product's clock also decides what is past retention.
		db := dynamo.New(c.DynamoDB, cfg.Table).WithClock(now)
		mailer := sesmail.New(c.SES, cfg.ConfigurationSet)
		out[name] = wiring{clients: c, db: db, mailer: mailer, mail: mailing.New(db, mailer, now), sqs: c.SQS}
	}
	return out, nil
}

// recorded returns copies of clients that record their calls as function's
// when CLOSELOOP_RECORD_CALLS is set, and clients unchanged otherwise.
func recorded(clients Clients, function string) (Clients, error) {
	rec, err := callrec.FromEnv(os.Getenv, function)
	if err != nil || rec == nil {
		return clients, err
	}
	c := clients
	if clients.DynamoDB != nil {
		c.DynamoDB = dynamodb.New(clients.DynamoDB.Options(), func(o *dynamodb.Options) {
			o.APIOptions = append(o.APIOptions, rec.Register)
		})
	}
	if clients.SES != nil {
		c.SES = sesv2.New(clients.SES.Options(), func(o *sesv2.Options) {
			o.APIOptions = append(o.APIOptions, rec.Register)
		})
	}
	if clients.SQS != nil {
		c.SQS = sqs.New(clients.SQS.Options(), func(o *sqs.Options) {
			o.APIOptions = append(o.APIOptions, rec.Register)
		})
	}
	return c, nil
}

// FunctionClients are the clients of function name's handlers (name as
// under functions/): under make test their calls are recorded as that
// function's. A test that builds one of the function's handlers around a
// fake (a throttling DynamoDB, an SES that refuses) should build on these
// or on FunctionDB rather than on Clients or DB, so that the permissions
// test sees what the handler calls. An unknown name panics.
func (p *Product) FunctionClients(name string) Clients {
	return p.function(name).clients
}

// FunctionDB is the table as function name's handlers reach it, over
// FunctionClients(name).
func (p *Product) FunctionDB(name string) *dynamo.DB {
	return p.function(name).db
}

func (p *Product) function(name string) wiring {
	w, ok := p.functions[name]
	if !ok {
		panic("local: no function " + name + " (functionNames lists them)")
	}
	return w
}
