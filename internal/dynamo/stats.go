package dynamo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// A store's counters live in one partition, STORE#{store}#STATS:
//
//	D#{day}#{shard}   a store-local day's tally, ADDed by the transactions of
//	                  the facts it counts (send, answer, resolution)
//	NOW#{shard}       the current load: open cases, cases found overdue
//
// Hot counters are spread over statsShards items each, read back summed:
// concurrent answers then rarely touch one item (real DynamoDB cancels
// concurrent transactions on one item). All of a range's days, shards
// included, come back in one query: three years are about 4,400 small
// items, under one page of 1 MB.
//
// Products' counters, applied by the stream relay, live per store and
// month, STORE#{store}#PRODUCTS#{yyyy-mm}:
//
//	D#{day}#{sku}     a product's day
//	M#{sku}           a product's month, with its name
//
// so that a product list reads one query per month touched (months whole
// in the range from their M# items) and a product's days are batch reads.
const statsShards = 4

func statsPK(storeID string) string { return "STORE#" + storeID + "#STATS" }

func productsPK(storeID, month string) string { return "STORE#" + storeID + "#PRODUCTS#" + month }

// statsShard spreads the counters of one fact over the shards by the ID of
// what it is about.
func statsShard(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return strconv.Itoa(int(h.Sum32() % statsShards))
}

// tallyNames are the counter attributes in the order of a Tally's fields.
var tallyNames = func() []string {
	names := []string{"sent", "answered"}
	for i := 1; i <= 5; i++ {
		names = append(names, "csat_"+strconv.Itoa(i))
	}
	for i := 0; i <= 10; i++ {
		names = append(names, "nps_"+strconv.Itoa(i))
	}
	names = append(names, "points", "fu_opened", "fu_resolved", "fu_minutes")
	names = append(names, loopTallyNames...)   // closing the loop (loop.go)
	return append(names, recheckTallyNames...) // recheck_stats.go
}()

func tallyValues(t closeloop.Tally) []int {
	v := []int{t.Sent, t.Answered}
	v = append(v, t.CSAT[:]...)
	v = append(v, t.NPS[:]...)
	v = append(v, t.Points, t.Opened, t.Resolved, t.ResolveMinutes)
	v = append(v, loopTallyValues(t)...) // closing the loop (loop.go)
	return append(v, recheckTallyValues(t)...)
}

func tallyOf(item map[string]types.AttributeValue) closeloop.Tally {
	v := make([]int, len(tallyNames))
	for i, name := range tallyNames {
		if n, ok := item[name].(*types.AttributeValueMemberN); ok {
			v[i], _ = strconv.Atoi(n.Value)
		}
	}
	var t closeloop.Tally
	t.Sent, t.Answered = v[0], v[1]
	copy(t.CSAT[:], v[2:7])
	copy(t.NPS[:], v[7:18])
	t.Points, t.Opened, t.Resolved, t.ResolveMinutes = v[18], v[19], v[20], v[21]
	setLoopTally(&t, v[22:22+len(loopTallyNames)], item) // closing the loop (loop.go)
	readRecheckTally(item, &t)
	return t
}

// addTally is the update that ADDs t's non-zero counters to the item at
// pk/sk, and SETs set (attribute name to value) beside.
func (db *DB) addTally(pk, sk string, t closeloop.Tally, set map[string]string) *types.Update {
	var adds, sets []string
	values := map[string]types.AttributeValue{}
	for i, n := range tallyValues(t) {
		if n != 0 {
			name := ":" + tallyNames[i]
			adds = append(adds, tallyNames[i]+" "+name)
			values[name] = num(n)
		}
	}
	for name, v := range set {
		sets = append(sets, "#"+name+" = :"+name)
		values[":"+name] = str(v)
	}
	slices.Sort(adds)
	adds = append(adds, reasonAdds(t, values)...) // closing the loop (loop.go)
	slices.Sort(sets)
	update := ""
	if len(sets) > 0 {
		update = "SET " + strings.Join(sets, ", ") + " "
	}
	update += "ADD " + strings.Join(adds, ", ")
	u := &types.Update{
		TableName: aws.String(db.table), Key: key(pk, sk),
		UpdateExpression: aws.String(update), ExpressionAttributeValues: values,
	}
	if len(set) > 0 {
		u.ExpressionAttributeNames = map[string]string{}
		for name := range set {
			u.ExpressionAttributeNames["#"+name] = name
		}
	}
	return u
}

