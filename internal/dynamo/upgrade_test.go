package dynamo_test

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// fixedWidth is the one stored time format of this release.
var fixedWidth = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func attrS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func attrN(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func attrM(v map[string]types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: v}
}

// fixed is how this release stores the time old held: UTC, to the millisecond.
func fixedForm(t *testing.T, old string) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, old)
	if err != nil {
		t.Fatalf("seed time %q: %v", old, err)
	}
	return at.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// oldSurvey is a survey as the previous release wrote it: times in RFC 3339
// with variable fractions or offsets, no policy, no pointer under its
// customer. extra adds or replaces attributes.
func oldSurvey(id, email, status string, extra map[string]types.AttributeValue) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk": attrS("SURVEY#" + id), "sk": attrS("#SURVEY"),
		"survey_id": attrS(id), "store_id": attrS("shop"), "order_id": attrS("o-" + id),
		"customer":       attrM(map[string]types.AttributeValue{"email": attrS(email), "name": attrS("Ada")}),
		"items":          &types.AttributeValueMemberL{Value: []types.AttributeValue{attrM(map[string]types.AttributeValue{"sku": attrS("bean-1")})}},
		"purchased_at":   attrS("2026-11-17T10:00:00+01:00"),
		"status":         attrS(status),
		"send_at":        attrS("2026-11-20T10:00:00Z"),
		"closes_at":      attrS("2026-12-04T10:00:00.5Z"),
		"created_at":     attrS("2026-11-17T09:00:00.123456789Z"),
		"offer":          attrM(map[string]types.AttributeValue{"per_answer": attrN("50"), "comment_bonus": attrN("25"), "min_comment_length": attrN("20")}),
		"brand":          attrM(map[string]types.AttributeValue{"name": attrS("Shop")}),
		"default_locale": attrS("en"),
	}
	for k, v := range extra {
		item[k] = v
	}
	return item
}

