package localaws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// StreamsAPI is the part of the DynamoDB Streams client StreamPoller uses.
type StreamsAPI interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// TableAPI is the DynamoDB call that finds a table's stream.
type TableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

var (
	_ StreamsAPI = (*dynamodbstreams.Client)(nil)
	_ TableAPI   = (*dynamodb.Client)(nil)
)

// Defaults and limits of a DynamoDB stream event source mapping.
const (
	defaultStreamBatch = 100
	// maxStreamBatch is GetRecords' limit; Lambda can gather more over
	// several reads, which a local poller has no need for.
	maxStreamBatch    = 1000
	defaultMaxRetries = 3
)

// StreamPoller does what a DynamoDB stream event source mapping with
// ReportBatchItemFailures does, against DynamoDB Local: it reads every shard
// of the table's latest stream from TRIM_HORIZON, in order, and invokes
// Handler with batches of records as events.DynamoDBEvent.
//
//   - A batch succeeds when the handler returns no error and no
//     BatchItemFailures; the shard moves past it.
//   - BatchItemFailures (sequence numbers) mark the records before the first
//     failed one as done; the batch is retried from that record in a later
//     round. A handler error (or panic), or a failure naming a record not in
//     the batch, retries the whole batch.
//   - When the same starting record has failed 1 + MaxRetries times, the
//     records from it to the end of the batch are handed to OnFailure (the
//     on-failure destination) and skipped, and later records flow again.
//
// It applies no event filter: Lambda's FilterCriteria are not emulated, so
// handlers must ignore the records they do not want themselves (which they
// should anyway, as a filter is an optimisation, not a guarantee). Nor does
// it emulate BisectBatchOnFunctionError (a handler error retries the whole
// batch), MaximumRecordAgeInSeconds or batching windows.
//
// DynamoDB Local writes an empty map in a stream image in a form the SDK
// misreads; StreamPoller mends it (restoreEmptyMaps), so images hold what the
// table holds.
//
// Positions live in memory only: a new StreamPoller starts again at
// TRIM_HORIZON. It is not safe for concurrent use.
type StreamPoller struct {
	// Streams is the DynamoDB Streams client (same endpoint as DynamoDB Local).
	Streams StreamsAPI
	// DynamoDB finds the table's LatestStreamArn.
	DynamoDB TableAPI
	// Table is the table whose stream is read.
	Table string
	// Region is the records' awsRegion. DynamoDB Local reports "ddblocal",
	// which no handler would see in AWS; set the region the clients use.
	// eventSourceARN stays the stream ARN DynamoDB Local gives, with region
	// ddblocal and account 000000000000.
	Region string
	// Handler is the function the event source mapping would invoke.
	Handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	// BatchSize is the most records in one event, up to 1000; 0 means 100.
	BatchSize int
	// MaxRetries is MaximumRetryAttempts: how many times a failing batch is
	// retried from the same record before it is given up. 0 means 3; a
	// negative value retries for ever, as -1 does in Lambda.
	MaxRetries int
	// OnFailure receives the records given up on. When nil they are logged
	// (count and sequence numbers, no images) and dropped. If it returns an
	// error the records are not skipped: the next round reads them again.
	OnFailure func(context.Context, events.DynamoDBEvent) error

	streamARN string
	shards    map[string]*shardState
	// order holds shard ids as DescribeStream first listed them, parents
	// before children.
	order []string
}

// shardState is a shard's position: the records up to after are done.
type shardState struct {
	id, parent string
	// after is the sequence number of the last record done; "" before any.
	after string
	// iterator continues after `after`; nil means get a new one from after.
	iterator *string
	// finished is set once a closed shard has been read to its end.
	finished bool
	// failSeq is the first record of the batch that failed failures times.
	failSeq  string
	failures int
}

// PollOnce does one round over the shards: from each it reads what is there
// now and hands it to Handler, batch after batch, until the shard is read
// up or a batch fails (that batch is retried in a later round). A child
// shard is read only once its parent is finished, so that records of an item
// keep their order. It returns how many records were handed to Handler,
// retried ones included. Handler errors are logged, not returned: they are
// what retries are for; the errors returned are those of reading the stream
// and of OnFailure.
func (p *StreamPoller) PollOnce(ctx context.Context) (delivered int, err error) {
	delivered, _, err = p.round(ctx)
	return delivered, err
}