// tallyItems are the transaction's updates of a store's day counters for
// ts, on the shard of id (the survey or case the fact is about).
func (db *DB) tallyItems(storeID, id string, ts closeloop.Tallies) []types.TransactWriteItem {
	shard := statsShard(id)
	days := make([]string, 0, len(ts))
	for day := range ts {
		days = append(days, day)
	}
	slices.Sort(days)
	var items []types.TransactWriteItem
	for _, day := range days {
		if ts[day].Zero() {
			continue
		}
		items = append(items, types.TransactWriteItem{Update: db.addTally(statsPK(storeID), "D#"+day+"#"+shard, ts[day], nil)})
	}
	return items
}

// loadItem is the transaction's update of a store's current load by the
// changes open and overdue, on the shard of id.
func (db *DB) loadItem(storeID, id string, open, overdue int) types.TransactWriteItem {
	values := map[string]types.AttributeValue{}
	var adds []string
	if open != 0 {
		adds, values[":open"] = append(adds, "#open :open"), num(open)
	}
	if overdue != 0 {
		adds, values[":overdue"] = append(adds, "overdue :overdue"), num(overdue)
	}
	u := &types.Update{
		TableName: aws.String(db.table), Key: key(statsPK(storeID), "NOW#"+statsShard(id)),
		UpdateExpression: aws.String("ADD " + strings.Join(adds, ", ")), ExpressionAttributeValues: values,
	}
	if open != 0 {
		u.ExpressionAttributeNames = map[string]string{"#open": "open"}
	}
	return types.TransactWriteItem{Update: u}
}

// StoreTallies returns a store's tallies of days from..to (store-local,
// inclusive), shards summed: one query.
func (db *DB) StoreTallies(ctx context.Context, storeID, from, to string) (map[string]closeloop.Tally, error) {
	tallies := map[string]closeloop.Tally{}
	err := db.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(statsPK(storeID)), ":from": str("D#" + from), ":to": str("D#" + to + "#~"),
		},
	}, func(item map[string]types.AttributeValue) error {
		var rec struct {
			SK string `json:"sk"`
		}
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		day, _, _ := strings.Cut(strings.TrimPrefix(rec.SK, "D#"), "#")
		t := tallies[day]
		t.Add(tallyOf(item))
		tallies[day] = t
		return nil
	})
	return tallies, err
}

// CaseLoad returns a store's current follow-up load, with the time of the
// last SLA check: one batch read.
func (db *DB) CaseLoad(ctx context.Context, storeID string) (closeloop.CaseLoad, error) {
	keys := []map[string]types.AttributeValue{key("SLA", "#CHECKED")}
	for shard := range statsShards {
		keys = append(keys, key(statsPK(storeID), "NOW#"+strconv.Itoa(shard)))
	}
	items, err := db.batchGet(ctx, keys)
	if err != nil {
		return closeloop.CaseLoad{}, err
	}
	var load closeloop.CaseLoad
	for _, item := range items {
		var rec struct {
			PK      string    `json:"pk"`
			Open    int       `json:"open"`
			Overdue int       `json:"overdue"`
			At      time.Time `json:"at"`
		}
		if err := unmarshal(item, &rec); err != nil {
			return closeloop.CaseLoad{}, err
		}
		if rec.PK == "SLA" {
			load.OverdueAsOf = &rec.At
			continue
		}
		load.Open += rec.Open
		load.Overdue += rec.Overdue
	}
	return load, nil
}

// RecordSLACheck notes the time of an SLA check, which the overdue counts
// are as of.
func (db *DB) RecordSLACheck(ctx context.Context, at time.Time) error {
	_, err := db.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(db.table),
		Item:      map[string]types.AttributeValue{attrPK: str("SLA"), attrSK: str("#CHECKED"), "at": str(stamp(at))},
	})
	if err != nil {
		return unavailable("record sla check", err)
	}
	return nil
}