func putRaw(t *testing.T, client *dynamodb.Client, table string, items ...map[string]types.AttributeValue) {
	t.Helper()
	for _, item := range items {
		if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

func getRaw(t *testing.T, client *dynamodb.Client, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": attrS(pk), "sk": attrS(sk)}, ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		t.Fatalf("get %s %s: %v, %v", pk, sk, out, err)
	}
	return out.Item
}

func attrString(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	var counter testenv.RequestCounter
	client := testenv.DynamoDB(t, counter.Register)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	settings := closeloop.DefaultSettings()
	settings.CSATThreshold, settings.SLAHours, settings.TimeZone = 3, 48, "Europe/Berlin"
	settingsItem := map[string]types.AttributeValue{
		"time_zone": attrS(settings.TimeZone), "default_locale": attrS("en"), "csat_threshold": attrN("3"), "sla_hours": attrN("48"),
		"survey_delay_hours": attrN("72"), "survey_expiry_days": attrN("14"), "points_per_answer": attrN("50"),
		"branding": attrM(map[string]types.AttributeValue{"name": attrS("Shop")}),
	}
	ada, carol := "ada@example.com", "carol@example.com"
	adaPK := "STORE#shop#CUSTOMER#" + ada
	// What the previous release wrote.
	seeded := []map[string]types.AttributeValue{
		{"pk": attrS("STORE#shop"), "sk": attrS("#SETTINGS"), "store_id": attrS("shop"), "created_at": attrS("2026-01-05T09:30:00Z"), "settings": attrM(settingsItem)},
		// Sent and waiting for its answer; its order ID looks like a time but is not one.
		oldSurvey("s_sent", ada, "sent", map[string]types.AttributeValue{
			"order_id": attrS("2026-11-17T09:00:00Z"), "sent_at": attrS("2026-11-20T10:00:01.25Z"),
			"due_pk": attrS("DUE#1"), "due_sk": attrS("2026-11-23T10:00:00.000Z#s_sent"),
			"token_hashes": &types.AttributeValueMemberSS{Value: []string{"h1"}},
		}),
		// Answered: it gets its pointer but no policy, which it would never read.
		oldSurvey("s_answered", ada, "answered", map[string]types.AttributeValue{
			"sent_at": attrS("2026-11-20T10:00:00.000001Z"), "answered_at": attrS("2026-11-21T08:00:00Z"),
			"response": attrM(map[string]types.AttributeValue{"score": attrN("5"), "points": attrN("50"), "comment": attrS("2026-11-21T08:00:00Z")}),
		}),
		// Scheduled, with an offset: the same store's policy, read once.
		oldSurvey("s_scheduled", carol, "scheduled", map[string]types.AttributeValue{
			"send_at": attrS("2026-11-25T12:00:00+02:00"), "due_pk": attrS("DUE#2"), "due_sk": attrS("2026-11-25T10:00:00.000Z#s_scheduled"),
		}),
		{"pk": attrS("STORE#shop#ORDER#o-s_answered"), "sk": attrS("#ORDER"), "store_id": attrS("shop"), "order_id": attrS("o-s_answered"), "survey_id": attrS("s_answered"), "created_at": attrS("2026-11-17T09:00:00.1Z")},
		{"pk": attrS(adaPK), "sk": attrS("LEDGER#2026-11-21T08:00:00.000Z#s_answered"), "survey_id": attrS("s_answered"), "points": attrN("50"), "reason": attrS("survey_answered"), "at": attrS("2026-11-21T08:00:00Z")},
		{"pk": attrS(adaPK), "sk": attrS("#PROFILE"), "store_id": attrS("shop"), "email": attrS(ada), "balance": attrN("50"), "last_survey_at": attrS("2026-11-20T10:00:00Z"), "updated_at": attrS("2026-11-21T08:00:00.1Z")},
		{
			"pk": attrS("STORE#shop#RESPONSES"), "sk": attrS("2026-11-21T08:00:00.000Z#s_answered"), "type": attrS("response"), "email": attrS(ada),
			"store_id": attrS("shop"), "survey_id": attrS("s_answered"), "order_id": attrS("o-s_answered"), "score": attrN("5"), "points": attrN("50"),
			"comment": attrS("2026-11-21T08:00:00Z"), "answered_at": attrS("2026-11-21T09:00:00+01:00"),
		},
	}
	putRaw(t, client, table, seeded...)
	// And a survey this release created: nothing to upgrade.
	now := time.Now().UTC().Truncate(time.Millisecond)
	current := closeloop.Survey{
		SurveyID: "s_current", StoreID: "shop", OrderID: "o-current", Customer: closeloop.Customer{Email: "bob@example.com"},
		Status: closeloop.StatusScheduled, PurchasedAt: now, SendAt: now.Add(time.Hour), ClosesAt: now.Add(24 * time.Hour),
		CreatedAt: now, Policy: settings.Policy(),
	}
	if _, _, err := db.CreateSurvey(ctx, current, 0); err != nil {
		t.Fatal(err)
	}

	counter.Reset()
	var pages []dynamo.UpgradeProgress
	got, err := db.Upgrade(ctx, func(p dynamo.UpgradeProgress) { pages = append(pages, p) })
	if err != nil {
		t.Fatal(err)
	}
	// 8 seeded items and the current survey's 4 (order, survey, pointer, profile).
	// Times: store 1, s_sent 5, s_answered 6, s_scheduled 4, order 1, ledger 1, profile 2, response 1.
	// The old store is listed in the lists index with a cursor key of its own.
	// Expiries: the 3 surveys, the order, the ledger entry and the response
	// (the pointers are written with theirs; the profile keeps none).
	want := dynamo.UpgradeReport{Scanned: 12, TimesRewritten: 21, PoliciesCopied: 2, PointersWritten: 3, StoresListed: 1, ExpiriesSet: 6}
	if got != want {
		t.Fatalf("first run: got %+v, want %+v", got, want)
	}
	if len(pages) != 1 || pages[0].Page != 1 || pages[0].Items != 12 || pages[0].Totals.Scanned != 12 {
		t.Fatalf("progress %+v, want one page of 12 items", pages)
	}
	if gets := counter.Counts()["GetItem"]; gets != 1 {
		t.Fatalf("%d GetItem calls, want the store's settings read once", gets)
	}
	if store := getRaw(t, client, table, "STORE#shop", "#SETTINGS"); attrString(store, "list_pk") != "STORES" ||
		attrString(store, "list_sk") != "shop" || len(attrString(store, "cursor_key")) != 64 {
		t.Fatalf("the old store is not listed with a cursor key: list %q/%q", attrString(store, "list_pk"), attrString(store, "list_sk"))
	}

	// Every time is fixed-width and the same instant; keys and text that
	// only looks like a time are untouched.
	for _, old := range seeded {
		pk, sk := attrString(old, "pk"), attrString(old, "sk")
		item := getRaw(t, client, table, pk, sk)
		for name, v := range old {
			was, ok := v.(*types.AttributeValueMemberS)
			if !ok {
				continue
			}
			cur := attrString(item, name)
			switch _, err := time.Parse(time.RFC3339Nano, was.Value); {
			case name == "pk" || name == "sk" || name == "due_sk" || name == "order_id" || name == "comment" || err != nil:
				if cur != was.Value {
					t.Errorf("%s %s: %s = %q, was %q: must not change", pk, sk, name, cur, was.Value)
				}
			case !fixedWidth.MatchString(cur) || cur != fixedForm(t, was.Value):
				t.Errorf("%s %s: %s = %q, want %q (from %q)", pk, sk, name, cur, fixedForm(t, was.Value), was.Value)
			}
		}
		if resp, ok := item["response"].(*types.AttributeValueMemberM); ok && attrString(resp.Value, "comment") != "2026-11-21T08:00:00Z" {
			t.Errorf("the response's comment changed: %v", resp.Value)
		}
	}

	// What expires got its time plus the store's retention (the default:
	// the store has none set), as a Number; the profile none.
	for _, tc := range []struct{ pk, sk, from string }{
		{"SURVEY#s_answered", "#SURVEY", "2026-11-17T09:00:00.123Z"},
		{"STORE#shop#ORDER#o-s_answered", "#ORDER", "2026-11-17T09:00:00.1Z"},
		{adaPK, "LEDGER#2026-11-21T08:00:00.000Z#s_answered", "2026-11-21T08:00:00Z"},
		{"STORE#shop#RESPONSES", "2026-11-21T08:00:00.000Z#s_answered", "2026-11-21T08:00:00Z"},
		{adaPK, "SURVEY#2026-11-17T09:00:00.123Z#s_sent", "2026-11-17T09:00:00.123Z"},
	} {
		from, _ := time.Parse(time.RFC3339Nano, tc.from)
		want := strconv.FormatInt(from.AddDate(0, closeloop.DefaultRetentionMonths, 0).Unix(), 10)
		if got, ok := getRaw(t, client, table, tc.pk, tc.sk)["expires_at"].(*types.AttributeValueMemberN); !ok || got.Value != want {
			t.Errorf("%s %s: expires_at %v, want %s", tc.pk, tc.sk, got, want)
		}
	}
	if _, has := getRaw(t, client, table, adaPK, "#PROFILE")["expires_at"]; has {
		t.Error("the profile got expires_at: it holds the balance and the suppression")
	}
	if got := attrN(strconv.Itoa(closeloop.DefaultRetentionMonths)); !reflect.DeepEqual(getRaw(t, client, table, "SURVEY#s_sent", "#SURVEY")["retention_months"], got) {
		t.Errorf("s_sent's retention_months %v", getRaw(t, client, table, "SURVEY#s_sent", "#SURVEY")["retention_months"])
	}

	// Open surveys carry the store's policy; the answered one none.
	wantPolicy := closeloop.FollowupPolicy{CSATThreshold: 3, SLAHours: 48, TimeZone: "Europe/Berlin",
		Recheck: &closeloop.RecheckPolicy{On: true, AfterHours: closeloop.DefaultRecheckAfterHours}}
	for _, id := range []string{"s_sent", "s_scheduled"} {
		got, err := db.Survey(ctx, id)
		if err != nil || !reflect.DeepEqual(got.Policy, wantPolicy) {
			t.Errorf("%s: policy %+v, %v; want %+v", id, got.Policy, err, wantPolicy)
		}
	}
	if _, has := getRaw(t, client, table, "SURVEY#s_answered", "#SURVEY")["policy"]; has {
		t.Error("the answered survey got a policy")
	}

	// The pointers make each customer's history one query.
	history, err := db.CustomerHistory(ctx, "shop", ada, 10)
	if err != nil || len(history) != 2 || history[0].Survey.SurveyID != "s_sent" || history[1].Survey.SurveyID != "s_answered" {
		t.Fatalf("ada's history %+v, %v", history, err)
	}
	pointer := getRaw(t, client, table, adaPK, "SURVEY#2026-11-17T09:00:00.123Z#s_sent")
	if attrString(pointer, "created_at") != "2026-11-17T09:00:00.123Z" || attrString(pointer, "order_id") != "2026-11-17T09:00:00Z" || attrString(pointer, "survey_id") != "s_sent" {
		t.Errorf("pointer %v", pointer)
	}
	if history, err := db.CustomerHistory(ctx, "shop", carol, 10); err != nil || len(history) != 1 {
		t.Errorf("carol's history %+v, %v", history, err)
	}

	// A second run reads everything (now with the pointers) and writes nothing.
	counter.Reset()
	again, err := db.Upgrade(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.UpgradeReport{Scanned: 15}); again != want || again.Changes() != 0 {
		t.Fatalf("second run: got %+v, want %+v", again, want)
	}
	if c := counter.Counts(); c["UpdateItem"]+c["PutItem"] != 0 {
		t.Fatalf("second run wrote: %v", c)
	}
}

// TestUpgradeSkipsItemsChangedMeanwhile lets a customer answer between the
// upgrade's read and its writes: the answer changes the survey and the
// profile, so the upgrade leaves both for the next run rather than write
// over the answer.
func TestUpgradeSkipsItemsChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	ada := "ada@example.com"
	profileSeed := map[string]types.AttributeValue{
		"pk": attrS("STORE#shop#CUSTOMER#" + ada), "sk": attrS("#PROFILE"), "store_id": attrS("shop"), "email": attrS(ada),
		"balance": attrN("0"), "last_survey_at": attrS("2026-11-20T10:00:00Z"), "updated_at": attrS("2026-11-20T10:00:00Z"),
	}
	// Open for a week from now, so that the answer is taken.
	closes := time.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	putRaw(t, client, table,
		map[string]types.AttributeValue{"pk": attrS("STORE#shop"), "sk": attrS("#SETTINGS"), "store_id": attrS("shop"), "created_at": attrS("2026-01-05T09:30:00.000Z"),
			"settings": attrM(map[string]types.AttributeValue{"csat_threshold": attrN("3"), "sla_hours": attrN("48"), "time_zone": attrS("UTC")})},
		oldSurvey("s_1", ada, "sent", map[string]types.AttributeValue{"closes_at": attrS(closes), "sent_at": attrS("2026-11-20T10:00:01Z")}),
		profileSeed,
	)

	answered := false
	first, err := db.Upgrade(ctx, func(dynamo.UpgradeProgress) {
		if answered {
			return
		}
		answered = true
		survey, err := db.Survey(ctx, "s_1")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.Answer(ctx, survey, closeloop.Response{Score: 5, Points: 50}, nil, time.Now()); !ok || err != nil {
			t.Fatalf("answer between read and write: %v %v", ok, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// The survey and the profile were skipped; the store's time was fixed
	// already, and the pointer does not depend on what changed.
	if want := (dynamo.UpgradeReport{Scanned: 3, PointersWritten: 1, StoresListed: 1, Skipped: 2}); first != want {
		t.Fatalf("first run: got %+v, want %+v", first, want)
	}
	profile := getRaw(t, client, table, "STORE#shop#CUSTOMER#"+ada, "#PROFILE")
	if attrString(profile, "last_survey_at") != "2026-11-20T10:00:00Z" {
		t.Fatalf("the skipped profile was partly upgraded: %v", profile)
	}
	if p, err := db.Points(ctx, "shop", ada); err != nil || p.Balance != 50 {
		t.Fatalf("the answer's points: %+v, %v", p, err)
	}

	// The next run upgrades what was skipped, as it now stands: the
	// answered survey's times but no policy, the profile's old time.
	second, err := db.Upgrade(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Survey: purchased_at, send_at, closes_at, created_at, sent_at; profile: last_survey_at.
	if second.TimesRewritten != 6 || second.PoliciesCopied != 0 || second.PointersWritten != 0 || second.Skipped != 0 {
		t.Fatalf("second run: %+v", second)
	}
	survey := getRaw(t, client, table, "SURVEY#s_1", "#SURVEY")
	if _, has := survey["policy"]; has || attrString(survey, "status") != "answered" {
		t.Fatalf("survey after the answer and the upgrade: %v", survey)
	}
	if got := attrString(getRaw(t, client, table, "STORE#shop#CUSTOMER#"+ada, "#PROFILE"), "last_survey_at"); got != "2026-11-20T10:00:00.000Z" {
		t.Fatalf("profile last_survey_at %q", got)
	}
	if third, err := db.Upgrade(ctx, nil); err != nil || third.Changes() != 0 || third.Skipped != 0 {
		t.Fatalf("third run: %+v, %v", third, err)
	}
}

// TestUpgradeListsOldSuppressions: an address suppressed before the
// suppression list existed appears in it after the upgrade, once.
func TestUpgradeListsOldSuppressions(t *testing.T) {
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	ctx := context.Background()
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": attrS("STORE#shop#CUSTOMER#gone@example.com"), "sk": attrS("#PROFILE"), "store_id": attrS("shop"),
		"email": attrS("gone@example.com"), "suppressed_at": attrS("2026-10-01T09:00:00.000Z"), "suppressed_reason": attrS("unsubscribed"),
	}}); err != nil {
		t.Fatal(err)
	}
	for run, want := range []int{1, 0} {
		got, err := db.Upgrade(ctx, nil)
		if err != nil || got.SuppressionsListed != want {
			t.Fatalf("run %d: %+v %v, want %d listed", run+1, got, err, want)
		}
	}
	list, _, err := db.Suppressions(ctx, "shop", 10, "")
	if err != nil || len(list) != 1 || list[0].Email == nil || *list[0].Email != "gone@example.com" || list[0].Reason != "unsubscribed" {
		t.Fatalf("suppressions %+v %v, want the old one", list, err)
	}
}

// TestUpgradeGrantsOldStoresTheirSender: a store from before sender grants
// keeps sending from the sender_email it has, granted it by the upgrade,
// once; a store whose identities were all revoked (an empty list) is not
// granted its sender again, and a store without a sender gets nothing.
func TestUpgradeGrantsOldStoresTheirSender(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	// Listed, with fixed-width times: the sender is all there is to upgrade.
	oldStore := func(id string, settings, extra map[string]types.AttributeValue) map[string]types.AttributeValue {
		item := map[string]types.AttributeValue{
			"pk": attrS("STORE#" + id), "sk": attrS("#SETTINGS"), "store_id": attrS(id), "created_at": attrS("2026-01-05T09:30:00.000Z"),
			"list_pk": attrS("STORES"), "list_sk": attrS(id), "cursor_key": attrS("k-" + id), "settings": attrM(settings),
		}
		for k, v := range extra {
			item[k] = v
		}
		return item
	}
	settings := func(sender string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"time_zone": attrS("UTC"), "sender_email": attrS(sender), "branding": attrM(map[string]types.AttributeValue{"name": attrS("Shop")})}
	}
	none := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	putRaw(t, client, table,
		oldStore("old", settings("feedback@old.example"), nil),
		oldStore("revoked", settings("feedback@revoked.example"), map[string]types.AttributeValue{"sender_identities": none}),
		oldStore("nosender", map[string]types.AttributeValue{"time_zone": attrS("UTC")}, nil),
		oldStore("emptysender", settings(""), nil),
		// Its owner clears its sender_email between the upgrade's read
		// and its write: the old sender is not granted.
		oldStore("cleared", settings("feedback@cleared.example"), nil),
	)

	cleared := false
	first, err := db.Upgrade(ctx, func(dynamo.UpgradeProgress) {
		if cleared {
			return
		}
		cleared = true
		s := closeloop.DefaultSettings()
		s.SenderEmail = ""
		read, err := db.LatestStore(ctx, "cleared")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateSettings(ctx, read, s); err != nil {
			t.Fatalf("clear the sender between read and write: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.UpgradeReport{Scanned: 5, SendersGranted: 1, Skipped: 1}); first != want {
		t.Fatalf("first run: got %+v, want %+v", first, want)
	}

	old, err := db.Store(ctx, "old")
	if err != nil || !slices.Equal(old.SenderIdentities, []string{"feedback@old.example"}) || !old.MaySendAs("feedback@old.example") || !old.SenderGranted() {
		t.Fatalf("the old store after the upgrade: identities %q, %v; want its sender granted", old.SenderIdentities, err)
	}
	if got := old.From("noreply@service.example"); got != `"Shop" <feedback@old.example>` {
		t.Errorf("the old store's From %q, want its own sender", got)
	}
	revoked, err := db.Store(ctx, "revoked")
	if err != nil || len(revoked.SenderIdentities) != 0 || revoked.SenderGranted() {
		t.Fatalf("the revoked store: identities %q, %v; want none", revoked.SenderIdentities, err)
	}
	if got := getRaw(t, client, table, "STORE#revoked", "#SETTINGS")["sender_identities"]; !reflect.DeepEqual(got, none) {
		t.Errorf("the revoked store's sender_identities %#v, want the empty list kept", got)
	}
	for _, id := range []string{"nosender", "emptysender", "cleared"} {
		if got, has := getRaw(t, client, table, "STORE#"+id, "#SETTINGS")["sender_identities"]; has {
			t.Errorf("store %s was granted %#v, has no sender", id, got)
		}
	}

	// Nothing left to do, the cleared store included.
	again, err := db.Upgrade(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.UpgradeReport{Scanned: 5}); again != want || again.Changes() != 0 {
		t.Fatalf("second run: got %+v, want %+v", again, want)
	}
	if old, err := db.Store(ctx, "old"); err != nil || len(old.SenderIdentities) != 1 {
		t.Fatalf("the old store after the second run: %q, %v; want its one grant", old.SenderIdentities, err)
	}
}
