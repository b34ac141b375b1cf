package capacity

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Item is an attribute map, as the SDK has it.
type Item = map[string]types.AttributeValue

// Recorder is DynamoDB client middleware that computes the capacity units
// of each call from the items it touches: a write's item before and after
// it (read with a consistent GetItem through Raw, a client the recorder is
// not registered on) and the index entries it changes; a read's items at
// their full size (DynamoDB bills the item, not the projection).
//
// Rules (DynamoDB's on-demand pricing): a write costs ⌈larger of the item
// before and after / 1 KB⌉ units, twice in a transaction; each global
// secondary index entry put or deleted ⌈projected size / 1 KB⌉ more (not
// doubled: index writes are not transactional); a key change in an index
// is a delete and a put. A read costs ⌈size / 4 KB⌉, half when eventually
// consistent, twice in a transaction; a Query or Scan sums its items'
// sizes first. Items a filter dropped are not seen, so a filtered Query
// is counted low (Call.Scanned says how many were read).
//
// It sets ReturnConsumedCapacity TOTAL on each call and keeps DynamoDB's
// answer in Call.Reported, to cross-check single-item calls. It is for
// tests and benchmarks: the extra reads double the requests.
type Recorder struct {
	Raw *dynamodb.Client
	// Keys are the table's key attribute names (pk, sk); Indexes its
	// global secondary indexes.
	Keys    []string
	Indexes []Index

	mu    sync.Mutex
	calls []Call
}

// Index is a global secondary index: its key attributes and projection.
type Index struct {
	Name     string
	Keys     []string
	Type     types.ProjectionType
	Included []string
}

// Call is one recorded call and its units.
type Call struct {
	Op         string
	WriteUnits float64
	ReadUnits  float64
	// IndexWriteUnits are the part of WriteUnits spent on index entries.
	IndexWriteUnits float64
	// Sizes are the billed item sizes (for a write the larger of before
	// and after), in the call's order.
	Sizes   []int
	Scanned int
	// Reported is DynamoDB's ConsumedCapacity total, -1 when it gave none.
	Reported float64
	// Writes are the items written, in the call's order.
	Writes []Write
}

// Write is one item a call wrote: its key's values, its billed size and
// its units (for finding where an operation's units go).
type Write struct {
	Key        string
	Size       int
	Units      float64
	IndexUnits float64
}

func (w Write) String() string {
	return fmt.Sprintf("%s %d B %v+%v", w.Key, w.Size, w.Units, w.IndexUnits)
}

// NewRecorder describes table through raw and returns a recorder for it.
func NewRecorder(ctx context.Context, raw *dynamodb.Client, table string) (*Recorder, error) {
	out, err := raw.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	r := &Recorder{Raw: raw}
	for _, k := range out.Table.KeySchema {
		r.Keys = append(r.Keys, aws.ToString(k.AttributeName))
	}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		ix := Index{Name: aws.ToString(g.IndexName), Type: g.Projection.ProjectionType, Included: g.Projection.NonKeyAttributes}
		for _, k := range g.KeySchema {
			ix.Keys = append(ix.Keys, aws.ToString(k.AttributeName))
		}
		r.Indexes = append(r.Indexes, ix)
	}
	return r, nil
}

// Register adds the recorder to a client's middleware; pass it as an
// option to dynamodb.NewFromConfig or testenv.DynamoDB.
func (r *Recorder) Register(o *dynamodb.Options) {
	id := fmt.Sprintf("capacity.Recorder.%p", r)
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc(id, r.handle), middleware.Before)
	})
}

// Reset forgets the calls recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// Calls returns the calls recorded since the last Reset.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Totals sums the calls recorded since the last Reset.
func (r *Recorder) Totals() (write, read float64, calls int) {
	all := r.Calls()
	for _, c := range all {
		write += c.WriteUnits
		read += c.ReadUnits
	}
	return write, read, len(all)
}

type write struct {
	table string
	key   Item
	tx    bool
	check bool // a transaction's ConditionCheck: billed as a write, changes nothing
	// before is the item before the write (nil when absent).
	before Item
}