// queryAll runs a query through all its pages, handing each item to each.
func (db *DB) queryAll(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue) error) error {
	for page := dynamodb.NewQueryPaginator(db.api, in); page.HasMorePages(); {
		out, err := page.NextPage(ctx)
		if err != nil {
			return unavailable("query", err)
		}
		for _, item := range out.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxTransactItems is DynamoDB's limit on one transaction's actions.
const maxTransactItems = 100

// AddProductTallies applies products' tallies, merged into one update per
// counter item, in transactions of at most 100 actions, each guarded by a
// marker item of its own (mark + its number): a redelivered fact finds its
// markers and changes nothing twice, and a crash between transactions
// leaves the rest to the retry.
func (db *DB) AddProductTallies(ctx context.Context, storeID, mark string, pts []closeloop.ProductTally) error {
	c := newCounterUpdates()
	c.add(storeID, pts)
	keys := c.sorted()
	// A deterministic order makes a retry build the same chunks as the
	// first try, so each chunk's marker guards the same updates.
	for chunk := 0; chunk*(maxTransactItems-1) < len(keys); chunk++ {
		part := keys[chunk*(maxTransactItems-1) : min(len(keys), (chunk+1)*(maxTransactItems-1))]
		items := append([]types.TransactWriteItem{db.productMark(mark, chunk)}, c.updates(db, part)...)
		err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if reasons := cancelReasons(err); len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
			continue // applied before
		}
		if err != nil {
			return unavailable(fmt.Sprintf("add product tallies (part %d)", chunk), err)
		}
	}
	return nil
}

// AddProductFacts applies the products' tallies of many facts (a stream
// batch's) together: each transaction holds the marker of every fact in it
// (the one AddProductTallies puts for a fact that fits one transaction)
// and their counters merged, so facts about the same products cost a
// marker each and one update per counter item, rather than an update per
// fact and counter item. When a marker cancels a transaction (a fact
// applied before: a redelivery), its facts are applied one by one through
// AddProductTallies, which skips what was applied; so is a fact whose
// counters fill a transaction alone.
func (db *DB) AddProductFacts(ctx context.Context, facts []closeloop.Change) error {
	var group []closeloop.Change
	c := newCounterUpdates()
	for _, f := range facts {
		own := newCounterUpdates()
		own.add(f.StoreID, f.Products)
		switch {
		case len(own.merged) == 0:
			continue
		case len(own.merged) > maxTransactItems-1:
			if err := db.AddProductTallies(ctx, f.StoreID, f.Mark, f.Products); err != nil {
				return err
			}
			continue
		}
		if len(group) > 0 && len(group)+1+c.union(own) > maxTransactItems {
			if err := db.applyFacts(ctx, group, c); err != nil {
				return err
			}
			group, c = nil, newCounterUpdates()
		}
		group = append(group, f)
		c.merge(own)
	}
	if len(group) == 0 {
		return nil
	}
	return db.applyFacts(ctx, group, c)
}

// applyFacts applies a group of facts whose counters c merges: one
// transaction of their markers and c, or, when a marker cancels it, each
// fact alone; a group of one is that fact alone.
func (db *DB) applyFacts(ctx context.Context, group []closeloop.Change, c *counterUpdates) error {
	if len(group) == 1 {
		return db.AddProductTallies(ctx, group[0].StoreID, group[0].Mark, group[0].Products)
	}
	var items []types.TransactWriteItem
	for _, f := range group {
		items = append(items, db.productMark(f.Mark, 0))
	}
	items = append(items, c.updates(db, c.sorted())...)
	err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	reasons := cancelReasons(err)
	if slices.ContainsFunc(reasons[:min(len(reasons), len(group))], func(r types.CancellationReason) bool {
		return aws.ToString(r.Code) == "ConditionalCheckFailed"
	}) {
		for _, f := range group {
			if err := db.AddProductTallies(ctx, f.StoreID, f.Mark, f.Products); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return unavailable("add product tallies", err)
	}
	return nil
}

// productMark is the put of fact mark's marker number n, which fails when
// the fact was applied before.
func (db *DB) productMark(mark string, n int) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(db.table),
		Item: map[string]types.AttributeValue{
			attrPK: str("MARK#" + mark), attrSK: str("#" + strconv.Itoa(n)), "expires_at": expiresAt(time.Now().Add(deliveryRetention)),
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

// counterKey is a products' counter item: a day's (D#) or a month's (M#).
type counterKey struct{ pk, sk string }

// counterUpdates are products' tallies merged per counter item, with the
// products' names for the month items.
type counterUpdates struct {
	merged map[counterKey]closeloop.Tally
	names  map[counterKey]string
}

func newCounterUpdates() *counterUpdates {
	return &counterUpdates{merged: map[counterKey]closeloop.Tally{}, names: map[counterKey]string{}}
}

// add merges a store's products' tallies in.
func (c *counterUpdates) add(storeID string, pts []closeloop.ProductTally) {
	for _, pt := range pts {
		if pt.Tally.Zero() {
			continue
		}
		month := pt.Day[:7]
		for _, k := range []counterKey{
			{productsPK(storeID, month), "D#" + pt.Day + "#" + pt.SKU},
			{productsPK(storeID, month), "M#" + pt.SKU},
		} {
			t := c.merged[k]
			t.Add(pt.Tally)
			c.merged[k] = t
		}
		if pt.Name != "" {
			c.names[counterKey{productsPK(storeID, month), "M#" + pt.SKU}] = pt.Name
		}
	}
}

// merge adds other's counters and names to c.
func (c *counterUpdates) merge(other *counterUpdates) {
	for k, t := range other.merged {
		sum := c.merged[k]
		sum.Add(t)
		c.merged[k] = sum
	}
	maps.Copy(c.names, other.names)
}

// union is how many counter items c would update with other merged in.
func (c *counterUpdates) union(other *counterUpdates) int {
	n := len(c.merged)
	for k := range other.merged {
		if _, ok := c.merged[k]; !ok {
			n++
		}
	}
	return n
}

// sorted are the counter items in key order.
func (c *counterUpdates) sorted() []counterKey {
	keys := slices.Collect(maps.Keys(c.merged))
	slices.SortFunc(keys, func(a, b counterKey) int {
		if c := strings.Compare(a.pk, b.pk); c != 0 {
			return c
		}
		return strings.Compare(a.sk, b.sk)
	})
	return keys
}

// updates are the transaction's updates of keys.
func (c *counterUpdates) updates(db *DB, keys []counterKey) []types.TransactWriteItem {
	items := make([]types.TransactWriteItem, 0, len(keys))
	for _, k := range keys {
		var set map[string]string
		if name, ok := c.names[k]; ok {
			set = map[string]string{"name": name}
		}
		items = append(items, types.TransactWriteItem{Update: db.addTally(k.pk, k.sk, c.merged[k], set)})
	}
	return items
}

// ProductMonth returns every product's tally for a whole month, with its
// name: one query of the month's M# items.
func (db *DB) ProductMonth(ctx context.Context, storeID, month string) (map[string]closeloop.ProductTally, error) {
	out := map[string]closeloop.ProductTally{}
	err := db.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :m)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(productsPK(storeID, month)), ":m": str("M#"),
		},
	}, func(item map[string]types.AttributeValue) error {
		var rec struct {
			SK   string `json:"sk"`
			Name string `json:"name"`
		}
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		sku := strings.TrimPrefix(rec.SK, "M#")
		out[sku] = closeloop.ProductTally{SKU: sku, Name: rec.Name, Tally: tallyOf(item)}
		return nil
	})
	return out, err
}

