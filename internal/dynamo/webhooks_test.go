package dynamo_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestDeliveredMarks(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	got, err := db.Delivered(ctx, "evt_1")
	if err != nil || got {
		t.Fatalf("Delivered before any mark = %v, %v; want false", got, err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := db.MarkDelivered(ctx, "evt_1", at); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Delivered(ctx, "evt_1"); err != nil || !got {
		t.Fatalf("Delivered after the mark = %v, %v; want true", got, err)
	}
	if got, err := db.Delivered(ctx, "evt_2"); err != nil || got {
		t.Fatalf("Delivered of another event = %v, %v; want false", got, err)
	}
	if err := db.MarkDelivered(ctx, "evt_1", at); err != nil {
		t.Fatalf("marking twice: %v", err)
	}

	// The mark expires through the table's TTL attribute: a Number of epoch
	// seconds, 7 days after the delivery.
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "WEBHOOK#evt_1"},
			"sk": &types.AttributeValueMemberS{Value: "#DELIVERED"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	expires, ok := out.Item["expires_at"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("expires_at = %#v, want a Number", out.Item["expires_at"])
	}
	if got, want := expires.Value, strconv.FormatInt(at.Add(30*24*time.Hour).Unix(), 10); got != want {
		t.Errorf("expires_at = %s, want %s (30 days after delivery, as an email's)", got, want)
	}
	desc, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(desc.TimeToLiveDescription.AttributeName); got != "expires_at" {
		t.Errorf("the table's TTL attribute is %q, want expires_at", got)
	}
}
