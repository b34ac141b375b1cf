// Command storectl is the operator's tool for a closeloop table, deployed or
// local. It uses the default AWS credentials and region; set
// AWS_ENDPOINT_URL_DYNAMODB to reach DynamoDB Local.
//
// create makes a store and its first owner API key. The key is printed once
// and only its hash is stored.
//
//	go run ./infra/storectl create -table closeloop-prod-Table-XYZ -store acme \
//	    -name "Acme Coffee" -sender feedback@acme.example -reply-to support@acme.example
//
// grant-sender grants a store an SES identity to send as: an address, or a
// domain (any address at it, not at its subdomains). The store's owner can
// set sender_email only to a granted identity, and every email checks the
// grant again when it is sent: a store without one sends from the
// deployment's SenderAddress under its own name. create grants the -sender
// it is given. revoke-sender takes one back; the store's emails then go
// from the deployment's address until its owner picks a granted one. Both
// print the store's identities after the change. Their credentials need
// dynamodb:GetItem and UpdateItem on the table.
//
//	go run ./infra/storectl grant-sender -table closeloop-prod-Table-XYZ -store acme -identity acme.example
//	go run ./infra/storectl revoke-sender -table closeloop-prod-Table-XYZ -store acme -identity old@acme.example
//
// upgrade brings the items earlier releases wrote up to this release: every
// top-level time in the fixed-width form, the store's follow-up policy on
// each survey still awaiting its answer, a pointer to each survey under
// its customer, for each store from before sender grants, a grant of
// the sender_email it has, and for each store from before dashboard
// sign-in, its owner and support addresses listed (STAFF items). Run it once after deploying a release. It reads the whole
// table (a Scan: of the functions only shophooks scans, for a shop's
// shop/redact) and prints a line per
// page read and the counts at the end. It is safe to run while the product
// runs and to run again: an item changed while it ran is skipped and
// counted, and a run with nothing left to do reports 0 changes. Its
// credentials need dynamodb:Scan, GetItem, BatchGetItem, UpdateItem and
// PutItem on the table.
//
//	go run ./infra/storectl upgrade -table closeloop-prod-Table-XYZ
//
// backfill-counters counts in the store and product counters the surveys
// sent and the answers given before counters existed (this release). Run
// it once after deploying the release, after upgrade. Like upgrade it
// reads the whole table, prints a line per page and the counts at the end,
// is safe to run while the product runs and to run again: each send and
// answer is marked counted in the transaction that counts it, and a
// second run counts nothing. -dry-run only reports what it would count.
// Its credentials need dynamodb:Scan, GetItem, BatchGetItem, UpdateItem and
// PutItem on the table.
//
//	go run ./infra/storectl backfill-counters -table closeloop-prod-Table-XYZ [-dry-run]
//
// resume ends a store's sending pause. Dispatch pauses a store's sending
// when SES refuses its sender (the From address or domain not verified,
// its custom MAIL FROM domain not set up): its surveys stay due, held
// until an hourly probe send succeeds. Once the sender is fixed, resume
// ends the pause at once; the held surveys go out at their next due time,
// within the hour. Its credentials need dynamodb:UpdateItem on the table.
//
//	go run ./infra/storectl resume -table closeloop-prod-Table-XYZ -store acme
//
// seed gives a store (the demo store of make dev) a few days of surveys
// and answers from made-up customers (seed-<n>@example.com), written
// through the same code as real ones: for demos and development tables,
// never a real store. The same -seed makes the same data; a second run
// finds its orders and skips them.
//
//	go run ./infra/storectl seed -table closeloop-dev -store demo -days 7 -answers 24
//
// redrive sends what a dead-letter queue holds back to the queue it came
// from, once the cause of the failures is fixed: each message keeps its
// body and attributes and leaves the DLQ only after it was sent. Without
// -to the source is the one queue whose RedrivePolicy names the DLQ; it
// moves the messages the DLQ holds when it starts, or -max of them. Set
// AWS_ENDPOINT_URL_SQS to reach a local SQS. Its credentials need
// sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes and
// ListDeadLetterSourceQueues on the DLQ and sqs:SendMessage on the source.
//
//	go run ./infra/storectl redrive -queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/closeloop-SesEventsDeadLetterQueue-XYZ
//
// reply puts a reply from a case's customer on the replies queue, as SES
// receiving would hand it over: for make dev, where no mail reaches SES.
//
//	go run ./infra/storectl reply -table closeloop-dev -case c_… -domain reply.demo-coffee.example
//
// hooks prints the URLs a store's owner pastes into the Shopify and
// WooCommerce admins (README "Connecting your shop"); with -table it also
// checks the store exists and says which platforms are connected. Its
// credentials need dynamodb:GetItem on the table.
//
//	go run ./infra/storectl hooks -table closeloop-prod-Table-XYZ -store acme -base-url https://feedback.example.com
//
// import posts the orders of a CSV file, one row per order item, to the
// store API in batches of 100, so that its checks and its once-per-order
// surveys apply; it needs no AWS credentials, only the store's API key
// (owner or ingest). Columns are found by their usual header names or
// named with -map; consecutive rows with the same order ID are one order.
// It shows its progress, resumes after Ctrl-C from a state file next to
// the CSV, and ends with the orders accepted, already known, too old and
// invalid, with their lines. -dry-run checks every row and sends nothing.
//
//	CLOSELOOP_API_KEY=cl_… go run ./infra/storectl import -api https://feedback.example.com orders.csv
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

