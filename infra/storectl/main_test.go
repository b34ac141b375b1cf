package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

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
