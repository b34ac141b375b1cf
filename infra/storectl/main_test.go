package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestCreateStore(t *testing.T) {
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	var out bytes.Buffer
	args := []string{"create", "-table", table, "-store", "acme", "-name", "Acme Coffee", "-sender", "feedback@acme.example", "-support", "a@acme.example, b@acme.example", "-json"}
	if err := run(context.Background(), args, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		StoreID string `json:"store_id"`
		APIKey  string `json:"api_key"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || !strings.HasPrefix(got.APIKey, "cl_") {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	db := dynamo.New(client, table)
	key, err := db.KeyByHash(context.Background(), secret.Hash(got.APIKey))
	if err != nil || key.StoreID != "acme" || key.Role != "owner" {
		t.Fatalf("key %+v, %v", key, err)
	}
	store, err := db.Store(context.Background(), "acme")
	if err != nil || store.Settings.Branding.Name != "Acme Coffee" || len(store.Settings.SupportEmails) != 2 {
		t.Fatalf("store %+v, %v", store, err)
	}
	// The same store again is refused, and bad input names the problem.
	if err := run(context.Background(), args, os.Getenv, &out); err == nil {
		t.Fatal("creating the store twice succeeded")
	}
	bad := []string{"create", "-table", table, "-store", "Bad Store!"}
	if err := run(context.Background(), bad, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "store_id") {
		t.Fatalf("bad store ID: %v", err)
	}
}

func TestUpgradeCommand(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	t.Setenv("TABLE_NAME", "")
	var out bytes.Buffer
	if err := run(ctx, []string{"create", "-table", table, "-store", "acme"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	// A survey as the previous release wrote it: variable-width times, no
	// policy, no pointer under its customer.
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	old := map[string]types.AttributeValue{
		"pk": s("SURVEY#s_old"), "sk": s("#SURVEY"), "survey_id": s("s_old"), "store_id": s("acme"), "order_id": s("o-1"),
		"customer":     &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"email": s("ada@example.com")}},
		"status":       s("sent"),
		"purchased_at": s("2026-11-17T10:00:00+01:00"), "send_at": s("2026-11-20T10:00:00Z"),
		"closes_at": s("2026-12-04T10:00:00.5Z"), "created_at": s("2026-11-17T09:00:00.123456Z"), "sent_at": s("2026-11-20T10:00:01Z"),
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: old}); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if err := run(ctx, []string{"upgrade", "-table", table}, os.Getenv, &out); err != nil {
		t.Fatalf("upgrade: %v\n%s", err, out.String())
	}
	// The store, its key's two items and the survey; the store's times
	// are fixed-width already.
	for _, want := range []string{"page 1: 4 items read, 4 so far", "4 items scanned: 5 times rewritten, 1 policies copied, 1 pointers written, 0 stores listed, 0 skipped",
		"1 items given expires_at (their store's retention), 0 suppressed addresses listed, 0 stores granted their sender"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output %q lacks %q", out.String(), want)
		}
	}
	db := dynamo.New(client, table)
	survey, err := db.Survey(ctx, "s_old")
	if err != nil || survey.Policy.SLAHours != 24 || survey.Policy.TimeZone != "UTC" {
		t.Fatalf("survey %+v, %v", survey, err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": s("SURVEY#s_old"), "sk": s("#SURVEY")}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Item["created_at"].(*types.AttributeValueMemberS); v == nil || v.Value != "2026-11-17T09:00:00.123Z" {
		t.Fatalf("created_at %v", got.Item["created_at"])
	}
	if history, err := db.CustomerHistory(ctx, "acme", "ada@example.com", 10); err != nil || len(history) != 1 {
		t.Fatalf("history %+v, %v", history, err)
	}

	// Run again: nothing left to do.
	out.Reset()
	if err := run(ctx, []string{"upgrade", "-table", table}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	if want := "5 items scanned: 0 times rewritten, 0 policies copied, 0 pointers written, 0 stores listed, 0 skipped"; !strings.Contains(out.String(), want) {
		t.Fatalf("second run %q, want %q", out.String(), want)
	}
	if err := run(ctx, []string{"upgrade"}, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "-table") {
		t.Fatalf("upgrade without a table: %v", err)
	}
	if err := run(ctx, []string{"migrate"}, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "storectl upgrade") {
		t.Fatalf("an unknown command: %v", err)
	}
}

func TestSenderCommands(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	t.Setenv("TABLE_NAME", "")
	var out bytes.Buffer
	for _, store := range []string{"acme", "old"} {
		if err := run(ctx, []string{"create", "-table", table, "-store", store, "-sender", "feedback@" + store + ".example"}, os.Getenv, &out); err != nil {
			t.Fatal(err)
		}
	}
	sender := func(command, identity, want string) {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{command, "-table", table, "-store", "acme", "-identity", identity}, os.Getenv, &out); err != nil {
			t.Fatalf("%s %s: %v", command, identity, err)
		}
		if out.String() != want {
			t.Fatalf("%s %s printed %q, want %q", command, identity, out.String(), want)
		}
	}
	// create granted the store its sender; the identity is normalized.
	sender("grant-sender", " Acme.Example ", "Store acme may send as: feedback@acme.example, acme.example.\n")
	sender("grant-sender", "acme.example", "Store acme may send as: feedback@acme.example, acme.example.\n")
	sender("revoke-sender", "feedback@acme.example", "Store acme may send as: acme.example.\n")
	sender("revoke-sender", "acme.example", "Store acme may send as: nothing (the deployment's sender only).\n"+
		"Its sender_email feedback@acme.example is not granted: its emails go from the deployment's sender until its owner sets a granted one.\n")
	sender("grant-sender", "news@acme.example", "Store acme may send as: news@acme.example.\n"+
		"Its sender_email feedback@acme.example is not granted: its emails go from the deployment's sender until its owner sets a granted one.\n")
	sender("revoke-sender", "news@acme.example", "Store acme may send as: nothing (the deployment's sender only).\n"+
		"Its sender_email feedback@acme.example is not granted: its emails go from the deployment's sender until its owner sets a granted one.\n")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"grant-sender", "-table", table, "-store", "acme", "-identity", "not a domain"}, "-identity must be an email address or a domain name"},
		{[]string{"grant-sender", "-table", table, "-store", "acme", "-identity", "acme_coffee"}, "-identity must be an email address or a domain name"},
		{[]string{"revoke-sender", "-table", table, "-store", "acme", "-identity", "a@b@acme.example"}, "-identity must be an email address: it must hold exactly one @"},
		{[]string{"grant-sender", "-table", table, "-store", "acme"}, "-table, -store and -identity are required"},
		{[]string{"grant-sender", "-table", table, "-store", "missing", "-identity", "acme.example"}, "no such store"},
		{[]string{"revoke-sender", "-table", table, "-store", "missing", "-identity", "acme.example"}, "no such store"},
	} {
		if err := run(ctx, tc.args, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	if store, err := dynamo.New(client, table).Store(ctx, "acme"); err != nil || len(store.SenderIdentities) != 0 {
		t.Fatalf("the refused commands changed the grants: %q, %v", store.SenderIdentities, err)
	}

	// A store from before grants: the upgrade grants it its sender, and
	// not acme its revoked one.
	if _, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table), UpdateExpression: aws.String("REMOVE sender_identities"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "STORE#old"}, "sk": &types.AttributeValueMemberS{Value: "#SETTINGS"}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 stores granted their sender", "0 stores granted their sender"} {
		out.Reset()
		if err := run(ctx, []string{"upgrade", "-table", table}, os.Getenv, &out); err != nil {
			t.Fatalf("upgrade: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("upgrade printed %q, want %q", out.String(), want)
		}
	}
	db := dynamo.New(client, table)
	if store, err := db.Store(ctx, "old"); err != nil || !store.SenderGranted() {
		t.Fatalf("the old store after the upgrade: %q, %v; want its sender granted", store.SenderIdentities, err)
	}
	if store, err := db.Store(ctx, "acme"); err != nil || len(store.SenderIdentities) != 0 {
		t.Fatalf("acme after the upgrade: %q, %v; want nothing granted", store.SenderIdentities, err)
	}
}