const usage = `usage:
  storectl create -table TABLE -store STORE_ID [-name NAME] [-sender EMAIL] [-reply-to EMAIL] [-support EMAILS] [-owner EMAILS] [-time-zone ZONE] [-locale TAG] [-json]
  storectl grant-sender -table TABLE -store STORE_ID -identity EMAIL_OR_DOMAIN
  storectl revoke-sender -table TABLE -store STORE_ID -identity EMAIL_OR_DOMAIN
  storectl upgrade -table TABLE
  storectl backfill-counters -table TABLE [-dry-run]
  storectl resume -table TABLE -store STORE_ID
  storectl seed -table TABLE -store STORE_ID [-days 7] [-answers 24] [-seed 1]
  storectl redrive -queue-url DLQ_URL [-to QUEUE_URL] [-max N]
  storectl reply -table TABLE -case CASE_ID -domain REPLY_DOMAIN [-queue-url REPLIES_QUEUE_URL] [-text TEXT]
  storectl hooks -store STORE_ID -base-url URL [-table TABLE]
  storectl import [-api URL] [-key KEY] [-map FIELD=HEADER,...] [-delimiter auto|,|;|tab] [-tz ZONE] [-batch 100] [-parallel 4] [-dry-run] [-restart] ORDERS.CSV`

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "create":
		return create(ctx, args[1:], getenv, out)
	case "grant-sender", "revoke-sender":
		return senders(ctx, args[0], args[1:], getenv, out)
	case "upgrade":
		return upgrade(ctx, args[1:], getenv, out)
	case "backfill-counters":
		return backfillCounters(ctx, args[1:], getenv, out)
	case "resume":
		return resume(ctx, args[1:], getenv, out)
	case "redrive":
		return redrive(ctx, args[1:], getenv, out)
	case "seed":
		return seed(ctx, args[1:], getenv, out)
	case "reply":
		return reply(ctx, args[1:], getenv, out)
	case "hooks":
		return hooks(ctx, args[1:], getenv, out)
	case "import":
		return importOrders(ctx, args[1:], getenv, out)
	}
	return errors.New(usage)
}

