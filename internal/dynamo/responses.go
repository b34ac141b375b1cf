package dynamo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/cursor"
)

// responsesPK is the partition of a store's responses, sorted by
// stamp(answered_at) + "#" + survey ID (answerItems writes them).
func responsesPK(storeID string) string { return "STORE#" + storeID + "#RESPONSES" }

// EachResponsePage is how many responses EachResponse reads per request:
// the API's largest page, so an export costs what paging through it would.
const EachResponsePage = 200

// defaultResponseLimit is a page's size when the filter sets none.
const defaultResponseLimit = 50

// maxReadsPerPage bounds the queries of one page. Each query reads only
// what the page still misses, so a filter that matches little can creep
// on a few items per query; past this many the page ends short, with a
// cursor, rather than run into the function's timeout.
const maxReadsPerPage = 16

// responsePosition is where a page of responses ended: the last key read.
type responsePosition struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
}

// Responses lists one page of a store's responses matching f, newest
// first, and the signed cursor of the next page ("" after the last). A page
// may hold fewer than f.Limit responses while a cursor follows (see
// maxReadsPerPage): only "" ends the list.
func (db *DB) Responses(ctx context.Context, storeID string, f closeloop.ResponseFilter) ([]closeloop.ResponseItem, string, error) {
	items := []closeloop.ResponseItem{}
	in := db.responseQuery(storeID, f)
	if in == nil {
		return items, "", nil
	}
	signer := cursor.StoreKey(storeID, f.CursorKey)
	if f.Cursor != "" {
		var pos responsePosition
		if err := cursor.Decode(signer, f.Cursor, &pos); err != nil {
			return nil, "", err
		}
		// The signature says which store's key made the cursor, and a
		// store without a key of its own signs with a derivable one: the
		// partition is checked all the same. The key must also lie in the
		// range read now, or DynamoDB refuses it.
		if pos.PK != responsesPK(storeID) || pos.SK < stamp(f.From) || pos.SK > stamp(f.To) {
			return nil, "", &closeloop.Error{Code: closeloop.EINVALID, Message: "the cursor belongs to another list",
				Fields: map[string]string{"cursor": "must come from this list with the same from and to"}}
		}
		in.ExclusiveStartKey = key(pos.PK, pos.SK)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultResponseLimit
	}
	for reads := 1; ; reads++ {
		// Never read past the page: the next page starts after the last
		// item read, matched or not.
		in.Limit = aws.Int32(int32(limit - len(items)))
		out, err := db.api.Query(ctx, in)
		if err != nil {
			return nil, "", unavailable("query responses", err)
		}
		for _, item := range out.Items {
			var rec responseRecord
			if err := unmarshal(item, &rec); err != nil {
				return nil, "", err
			}
			items = append(items, rec.ResponseItem)
		}
		if out.LastEvaluatedKey == nil {
			return items, "", nil
		}
		if len(items) == limit || reads == maxReadsPerPage {
			return items, responseCursor(signer, out.LastEvaluatedKey), nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// EachResponse hands every response of a store matching f to each, newest
// first, reading EachResponsePage at a time and holding no more than one
// page; f.Limit and f.Cursor do not apply. It stops at the first error,
// each's included, and returns it.
func (db *DB) EachResponse(ctx context.Context, storeID string, f closeloop.ResponseFilter, each func(closeloop.ResponseItem) error) error {
	in := db.responseQuery(storeID, f)
	if in == nil {
		return nil
	}
	in.Limit = aws.Int32(EachResponsePage)
	for pages := dynamodb.NewQueryPaginator(db.api, in); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return unavailable("query responses", err)
		}
		for _, item := range out.Items {
			var rec responseRecord
			if err := unmarshal(item, &rec); err != nil {
				return err
			}
			if err := each(rec.ResponseItem); err != nil {
				return err
			}
		}
	}
	return nil
}

// responseQuery is the query of a store's responses in [f.From, f.To)
// newest first, with f's filters; nil when the range is empty.
func (db *DB) responseQuery(storeID string, f closeloop.ResponseFilter) *dynamodb.QueryInput {
	if !f.From.Before(f.To) {
		return nil
	}
	// Sort keys are stamp#survey: stamp(From) sorts before every key of
	// that instant and stamp(To) before every key of its own, so BETWEEN
	// takes From and leaves To out.
	values := map[string]types.AttributeValue{
		":pk": str(responsesPK(storeID)), ":from": str(stamp(f.From)), ":to": str(stamp(f.To)),
	}
	names := map[string]string{}
	// Responses past retention are gone, though TTL deletes them late.
	filters := []string{db.liveFilter(values)}
	if len(f.Scores) > 0 {
		placeholders := make([]string, len(f.Scores))
		for i, score := range f.Scores {
			placeholders[i] = ":score" + itoa(i)
			values[placeholders[i]] = num(score)
		}
		names["#score"] = "score"
		filters = append(filters, "#score IN ("+strings.Join(placeholders, ", ")+")")
	}
	if f.SKU != "" {
		// skus is a string set: contains() tests membership, not substrings.
		values[":sku"] = str(f.SKU)
		filters = append(filters, "contains(skus, :sku)")
	}
	if f.HasComment != nil {
		// An empty comment is left out of the item (omitempty), but an
		// item written with "" must count as none too.
		names["#comment"] = "comment" // a reserved word
		values[":zero"] = num(0)
		if *f.HasComment {
			filters = append(filters, "(attribute_exists(#comment) AND size(#comment) > :zero)")
		} else {
			filters = append(filters, "(attribute_not_exists(#comment) OR size(#comment) = :zero)")
		}
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(db.table),
		KeyConditionExpression:    aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: values,
		ScanIndexForward:          aws.Bool(false),
	}
	if len(filters) > 0 {
		in.FilterExpression = aws.String(strings.Join(filters, " AND "))
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names // DynamoDB refuses an empty map
	}
	return in
}

// responseCursor signs the last key a page read as the next page's cursor.
func responseCursor(signer []byte, last map[string]types.AttributeValue) string {
	return cursor.Encode(signer, responsePosition{PK: stringAttr(last[attrPK]), SK: stringAttr(last[attrSK])})
}

// stringAttr is the value of a string attribute, "" for any other.
func stringAttr(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
