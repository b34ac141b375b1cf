package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestHooksCommand(t *testing.T) {
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	db := dynamo.New(client, table)
	if _, _, err := stores.Create(context.Background(), db, "acme", closeloop.DefaultSettings(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.SetShopSecrets(context.Background(), "acme", closeloop.ShopSecrets{Shopify: "shpss_0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hooks", "-table", table, "-store", "acme", "-base-url", "https://feedback.example.com/"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"https://feedback.example.com/hooks/shopify/acme  (connected)",
		"https://feedback.example.com/hooks/woocommerce/acme  (not connected",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "shpss_") {
		t.Errorf("the output shows the secret:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"hooks", "-table", table, "-store", "nosuch", "-base-url", "https://feedback.example.com"},
		{"hooks", "-store", "acme", "-base-url", "http://feedback.example.com"},
		{"hooks", "-store", "acme"},
	} {
		if err := run(context.Background(), args, os.Getenv, &out); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
}