// create makes a store and its first owner API key.
func create(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("create", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	storeID := flags.String("store", "", "the new store's ID: lower-case letters, digits and dashes")
	name := flags.String("name", "", "the store's name as customers see it")
	sender := flags.String("sender", "", "the From address of the store's emails (an SES-verified identity), granted to the store")
	replyTo := flags.String("reply-to", "", "where customers' replies go (support)")
	support := flags.String("support", "", "comma-separated support emails")
	owner := flags.String("owner", "", "comma-separated owner emails (weekly digest)")
	zone := flags.String("time-zone", "UTC", "the store's IANA time zone")
	locale := flags.String("locale", "en", "the store's default language")
	asJSON := flags.Bool("json", false, "print {store_id, api_key} as JSON")
	if err := flags.Parse(args); err != nil {
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

	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	_, key, err := stores.Create(ctx, db, *storeID, settings, time.Now())
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

// senders grants a store a sender identity, or revokes one (command).
func senders(ctx context.Context, command string, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	storeID := flags.String("store", "", "the store's ID")
	raw := flags.String("identity", "", "an SES identity: an email address, or a domain for any address at it")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *table == "" || *storeID == "" || *raw == "" {
		return errors.New("-table, -store and -identity are required")
	}
	identity, problem := closeloop.CheckSenderIdentity(*raw)
	if problem != "" {
		return fmt.Errorf("-identity %s", problem)
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	change := db.GrantSender
	if command == "revoke-sender" {
		change = db.RevokeSender
	}
	identities, err := change(ctx, *storeID, identity)
	if err != nil {
		return err
	}
	store, err := db.Store(ctx, *storeID)
	if err != nil {
		return err
	}
	store.SenderIdentities = identities // the read may predate the change
	if len(identities) == 0 {
		fmt.Fprintf(out, "Store %s may send as: nothing (the deployment's sender only).\n", *storeID)
	} else {
		fmt.Fprintf(out, "Store %s may send as: %s.\n", *storeID, strings.Join(identities, ", "))
	}
	if store.Settings.SenderEmail != "" && !store.SenderGranted() {
		fmt.Fprintf(out, "Its sender_email %s is not granted: its emails go from the deployment's sender until its owner sets a granted one.\n", store.Settings.SenderEmail)
	}
	return nil
}

// upgrade runs the migration of this release's stored data.
func upgrade(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("upgrade", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *table == "" {
		return errors.New("-table is required")
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	report, err := db.Upgrade(ctx, func(p dynamo.UpgradeProgress) {
		fmt.Fprintf(out, "page %d: %d items read, %d so far\n", p.Page, p.Items, p.Totals.Scanned)
	})
	// What was done before a failure is done: the counts say how far it got.
	fmt.Fprintf(out, "%d items scanned: %d times rewritten, %d policies copied, %d pointers written, %d stores listed, %d skipped\n",
		report.Scanned, report.TimesRewritten, report.PoliciesCopied, report.PointersWritten, report.StoresListed, report.Skipped)
	fmt.Fprintf(out, "%d items given expires_at (their store's retention), %d suppressed addresses listed, %d stores granted their sender\n",
		report.ExpiriesSet, report.SuppressionsListed, report.SendersGranted)
	fmt.Fprintf(out, "%d owner and support addresses listed for dashboard sign-in\n", report.StaffListed)
	if err != nil {
		return fmt.Errorf("%w (the upgrade can be run again)", err)
	}
	if report.Skipped > 0 {
		fmt.Fprintf(out, "%d items changed while the upgrade ran; run it again to upgrade them.\n", report.Skipped)
	}
	return nil
}

// backfillCounters counts the sends and answers made before counters
// existed.
func backfillCounters(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("backfill-counters", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	dryRun := flags.Bool("dry-run", false, "only report what would be counted")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *table == "" {
		return errors.New("-table is required")
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	backfill := db.BackfillCounters
	if *dryRun {
		backfill = db.PlanBackfillCounters
	}
	report, err := backfill(ctx, func(p dynamo.BackfillProgress) {
		fmt.Fprintf(out, "page %d: %d items read, %d so far\n", p.Page, p.Items, p.Totals.Scanned)
	})
	// What was counted before a failure is counted: the counts say how far
	// it got.
	if *dryRun {
		fmt.Fprintf(out, "dry run, nothing written: %d items scanned: %d surveys and %d responses to count, %d already counted\n",
			report.Scanned, report.SurveysCounted, report.ResponsesCounted, report.AlreadyCounted)
	} else {
		fmt.Fprintf(out, "%d items scanned: %d surveys counted, %d responses counted, %d skipped (changed meanwhile), %d already counted\n",
			report.Scanned, report.SurveysCounted, report.ResponsesCounted, report.Skipped, report.AlreadyCounted)
	}
	if err != nil {
		return fmt.Errorf("%w (the backfill can be run again)", err)
	}
	if report.Skipped > 0 {
		fmt.Fprintf(out, "%d items changed while the backfill ran; run it again to count them.\n", report.Skipped)
	}
	return nil
}

// resume ends a store's sending pause.
func resume(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("resume", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table (the stack's TableName output)")
	storeID := flags.String("store", "", "the store whose sending to resume")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *table == "" || *storeID == "" {
		return errors.New("-table and -store are required")
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	pause, err := db.ResumeSending(ctx, *storeID)
	if err != nil {
		return err
	}
	if pause == nil {
		fmt.Fprintf(out, "Store %s was not paused: nothing to do.\n", *storeID)
		return nil
	}
	fmt.Fprintf(out, "Store %s resumed (paused since %s: %s). Its held surveys go out within the hour.\n",
		*storeID, pause.PausedAt.UTC().Format(time.RFC3339), pause.Reason)
	return nil
}

// open returns the adapter for the table, with the default AWS credentials.
func open(ctx context.Context, table string, getenv func(string) string) (*dynamo.DB, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	return dynamo.New(app.DynamoDB(awsCfg, getenv), table), nil
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
