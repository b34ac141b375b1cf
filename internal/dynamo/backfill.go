package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// BackfillReport counts what BackfillCounters did, or in a dry run what it
// would do. A run over a table whose facts are all counted counts nothing.
type BackfillReport struct {
	Scanned          int // items read
	SurveysCounted   int // sends added to the counters (to add, in a dry run)
	ResponsesCounted int // answers added to the counters (to add, in a dry run)
	AlreadyCounted   int // sends and answers the counters held already: written by this release, or counted by an earlier run
	Skipped          int // changed between the read and the write (counted by a concurrent run, deleted): left for the next run
}

// BackfillProgress is reported after each page of the scan is read, before
// the page's items are counted.
type BackfillProgress struct {
	Page   int            // pages read so far
	Items  int            // items on this page
	Totals BackfillReport // the counts so far: this page scanned, not yet counted
}

// BackfillCounters counts in the store and product counters the sends and
// answers made before counters existed, as this release counts them live,
// and is safe to run while the product runs and to run again:
//
//   - a survey with sent_at and without counted_sent gets counted_sent and
//     its send ADDed to its store's day counter in one transaction, on
//     condition counted_sent is still absent and sent_at unchanged; its
//     products' sent counters are added under the mark "sent#{survey}";
//   - a response without counted gets counted, its survey's sent_at and
//     time zone and its SKUs, and its answer ADDed to its store's counters,
//     in one transaction on condition counted is still absent; its products'
//     counters are added under the mark "answer#{survey}".
//
// The products go first, each fact under the same mark the stream relay
// uses for it live: the mark makes a fact count once (the relay and this
// backfill never both count it), and a run stopped between the two writes
// leaves the fact uncounted in the store, so the next run finds it and its
// products' mark. A survey or response changed between the read and its
// transaction is skipped and counted as such.
//
// A survey written before follow-up policies has no time zone of its own:
// its facts are counted on its store's current time zone's days.
//
// The stream relay ignores these writes: it counts a survey's send only as
// the survey turns sent, and an answer only as its response is inserted.
// report, when not nil, is called after each page is read. Like Upgrade it
// scans, so only storectl calls it.
func (db *DB) BackfillCounters(ctx context.Context, report func(BackfillProgress)) (BackfillReport, error) {
	return db.backfillCounters(ctx, false, report)
}

// PlanBackfillCounters reads the table as BackfillCounters does and
// reports what it would count, writing nothing: storectl's dry run.
func (db *DB) PlanBackfillCounters(ctx context.Context, report func(BackfillProgress)) (BackfillReport, error) {
	return db.backfillCounters(ctx, true, report)
}

func (db *DB) backfillCounters(ctx context.Context, dryRun bool, report func(BackfillProgress)) (BackfillReport, error) {
	scanner, ok := db.api.(dynamodb.ScanAPIClient)
	if !ok {
		return BackfillReport{}, errors.New("backfill counters: the DynamoDB client cannot scan")
	}
	b := &backfiller{db: db, dryRun: dryRun, zones: map[string]string{}}
	// A consistent read, so that a fact counted a moment ago is read as
	// counted and not needlessly tried again.
	in := &dynamodb.ScanInput{TableName: aws.String(db.table), ConsistentRead: aws.Bool(true)}
	pages := dynamodb.NewScanPaginator(scanner, in)
	for n := 1; pages.HasMorePages(); n++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return b.report, fmt.Errorf("backfill counters: scan: %w", err)
		}
		b.report.Scanned += len(out.Items)
		if report != nil {
			report(BackfillProgress{Page: n, Items: len(out.Items), Totals: b.report})
		}
		if err := b.page(ctx, out.Items); err != nil {
			return b.report, fmt.Errorf("backfill counters: %w", err)
		}
	}
	return b.report, nil
}

// backfiller is one run of BackfillCounters.
type backfiller struct {
	db     *DB
	dryRun bool
	report BackfillReport
	// zones caches each store's time zone, read once; "" for a store that
	// no longer exists (its facts are counted on UTC days).
	zones map[string]string
}

// page counts the sends and answers of one page of the scan.
func (b *backfiller) page(ctx context.Context, items []map[string]types.AttributeValue) error {
	var responses []map[string]types.AttributeValue
	for _, item := range items {
		s, isSurvey, err := asSurvey(item)
		switch {
		case err != nil:
			return err
		case isSurvey && s.SentAt != nil:
			if _, counted := item["counted_sent"]; counted {
				b.report.AlreadyCounted++
				continue
			}
			if b.dryRun {
				b.report.SurveysCounted++
				continue
			}
			if err := b.survey(ctx, s, item["sent_at"]); err != nil {
				return err
			}
		case stringAttr(item["type"]) == typeResponse:
			if _, counted := item["counted"]; counted {
				b.report.AlreadyCounted++
				continue
			}
			if b.dryRun {
				b.report.ResponsesCounted++
				continue
			}
			responses = append(responses, item)
		}
	}
	return b.responses(ctx, responses)
}