func (r *Recorder) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	var writes []*write
	total := types.ReturnConsumedCapacityTotal
	switch p := in.Parameters.(type) {
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
		writes = append(writes, &write{table: aws.ToString(p.TableName), key: r.key(p.Item)})
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = total
		writes = append(writes, &write{table: aws.ToString(p.TableName), key: p.Key})
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = total
		writes = append(writes, &write{table: aws.ToString(p.TableName), key: p.Key})
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = total
		for _, t := range p.TransactItems {
			switch {
			case t.Put != nil:
				writes = append(writes, &write{table: aws.ToString(t.Put.TableName), key: r.key(t.Put.Item), tx: true})
			case t.Update != nil:
				writes = append(writes, &write{table: aws.ToString(t.Update.TableName), key: t.Update.Key, tx: true})
			case t.Delete != nil:
				writes = append(writes, &write{table: aws.ToString(t.Delete.TableName), key: t.Delete.Key, tx: true})
			case t.ConditionCheck != nil:
				writes = append(writes, &write{table: aws.ToString(t.ConditionCheck.TableName), key: t.ConditionCheck.Key, tx: true, check: true})
			}
		}
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
		for table, reqs := range p.RequestItems {
			for _, w := range reqs {
				if w.PutRequest != nil {
					writes = append(writes, &write{table: table, key: r.key(w.PutRequest.Item)})
				} else if w.DeleteRequest != nil {
					writes = append(writes, &write{table: table, key: w.DeleteRequest.Key})
				}
			}
		}
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = total
	default:
		return next.HandleInitialize(ctx, in)
	}
	for _, w := range writes {
		w.before = r.get(ctx, w.table, w.key)
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	c := Call{Op: middleware.GetOperationName(ctx), Reported: -1}
	for _, w := range writes {
		after := w.before
		if !w.check {
			after = r.get(ctx, w.table, w.key)
		}
		size := max(ItemSize(w.before), ItemSize(after))
		c.Sizes = append(c.Sizes, size)
		units, index := WriteUnits(size, w.tx), 0.0
		if !w.check {
			index = r.indexUnits(w.before, after)
		}
		c.WriteUnits += units + index
		c.IndexWriteUnits += index
		c.Writes = append(c.Writes, Write{Key: describeKey(w.key), Size: size, Units: units, IndexUnits: index})
	}
	var consumed []types.ConsumedCapacity
	switch p := in.Parameters.(type) {
	case *dynamodb.PutItemInput:
		consumed = one(out.Result.(*dynamodb.PutItemOutput).ConsumedCapacity)
	case *dynamodb.UpdateItemInput:
		consumed = one(out.Result.(*dynamodb.UpdateItemOutput).ConsumedCapacity)
	case *dynamodb.DeleteItemInput:
		consumed = one(out.Result.(*dynamodb.DeleteItemOutput).ConsumedCapacity)
	case *dynamodb.TransactWriteItemsInput:
		consumed = out.Result.(*dynamodb.TransactWriteItemsOutput).ConsumedCapacity
	case *dynamodb.BatchWriteItemInput:
		consumed = out.Result.(*dynamodb.BatchWriteItemOutput).ConsumedCapacity
	case *dynamodb.GetItemInput:
		o := out.Result.(*dynamodb.GetItemOutput)
		consumed = one(o.ConsumedCapacity)
		size := 0
		if o.Item != nil {
			size = ItemSize(r.get(ctx, aws.ToString(p.TableName), p.Key))
		}
		c.Sizes = append(c.Sizes, size)
		c.ReadUnits = ReadUnits(size, aws.ToBool(p.ConsistentRead), false)
	case *dynamodb.BatchGetItemInput:
		o := out.Result.(*dynamodb.BatchGetItemOutput)
		consumed = o.ConsumedCapacity
		for table, items := range o.Responses {
			consistent := aws.ToBool(p.RequestItems[table].ConsistentRead)
			for _, it := range items {
				size := ItemSize(r.get(ctx, table, r.key(it)))
				c.Sizes = append(c.Sizes, size)
				c.ReadUnits += ReadUnits(size, consistent, false)
			}
		}
	case *dynamodb.TransactGetItemsInput:
		o := out.Result.(*dynamodb.TransactGetItemsOutput)
		consumed = o.ConsumedCapacity
		for i, t := range p.TransactItems {
			size := 0
			if i < len(o.Responses) && o.Responses[i].Item != nil {
				size = ItemSize(r.get(ctx, aws.ToString(t.Get.TableName), t.Get.Key))
			}
			c.Sizes = append(c.Sizes, size)
			c.ReadUnits += ReadUnits(size, true, true)
		}
	case *dynamodb.QueryInput:
		o := out.Result.(*dynamodb.QueryOutput)
		consumed = one(o.ConsumedCapacity)
		c.Scanned = int(o.ScannedCount)
		c.ReadUnits = r.readMany(ctx, &c, aws.ToString(p.TableName), aws.ToString(p.IndexName), o.Items, aws.ToBool(p.ConsistentRead))
	case *dynamodb.ScanInput:
		o := out.Result.(*dynamodb.ScanOutput)
		consumed = one(o.ConsumedCapacity)
		c.Scanned = int(o.ScannedCount)
		c.ReadUnits = r.readMany(ctx, &c, aws.ToString(p.TableName), aws.ToString(p.IndexName), o.Items, aws.ToBool(p.ConsistentRead))
	}
	if consumed != nil {
		c.Reported = 0
		for _, cc := range consumed {
			c.Reported += aws.ToFloat64(cc.CapacityUnits)
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return out, md, err
}

func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}

// readMany is the read units of a Query's or Scan's items: their sizes in
// the table or index read, summed, then rounded.
func (r *Recorder) readMany(ctx context.Context, c *Call, table, index string, items []Item, consistent bool) float64 {
	var ix *Index
	for i := range r.Indexes {
		if r.Indexes[i].Name == index {
			ix = &r.Indexes[i]
		}
	}
	sum := 0
	for _, it := range items {
		full := r.get(ctx, table, r.key(it))
		size := ItemSize(full)
		if ix != nil {
			size = ItemSize(r.project(*ix, full))
		}
		c.Sizes = append(c.Sizes, size)
		sum += size
	}
	return ReadUnits(sum, consistent, false)
}

// indexUnits is the write units of the index entries a change from
// before to after puts or deletes.
func (r *Recorder) indexUnits(before, after Item) float64 {
	u := 0.0
	for _, ix := range r.Indexes {
		in, out := r.project(ix, before), r.project(ix, after)
		switch {
		case in == nil && out == nil, reflect.DeepEqual(in, out):
		case in == nil:
			u += WriteUnits(ItemSize(out), false)
		case out == nil:
			u += WriteUnits(ItemSize(in), false)
		case !reflect.DeepEqual(pick(in, ix.Keys), pick(out, ix.Keys)):
			u += WriteUnits(ItemSize(in), false) + WriteUnits(ItemSize(out), false)
		default:
			u += WriteUnits(max(ItemSize(in), ItemSize(out)), false)
		}
	}
	return u
}

// project is item's entry in index ix, nil when it has none (an index key
// attribute missing).
func (r *Recorder) project(ix Index, item Item) Item {
	for _, k := range ix.Keys {
		if item[k] == nil {
			return nil
		}
	}
	switch ix.Type {
	case types.ProjectionTypeKeysOnly:
		return pick(item, append(append([]string{}, r.Keys...), ix.Keys...))
	case types.ProjectionTypeInclude:
		return pick(item, append(append(append([]string{}, r.Keys...), ix.Keys...), ix.Included...))
	}
	return item
}

func pick(item Item, names []string) Item {
	out := Item{}
	for _, n := range names {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}

func (r *Recorder) key(item Item) Item { return pick(item, r.Keys) }

// get reads an item consistently through the raw client; nil when absent
// or unreadable.
func (r *Recorder) get(ctx context.Context, table string, key Item) Item {
	out, err := r.Raw.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil
	}
	return out.Item
}

// describeKey is a key's attribute values, for Call.Writes.
func describeKey(key Item) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(key)) {
		if s, ok := key[name].(*types.AttributeValueMemberS); ok {
			b.WriteString(s.Value + " ")
		}
	}
	return strings.TrimSpace(b.String())
}