// Drain repeats PollOnce until a round hands nothing over and no batch waits
// for a retry, so that a test can check the effects of everything written
// before. With a negative MaxRetries and a handler that always fails, it only
// ends with ctx.
func (p *StreamPoller) Drain(ctx context.Context) error {
	for {
		n, retrying, err := p.round(ctx)
		if err != nil {
			return err
		}
		if n == 0 && !retrying {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// Run calls PollOnce until ctx ends, at once while records flow and after
// idle when a round found nothing, failed, or left a batch to retry (which
// keeps a failing handler from spinning). Errors are logged with log/slog.
// It returns ctx's error.
func (p *StreamPoller) Run(ctx context.Context, idle time.Duration) error {
	for {
		n, retrying, err := p.round(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			slog.ErrorContext(ctx, "stream poll failed", "table", p.Table, "err", err)
		}
		if n > 0 && !retrying && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(idle):
		}
	}
}

// round is PollOnce, also reporting whether a batch waits for a retry.
func (p *StreamPoller) round(ctx context.Context) (delivered int, retrying bool, err error) {
	if err := p.check(); err != nil {
		return 0, false, err
	}
	if err := p.listShards(ctx); err != nil {
		return 0, false, err
	}
	for _, id := range p.order {
		s := p.shards[id]
		if s.finished {
			continue
		}
		if parent, ok := p.shards[s.parent]; ok && !parent.finished {
			continue
		}
		n, err := p.readShard(ctx, s)
		delivered += n
		if err != nil {
			return delivered, false, err
		}
	}
	for _, s := range p.shards {
		if s.failures > 0 && !s.finished {
			retrying = true
		}
	}
	return delivered, retrying, nil
}

func (p *StreamPoller) check() error {
	switch {
	case p.Streams == nil || p.DynamoDB == nil || p.Handler == nil:
		return errors.New("StreamPoller needs Streams, DynamoDB and a Handler")
	case p.Table == "":
		return errors.New("StreamPoller needs a Table")
	case p.BatchSize < 0 || p.BatchSize > maxStreamBatch:
		return fmt.Errorf("StreamPoller BatchSize %d: want 1 to %d", p.BatchSize, maxStreamBatch)
	}
	return nil
}

// listShards finds the stream (once) and adds shards not seen before.
func (p *StreamPoller) listShards(ctx context.Context) error {
	if p.streamARN == "" {
		out, err := p.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(p.Table)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", p.Table, err)
		}
		if out.Table == nil || out.Table.LatestStreamArn == nil {
			return fmt.Errorf("table %s has no stream", p.Table)
		}
		p.streamARN = *out.Table.LatestStreamArn
		p.shards = map[string]*shardState{}
	}
	var start *string
	for {
		out, err := p.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{
			StreamArn:             aws.String(p.streamARN),
			ExclusiveStartShardId: start,
		})
		if err != nil {
			return fmt.Errorf("describe stream of %s: %w", p.Table, err)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if _, ok := p.shards[id]; ok {
				continue
			}
			p.shards[id] = &shardState{id: id, parent: aws.ToString(sh.ParentShardId)}
			p.order = append(p.order, id)
		}
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return nil
		}
	}
}

// readShard delivers the records of one shard until it is read up, a batch
// fails, or the shard ends.
func (p *StreamPoller) readShard(ctx context.Context, s *shardState) (delivered int, err error) {
	batchSize := p.BatchSize
	if batchSize == 0 {
		batchSize = defaultStreamBatch
	}
	renewed := false
	for {
		if s.iterator == nil {
			if s.iterator, err = p.shardIterator(ctx, s); err != nil {
				return delivered, err
			}
			if s.iterator == nil {
				// No iterator: the shard is closed and read to its end.
				s.finished = true
				return delivered, nil
			}
			renewed = true
		}
		out, err := p.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{
			ShardIterator: s.iterator,
			Limit:         aws.Int32(int32(batchSize)),
		}, restoreEmptyMaps)
		var expired *streamtypes.ExpiredIteratorException
		if errors.As(err, &expired) && !renewed {
			// Iterators last 15 minutes; make dev can idle longer than that.
			s.iterator = nil
			continue
		}
		if err != nil {
			return delivered, fmt.Errorf("get records of %s shard %s: %w", p.Table, s.id, err)
		}
		if len(out.Records) == 0 {
			s.iterator = out.NextShardIterator
			s.finished = s.iterator == nil
			return delivered, nil
		}
		event, err := p.event(out.Records)
		if err != nil {
			return delivered, fmt.Errorf("%s shard %s: %w", p.Table, s.id, err)
		}
		delivered += len(event.Records)
		failedAt := p.invoke(ctx, s, event)
		if failedAt < 0 {
			s.done(event.Records, out.NextShardIterator)
			if s.finished {
				return delivered, nil
			}
			continue
		}
		if failedAt > 0 {
			s.after = event.Records[failedAt-1].Change.SequenceNumber
		}
		// The retry reads again from s.after, so that records written since
		// can join the batch, as they would in Lambda.
		s.iterator = nil
		start := event.Records[failedAt].Change.SequenceNumber
		if start == s.failSeq {
			s.failures++
		} else {
			s.failSeq, s.failures = start, 1
		}
		if !p.givesUp(s.failures) {
			return delivered, nil
		}
		rest := events.DynamoDBEvent{Records: event.Records[failedAt:]}
		if err := p.giveUp(ctx, s, rest); err != nil {
			return delivered, err
		}
		s.done(event.Records, out.NextShardIterator)
		if s.finished {
			return delivered, nil
		}
	}
}

