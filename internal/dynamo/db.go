package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// API is the part of the DynamoDB client the adapter uses. Tests wrap it to
// inject faults DynamoDB Local cannot produce (throttling, TransactionConflict).
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	// Scan only for erasing a whole store's customers (shophooks.go).
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// DB is the closeloop table.
type DB struct {
	api   API
	table string
	// now is the clock reads compare expires_at with (WithClock); nil is
	// time.Now.
	now func() time.Time
}

// New returns the adapter for the table named table.
func New(api API, table string) *DB {
	return &DB{api: api, table: table}
}

const (
	attrPK = "pk"
	attrSK = "sk"
)

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func marshal(v any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) {
		o.TagKey = "json"
		o.EncodeTime = func(t time.Time) (types.AttributeValue, error) { return str(stamp(t)), nil }
	})
}

func unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func itoa(n int) string { return strconv.Itoa(n) }

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

// stampLayout is the one format of every stored time: fixed width, UTC,
// milliseconds, so that conditions and sort keys compare the strings as
// the times. RFC 3339 with variable fractions would not: "…:00Z" sorts
// after "…:00.5Z".
const stampLayout = "2006-01-02T15:04:05.000Z"

// stamp formats t as stored; marshal stores every time.Time field so.
func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// statusIn is the condition that an item's status (#status) is one of
// from, with the values added to values as :from0, :from1…: adapters build
// their conditions from the domain's table of allowed moves.
func statusIn[S ~string](from []S, values map[string]types.AttributeValue) string {
	names := make([]string, len(from))
	for i, s := range from {
		names[i] = ":from" + itoa(i)
		values[names[i]] = str(string(s))
	}
	return "#status IN (" + strings.Join(names, ", ") + ")"
}

// conditionFailed reports whether err is a failed condition of a single-item
// write.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// cancelReasons returns the per-item reasons of a cancelled transaction, in
// request order, or nil when err is not a cancellation.
func cancelReasons(err error) []types.CancellationReason {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return tce.CancellationReasons
	}
	return nil
}

// passing reports whether a failed transaction may succeed when tried
// again: cancelled by a conflict with another transaction or by
// throttling, throttled whole, or still in progress under its token.
func passing(err error) bool {
	for _, r := range cancelReasons(err) {
		if code := aws.ToString(r.Code); code == "TransactionConflict" || code == "ThrottlingError" {
			return true
		}
	}
	var throttled *types.ThrottlingException
	var inProgress *types.TransactionInProgressException
	var provisioned *types.ProvisionedThroughputExceededException
	var limit *types.RequestLimitExceeded
	return errors.As(err, &throttled) || errors.As(err, &inProgress) || errors.As(err, &provisioned) || errors.As(err, &limit)
}

// maxTransactAttempts bounds the retries of a transaction that real DynamoDB
// cancelled with TransactionConflict (another transaction held an item) or
// throttled.
const maxTransactAttempts = 6

// transact runs a transaction, retrying passing failures (conflicts,
// throttling) with jittered exponential backoff, each try under a fresh
// ClientRequestToken: a token reused after a throttle would only report the
// first try as still in progress. Condition failures are returned at once
// for the caller to read; what stays passing after the last try is
// EUNAVAILABLE, so the caller answers 503 with Retry-After.
func (db *DB) transact(ctx context.Context, in *dynamodb.TransactWriteItemsInput) error {
	backoff := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		in.ClientRequestToken = aws.String(newRequestToken())
		_, err := db.api.TransactWriteItems(ctx, in)
		if err == nil || !passing(err) {
			return err
		}
		if attempt == maxTransactAttempts {
			return fmt.Errorf("transaction: %w: %w", closeloop.Errorf(closeloop.EUNAVAILABLE, "the service is busy, try again shortly"), err)
		}
		sleep := backoff/2 + rand.N(backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sleep):
		}
		backoff *= 2
	}
}

// newRequestToken is a transaction's idempotency token: 128 random bits.
func newRequestToken() string {
	return strconv.FormatUint(rand.Uint64(), 36) + strconv.FormatUint(rand.Uint64(), 36)
}

// unavailable turns throttling and outages into EUNAVAILABLE so the caller
// can answer 503 with Retry-After; other errors are wrapped as they are.
func unavailable(op string, err error) error {
	var internal *types.InternalServerError
	if passing(err) || errors.As(err, &internal) {
		return fmt.Errorf("%s: %w: %w", op, closeloop.Errorf(closeloop.EUNAVAILABLE, "the service is busy, try again shortly"), err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