// ProductDays returns the day tallies of every product for days from..to
// within one month: one query of the month's D# items.
func (db *DB) ProductDays(ctx context.Context, storeID, from, to string) ([]closeloop.ProductTally, error) {
	if from[:7] != to[:7] {
		return nil, errors.New("product days: from and to must be in one month")
	}
	var out []closeloop.ProductTally
	err := db.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(db.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(productsPK(storeID, from[:7])), ":from": str("D#" + from + "#"), ":to": str("D#" + to + "#~"),
		},
	}, func(item map[string]types.AttributeValue) error {
		var rec struct {
			SK string `json:"sk"`
		}
		if err := unmarshal(item, &rec); err != nil {
			return err
		}
		day, sku, _ := strings.Cut(strings.TrimPrefix(rec.SK, "D#"), "#")
		out = append(out, closeloop.ProductTally{SKU: sku, Day: day, Tally: tallyOf(item)})
		return nil
	})
	return out, err
}

// ProductTallyDays returns one product's tallies of the given days (and
// its name, from the months' items): batch reads of 100 keys.
func (db *DB) ProductTallyDays(ctx context.Context, storeID, sku string, days []string) (map[string]closeloop.Tally, string, error) {
	var keys []map[string]types.AttributeValue
	months := map[string]bool{}
	for _, day := range days {
		keys = append(keys, key(productsPK(storeID, day[:7]), "D#"+day+"#"+sku))
		if !months[day[:7]] {
			months[day[:7]] = true
			keys = append(keys, key(productsPK(storeID, day[:7]), "M#"+sku))
		}
	}
	tallies := map[string]closeloop.Tally{}
	name := ""
	for start := 0; start < len(keys); start += 100 {
		items, err := db.batchGet(ctx, keys[start:min(len(keys), start+100)])
		if err != nil {
			return nil, "", err
		}
		for _, item := range items {
			var rec struct {
				SK   string `json:"sk"`
				Name string `json:"name"`
			}
			if err := unmarshal(item, &rec); err != nil {
				return nil, "", err
			}
			if strings.HasPrefix(rec.SK, "M#") {
				if rec.Name != "" {
					name = rec.Name
				}
				continue
			}
			day, _, _ := strings.Cut(strings.TrimPrefix(rec.SK, "D#"), "#")
			tallies[day] = tallyOf(item)
		}
	}
	return tallies, name, nil
}

// AddStoreTallies adds tallies to a store's day counters on the shard of
// id, in transactions of at most 100 days: the counters' own writing code,
// for operator tools that count history (seeding, backfills).
func (db *DB) AddStoreTallies(ctx context.Context, storeID, id string, ts closeloop.Tallies) error {
	items := db.tallyItems(storeID, id, ts)
	for start := 0; start < len(items); start += maxTransactItems {
		part := items[start:min(len(items), start+maxTransactItems)]
		if err := db.transact(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: part}); err != nil {
			return unavailable("add store tallies", err)
		}
	}
	return nil
}
