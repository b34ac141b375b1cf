package testenv

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// RequestCounter counts the DynamoDB API calls made through the clients it is
// registered on, per operation name ("PutItem", "TransactWriteItems"…). It
// counts calls, not HTTP attempts: an SDK retry does not add to the count.
// It is safe for concurrent use.
type RequestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// Register adds the counter to a client's middleware; pass it as an option:
// DynamoDB(t, c.Register) or dynamodb.NewFromConfig(cfg, c.Register).
func (c *RequestCounter) Register(o *dynamodb.Options) {
	// The id names this counter so that several counters can share a client.
	id := fmt.Sprintf("testenv.RequestCounter.%p", c)
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc(id, func(
			ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
		) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.add(middleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	})
}

func (c *RequestCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[string]int)
	}
	c.counts[op]++
}

// Counts returns a copy of the counts per operation name.
func (c *RequestCounter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	counts := maps.Clone(c.counts)
	if counts == nil {
		counts = map[string]int{}
	}
	return counts
}

// Total returns the number of calls counted, all operations together.
func (c *RequestCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Reset sets every count back to zero.
func (c *RequestCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.counts)
}