// survey counts a survey's send. sentAt is the attribute as read: the
// condition compares it as stored.
func (b *backfiller) survey(ctx context.Context, s closeloop.Survey, sentAt types.AttributeValue) error {
	if err := b.zone(ctx, s.StoreID, &s.Policy); err != nil {
		return err
	}
	sent := closeloop.SentTallies(s, *s.SentAt)
	if err := b.db.AddProductTallies(ctx, s.StoreID, "sent#"+s.SurveyID, closeloop.ProductTallies(s.Items, sent)); err != nil {
		return err
	}
	counted, err := b.write(ctx, &types.Update{
		TableName:           aws.String(b.db.table),
		Key:                 surveyKey(s.SurveyID),
		UpdateExpression:    aws.String("SET counted_sent = :true"),
		ConditionExpression: aws.String("attribute_not_exists(counted_sent) AND sent_at = :sent"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true": &types.AttributeValueMemberBOOL{Value: true}, ":sent": sentAt,
		},
	}, b.db.tallyItems(s.StoreID, s.SurveyID, sent))
	if counted {
		b.report.SurveysCounted++
	}
	return err
}

// responses counts the answers of a page's responses, with their surveys
// read in batches of 100.
func (b *backfiller) responses(ctx context.Context, items []map[string]types.AttributeValue) error {
	recs := make([]responseRecord, len(items))
	var ids []string
	for i, item := range items {
		if err := unmarshal(item, &recs[i]); err != nil {
			// A response's key names no customer, so it can be shown.
			return fmt.Errorf("decode response %s: %w", stringAttr(item[attrSK]), err)
		}
		if !slices.Contains(ids, recs[i].SurveyID) {
			ids = append(ids, recs[i].SurveyID)
		}
	}
	surveys := map[string]closeloop.Survey{}
	for chunk := range slices.Chunk(ids, 100) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, id := range chunk {
			keys[i] = surveyKey(id)
		}
		found, err := b.db.batchGet(ctx, keys)
		if err != nil {
			return err
		}
		for _, item := range found {
			var rec surveyRecord
			if err := unmarshal(item, &rec); err != nil {
				return fmt.Errorf("decode survey %s: %w", stringAttr(item["survey_id"]), err)
			}
			surveys[rec.SurveyID] = rec.Survey
		}
	}
	for _, r := range recs {
		if err := b.response(ctx, r, surveys[r.SurveyID]); err != nil {
			return err
		}
	}
	return nil
}

// response counts answer r to survey s, as Answer counts an answer and the
// relay its products. A survey no longer stored (s is zero) leaves what the
// response itself holds: its items, and its answer day for its send day.
func (b *backfiller) response(ctx context.Context, r responseRecord, s closeloop.Survey) error {
	s.SurveyID, s.StoreID = r.SurveyID, r.StoreID
	if len(s.Items) == 0 {
		s.Items = r.Items
	}
	if err := b.zone(ctx, r.StoreID, &s.Policy); err != nil {
		return err
	}
	answer := closeloop.AnswerTallies(s, r.Response, r.AnsweredAt)
	products := closeloop.Tallies{}
	for day, t := range answer {
		t.Opened = 0 // as the relay counts it: a product's cases are counted when the case item is written
		products[day] = t
	}
	if err := b.db.AddProductTallies(ctx, r.StoreID, "answer#"+r.SurveyID, closeloop.ProductTallies(s.Items, products)); err != nil {
		return err
	}
	// What this release writes on a response, so that it reads as one
	// written with its counters.
	sets := []string{"#counted = :true", "#time_zone = :tz"}
	names := map[string]string{"#counted": "counted", "#time_zone": "time_zone"}
	values := map[string]types.AttributeValue{
		":true": &types.AttributeValueMemberBOOL{Value: true}, ":tz": str(s.Policy.TimeZone),
	}
	if s.SentAt != nil {
		sets, names["#sent_at"], values[":sent"] = append(sets, "#sent_at = :sent"), "sent_at", str(stamp(*s.SentAt))
	}
	if ids := skus(s.Items); len(ids) > 0 {
		sets, names["#skus"], values[":skus"] = append(sets, "#skus = :skus"), "skus", &types.AttributeValueMemberSS{Value: ids}
	}
	counted, err := b.write(ctx, &types.Update{
		TableName:        aws.String(b.db.table),
		Key:              key(r.PK, r.SK),
		UpdateExpression: aws.String("SET " + strings.Join(sets, ", ")),
		// attribute_exists: a response deleted meanwhile is not written back
		// as a fragment.
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(#counted)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}, b.db.tallyItems(r.StoreID, r.SurveyID, answer))
	if counted {
		b.report.ResponsesCounted++
	}
	return err
}

// write runs update with the counter updates in one transaction; counted
// is false, and the item counted as skipped, when update's condition
// failed.
func (b *backfiller) write(ctx context.Context, update *types.Update, counters []types.TransactWriteItem) (counted bool, err error) {
	err = b.db.transact(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: append([]types.TransactWriteItem{{Update: update}}, counters...),
	})
	if reasons := cancelReasons(err); len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
		b.report.Skipped++
		return false, nil
	}
	if err != nil {
		return false, unavailable("count "+stringAttr(update.Key[attrPK]), err)
	}
	return true, nil
}

// zone gives a policy without a time zone its store's current one (the
// default when the store is gone): the days the store's summaries read.
func (b *backfiller) zone(ctx context.Context, storeID string, p *closeloop.FollowupPolicy) error {
	if p.TimeZone != "" {
		return nil
	}
	tz, ok := b.zones[storeID]
	if !ok {
		store, err := b.db.Store(ctx, storeID)
		switch {
		case closeloop.ErrorCode(err) == closeloop.ENOTFOUND:
		case err != nil:
			return err
		default:
			tz = store.Settings.TimeZone
		}
		b.zones[storeID] = tz
	}
	p.TimeZone = tz
	if p.TimeZone == "" {
		p.TimeZone = closeloop.DefaultSettings().TimeZone
	}
	return nil
}
