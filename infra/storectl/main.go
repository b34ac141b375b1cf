// Command storectl is the operator's tool: it creates a store and its first
// owner API key in a closeloop table, deployed or local. The key is printed
// once and only its hash is stored.
//
//	go run ./infra/storectl create -table closeloop-prod-Table-XYZ -store acme \
//	    -name "Acme Coffee" -sender feedback@acme.example -reply-to support@acme.example
//
// It uses the default AWS credentials and region; set AWS_ENDPOINT_URL_DYNAMODB
// to reach DynamoDB Local.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/stores"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "storectl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: storectl create -table TABLE -store STORE_ID [-name NAME] [-sender EMAIL] [-reply-to EMAIL] [-support EMAILS] [-owner EMAILS] [-time-zone ZONE] [-locale TAG] [-json]")
	}
	flags := flag.NewFlagSet("create", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	storeID := flags.String("store", "", "the new store's ID: lower-case letters, digits and dashes")
	name := flags.String("name", "", "the store's name as customers see it")
	sender := flags.String("sender", "", "the From address of the store's emails (an SES-verified identity)")
	replyTo := flags.String("reply-to", "", "where customers' replies go (support)")
	support := flags.String("support", "", "comma-separated support emails")
	owner := flags.String("owner", "", "comma-separated owner emails (weekly digest)")
	zone := flags.String("time-zone", "UTC", "the store's IANA time zone")
	locale := flags.String("locale", "en", "the store's default language")
	asJSON := flags.Bool("json", false, "print {store_id, api_key} as JSON")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	if *table == "" || *storeID == "" {
		return errors.New("-table and -store are required")
	}
	settings := closeloop.DefaultSettings()
	if *name != "" {
		settings.Branding.Name = *name
	}
	settings.SenderEmail, settings.ReplyTo = *sender, *replyTo
	settings.SupportEmails, settings.OwnerEmails = list(*support), list(*owner)
	settings.TimeZone, settings.DefaultLocale = *zone, *locale

	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	_, key, err := stores.Create(ctx, dynamo.New(app.DynamoDB(awsCfg, getenv), *table), *storeID, settings, time.Now())
	if err != nil {
		var e *closeloop.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			return fmt.Errorf("%s: %v", e.Message, e.Fields)
		}
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(map[string]string{"store_id": *storeID, "api_key": key})
	}
	fmt.Fprintf(out, "Store %s created.\nOwner API key (shown once, store it now): %s\n", *storeID, key)
	return nil
}

func list(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
