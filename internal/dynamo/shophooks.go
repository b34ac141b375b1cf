package dynamo

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// hookDoneFor is how long a shop delivery's mark is kept: longer than
// Shopify retries (48 h) and than a message lives in the shop hooks
// queue and its DLQ before a redrive.
const hookDoneFor = deliveryRetention

func hookKeys(platform, storeID, deliveryID string) (pk, sk string) {
	return "SHOPHOOK#" + platform + "#" + storeID + "#" + deliveryID, "#DONE"
}

// HookDone reports whether the shop delivery was marked handled, under
// SHOPHOOK#{platform}#{store}#{delivery} / #DONE; the read is consistent.
func (db *DB) HookDone(ctx context.Context, platform, storeID, deliveryID string) (bool, error) {
	pk, sk := hookKeys(platform, storeID, deliveryID)
	return db.marked(ctx, pk, sk, "shop delivery")
}

// MarkHookDone records the shop delivery handled at at; marking again
// replaces the mark.
func (db *DB) MarkHookDone(ctx context.Context, platform, storeID, deliveryID string, at time.Time) error {
	pk, sk := hookKeys(platform, storeID, deliveryID)
	return db.mark(ctx, pk, sk, "done_at", at, hookDoneFor, "shop delivery")
}

// CountHookSkip adds one to the store's count of shop orders not
// surveyed for reason (closeloop.HookSkip…), on the store's
// STORE#{store} / #SHOPHOOKS item, a map of counts by reason.
func (db *DB) CountHookSkip(ctx context.Context, storeID, reason string) error {
	_, err := db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       key("STORE#"+storeID, "#SHOPHOOKS"),
		UpdateExpression:          aws.String("ADD #reason :one"),
		ExpressionAttributeNames:  map[string]string{"#reason": "skipped_" + reason},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
	})
	if err != nil {
		return unavailable("count shop order skipped", err)
	}
	return nil
}

// HookCounts returns the store's counts of shop orders not surveyed, by
// reason (closeloop.HookSkip…); none is an empty map.
func (db *DB) HookCounts(ctx context.Context, storeID string) (map[string]int, error) {
	out, err := db.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(db.table), Key: key("STORE#"+storeID, "#SHOPHOOKS"),
	})
	if err != nil {
		return nil, unavailable("get shop order counts", err)
	}
	counts := map[string]int{}
	for name, v := range out.Item {
		n, ok := v.(*types.AttributeValueMemberN)
		if !ok || len(name) <= len("skipped_") || name[:len("skipped_")] != "skipped_" {
			continue
		}
		c, err := strconv.Atoi(n.Value)
		if err != nil {
			continue
		}
		counts[name[len("skipped_"):]] = c
	}
	return counts, nil
}

// SetShopSecrets replaces the store's shop platform secrets, kept on the
// store item outside its settings. ENOTFOUND for a store that does not
// exist.
func (db *DB) SetShopSecrets(ctx context.Context, storeID string, secrets closeloop.ShopSecrets) error {
	m, err := marshal(secrets)
	if err != nil {
		return err
	}
	_, err = db.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(db.table),
		Key:                       storeKey(storeID),
		UpdateExpression:          aws.String("SET shop_secrets = :s"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberM{Value: m}},
	})
	switch {
	case conditionFailed(err):
		return closeloop.Errorf(closeloop.ENOTFOUND, "no such store")
	case err != nil:
		return unavailable("set shop secrets", err)
	}
	return nil
}

// StoreCustomers lists the addresses of every customer the store holds
// items of, erased ones' placeholders left out. It scans the table (no
// index lists a store's customers): for a shop platform's request to
// erase the whole store, once per uninstalled app.
func (db *DB) StoreCustomers(ctx context.Context, storeID string) ([]string, error) {
	prefix := "STORE#" + storeID + "#CUSTOMER#"
	seen := map[string]bool{}
	var emails []string
	var start map[string]types.AttributeValue
	for {
		out, err := db.api.Scan(ctx, &dynamodb.ScanInput{
			TableName:                 aws.String(db.table),
			FilterExpression:          aws.String("begins_with(pk, :prefix)"),
			ProjectionExpression:      aws.String(attrPK),
			ExpressionAttributeValues: map[string]types.AttributeValue{":prefix": str(prefix)},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, unavailable("scan store customers", err)
		}
		for _, item := range out.Items {
			pk, ok := item[attrPK].(*types.AttributeValueMemberS)
			if !ok {
				continue
			}
			email := strings.TrimPrefix(pk.Value, prefix)
			if email == "" || seen[email] || strings.HasSuffix(email, "@erased.invalid") {
				continue
			}
			seen[email] = true
			emails = append(emails, email)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return emails, nil
		}
		start = out.LastEvaluatedKey
	}
}
