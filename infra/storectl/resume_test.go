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
	"github.com/closeloop/closeloop/internal/testenv"
)

func TestResumeCommand(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	t.Setenv("TABLE_NAME", "")
	var out bytes.Buffer
	if err := run(ctx, []string{"create", "-table", table, "-store", "acme"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	// Paused as dispatch pauses a store whose sender SES refuses.
	db := dynamo.New(client, table)
	pausedAt := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if _, err := db.PauseSending(ctx, "acme", closeloop.ProblemSenderNotVerified, pausedAt); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if err := run(ctx, []string{"resume", "-table", table, "-store", "acme"}, os.Getenv, &out); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if want := "Store acme resumed (paused since 2026-11-20T10:00:00Z: sender_not_verified)"; !strings.Contains(out.String(), want) {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}
	if _, pause, err := db.SendingStore(ctx, "acme"); err != nil || pause != nil {
		t.Fatalf("after resume: pause %+v, %v; want none", pause, err)
	}

	// Again: nothing to do. An unknown store and a missing flag fail.
	out.Reset()
	if err := run(ctx, []string{"resume", "-table", table, "-store", "acme"}, os.Getenv, &out); err != nil || !strings.Contains(out.String(), "was not paused") {
		t.Fatalf("second resume: %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"resume", "-table", table, "-store", "nope"}, os.Getenv, &out); err == nil {
		t.Fatal("resuming an unknown store succeeded")
	}
	if err := run(ctx, []string{"resume", "-table", table}, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "-store") {
		t.Fatalf("resume without a store: %v", err)
	}
}
