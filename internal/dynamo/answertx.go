package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// AnswerTransaction returns the transaction Answer writes for s, r and c,
// unsent: bench/load times it bare against DynamoDB Local as the reference
// for the survey submit's latency.
func (db *DB) AnswerTransaction(s closeloop.Survey, r closeloop.Response, c *closeloop.Case, at time.Time) (*dynamodb.TransactWriteItemsInput, error) {
	items, err := db.answerItems(s, r, c, at.UTC())
	if err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsInput{TransactItems: items}, nil
}