// done moves the shard past records, continuing with next.
func (s *shardState) done(records []events.DynamoDBEventRecord, next *string) {
	s.after = records[len(records)-1].Change.SequenceNumber
	s.iterator = next
	s.finished = next == nil
	s.failSeq, s.failures = "", 0
}

func (p *StreamPoller) givesUp(failures int) bool {
	switch {
	case p.MaxRetries < 0:
		return false
	case p.MaxRetries == 0:
		return failures > defaultMaxRetries
	default:
		return failures > p.MaxRetries
	}
}

func (p *StreamPoller) shardIterator(ctx context.Context, s *shardState) (*string, error) {
	in := &dynamodbstreams.GetShardIteratorInput{
		StreamArn:         aws.String(p.streamARN),
		ShardId:           aws.String(s.id),
		ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
	}
	if s.after != "" {
		in.ShardIteratorType = streamtypes.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(s.after)
	}
	out, err := p.Streams.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get iterator of %s shard %s: %w", p.Table, s.id, err)
	}
	return out.ShardIterator, nil
}

// invoke calls Handler and returns the index of the first record to retry,
// or -1 when the whole batch succeeded.
func (p *StreamPoller) invoke(ctx context.Context, s *shardState, e events.DynamoDBEvent) int {
	first, last := e.Records[0].Change.SequenceNumber, e.Records[len(e.Records)-1].Change.SequenceNumber
	resp, err := invokeStream(ctx, p.Handler, e)
	if err != nil {
		slog.WarnContext(ctx, "stream handler failed; the batch will be retried",
			"table", p.Table, "shard", s.id, "records", len(e.Records), "first", first, "last", last, "err", err)
		return 0
	}
	if len(resp.BatchItemFailures) == 0 {
		return -1
	}
	index := make(map[string]int, len(e.Records))
	for i, r := range e.Records {
		index[r.Change.SequenceNumber] = i
	}
	failedAt := len(e.Records)
	for _, f := range resp.BatchItemFailures {
		i, ok := index[f.ItemIdentifier]
		if !ok {
			// Lambda treats an empty or unknown identifier as a failure of the
			// whole batch.
			slog.WarnContext(ctx, "stream handler reported a failed item that is not in the batch; the batch will be retried",
				"table", p.Table, "shard", s.id, "item", f.ItemIdentifier, "first", first, "last", last)
			return 0
		}
		failedAt = min(failedAt, i)
	}
	return failedAt
}

// invokeStream calls the handler, turning a panic into an error as the
// Lambda runtime does.
func invokeStream(ctx context.Context, h func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), e events.DynamoDBEvent) (resp events.DynamoDBEventResponse, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return h(ctx, e)
}

func (p *StreamPoller) giveUp(ctx context.Context, s *shardState, e events.DynamoDBEvent) error {
	first, last := e.Records[0].Change.SequenceNumber, e.Records[len(e.Records)-1].Change.SequenceNumber
	if p.OnFailure == nil {
		slog.ErrorContext(ctx, "stream records given up after retries",
			"table", p.Table, "shard", s.id, "records", len(e.Records), "first", first, "last", last)
		return nil
	}
	if err := p.OnFailure(ctx, e); err != nil {
		return fmt.Errorf("on-failure destination for %s shard %s records %s to %s: %w", p.Table, s.id, first, last, err)
	}
	return nil
}

// event builds the DynamoDBEvent Lambda would deliver for records.
func (p *StreamPoller) event(records []streamtypes.Record) (events.DynamoDBEvent, error) {
	e := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, 0, len(records))}
	for _, r := range records {
		rec, err := p.eventRecord(r)
		if err != nil {
			return events.DynamoDBEvent{}, fmt.Errorf("record %s: %w", aws.ToString(r.EventID), err)
		}
		e.Records = append(e.Records, rec)
	}
	return e, nil
}

func (p *StreamPoller) eventRecord(r streamtypes.Record) (events.DynamoDBEventRecord, error) {
	region := p.Region
	if region == "" {
		region = aws.ToString(r.AwsRegion)
	}
	rec := events.DynamoDBEventRecord{
		AWSRegion:      region,
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    "aws:dynamodb",
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: p.streamARN,
	}
	if r.UserIdentity != nil {
		rec.UserIdentity = &events.DynamoDBUserIdentity{
			Type:        aws.ToString(r.UserIdentity.Type),
			PrincipalID: aws.ToString(r.UserIdentity.PrincipalId),
		}
	}
	c := r.Dynamodb
	if c == nil {
		return events.DynamoDBEventRecord{}, errors.New("no dynamodb section")
	}
	var err error
	rec.Change = events.DynamoDBStreamRecord{
		SequenceNumber: aws.ToString(c.SequenceNumber),
		SizeBytes:      aws.ToInt64(c.SizeBytes),
		StreamViewType: string(c.StreamViewType),
	}
	if c.ApproximateCreationDateTime != nil {
		rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *c.ApproximateCreationDateTime}
	}
	if rec.Change.Keys, err = eventImage(c.Keys); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("Keys: %w", err)
	}
	if rec.Change.NewImage, err = eventImage(c.NewImage); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("NewImage: %w", err)
	}
	if rec.Change.OldImage, err = eventImage(c.OldImage); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("OldImage: %w", err)
	}
	return rec, nil
}

// eventImage converts an item image; nil stays nil, so that a missing image
// is left out of the JSON as Lambda leaves it out.
func eventImage(image map[string]streamtypes.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	if image == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(image))
	for name, v := range image {
		av, err := eventAttribute(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out[name] = av
	}
	return out, nil
}

// eventAttribute converts one attribute value of a stream record to the
// events package's type, which has a constructor per DynamoDB type.
func eventAttribute(v streamtypes.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *streamtypes.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, item := range v.Value {
			av, err := eventAttribute(item)
			if err != nil {
				return events.DynamoDBAttributeValue{}, fmt.Errorf("[%d]: %w", i, err)
			}
			list[i] = av
		}
		return events.NewListAttribute(list), nil
	case *streamtypes.AttributeValueMemberM:
		m, err := eventImage(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		if m == nil {
			m = map[string]events.DynamoDBAttributeValue{}
		}
		return events.NewMapAttribute(m), nil
	default:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute value type %T", v)
	}
}

// restoreEmptyMaps works around DynamoDB Local writing an empty map in a
// stream image as {} instead of {"M":{}} (GetItem gets it right). The SDK
// decodes such an empty union as nil or, worse, as the value decoded just
// before it, so the response body is mended before the SDK reads it: this
// middleware sits after the operation's deserializer and so sees the raw
// response first.
func restoreEmptyMaps(o *dynamodbstreams.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("localaws.restoreEmptyMaps", func(
			ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
		) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if err != nil || !ok || resp.StatusCode != http.StatusOK {
				return out, md, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return out, md, fmt.Errorf("read GetRecords response: %w", err)
			}
			// A body that is not the JSON expected is left to the SDK to report.
			if mended, err := mendEmptyMaps(body); err == nil {
				body = mended
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			return out, md, nil
		}), middleware.After)
	})
}

// mendEmptyMaps replaces each attribute value {} in the images of a
// GetRecords response with {"M":{}}. It returns body itself when there is
// none. Numbers are kept as written (json.Number).
func mendEmptyMaps(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	records, _ := doc["Records"].([]any)
	mended := false
	for _, r := range records {
		rec, _ := r.(map[string]any)
		change, _ := rec["dynamodb"].(map[string]any)
		for _, name := range []string{"Keys", "NewImage", "OldImage"} {
			image, _ := change[name].(map[string]any)
			for _, v := range image {
				mended = mendValue(v) || mended
			}
		}
	}
	if !mended {
		return body, nil
	}
	return json.Marshal(doc)
}

// mendValue mends one attribute value and the values inside it.
func mendValue(v any) bool {
	av, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if len(av) == 0 {
		av["M"] = map[string]any{}
		return true
	}
	mended := false
	if m, ok := av["M"].(map[string]any); ok {
		for _, e := range m {
			mended = mendValue(e) || mended
		}
	}
	if l, ok := av["L"].([]any); ok {
		for _, e := range l {
			mended = mendValue(e) || mended
		}
	}
	return mended
}
