package dynamo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// TestHourlyAlertListsEachCaseOnce: a case is listed once however often it
// is queued, a list is due only once its hour is over, and a case queued
// late, after its hour's list went out, is in the next hour's.
func TestHourlyAlertListsEachCaseOnce(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	hour := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		store, c string
		at       time.Time
	}{
		{"shop", "c_1", hour.Add(5 * time.Minute)},
		{"shop", "c_2", hour.Add(59 * time.Minute)},
		{"shop", "c_1", hour.Add(30 * time.Minute)}, // a redelivered task
		{"other", "c_3", hour.Add(10 * time.Minute)},
	} {
		if err := db.QueueHourlyAlert(ctx, q.store, q.c, q.at); err != nil {
			t.Fatal(err)
		}
	}
	if due, err := db.DueHourlyAlerts(ctx, hour.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("due at the hour's end: %v %v, want none before the delay", due, err)
	}
	due, err := db.DueHourlyAlerts(ctx, hour.Add(time.Hour+closeloop.HourlyAlertDelay), 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(due, func(a, b closeloop.HourlyAlert) int { return len(b.CaseIDs) - len(a.CaseIDs) })
	if len(due) != 2 || due[0].StoreID != "shop" || !due[0].Hour.Equal(hour) {
		t.Fatalf("due %+v, want the two stores' lists of 09:00", due)
	}
	got := slices.Sorted(slices.Values(due[0].CaseIDs))
	if !slices.Equal(got, []string{"c_1", "c_2"}) {
		t.Fatalf("shop's list %v, want c_1 and c_2 once each", got)
	}
	now := hour.Add(time.Hour + 2*time.Minute)
	if ok, err := db.MarkHourlyAlertSent(ctx, due[0], now); err != nil || !ok {
		t.Fatalf("mark sent: %v %v", ok, err)
	}
	if ok, err := db.MarkHourlyAlertSent(ctx, due[0], now); err != nil || ok {
		t.Fatalf("a second mark: %v %v, want false", ok, err)
	}
	// A task late past the hour: its case goes into the next hour's list;
	// c_1 again changes nothing.
	for _, c := range []string{"c_4", "c_1"} {
		if err := db.QueueHourlyAlert(ctx, "shop", c, hour.Add(59*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	due, err = db.DueHourlyAlerts(ctx, hour.Add(2*time.Hour+closeloop.HourlyAlertDelay), 10)
	if err != nil {
		t.Fatal(err)
	}
	var next *closeloop.HourlyAlert
	for i, a := range due {
		if a.StoreID == "shop" {
			next = &due[i]
		}
	}
	if next == nil || !next.Hour.Equal(hour.Add(time.Hour)) || !slices.Equal(next.CaseIDs, []string{"c_4"}) {
		t.Fatalf("shop's due lists %+v, want 10:00's with c_4 alone", due)
	}
}

// TestSlackDeliveryHasNoRecipientToSuppress: a delivery with no recipient
// is begun, busy while held, and done once ended.
func TestSlackDeliveryHasNoRecipientToSuppress(t *testing.T) {
	client := testenv.DynamoDB(t)
	db := dynamo.New(client, testenv.NewTable(t, client))
	ctx := context.Background()
	now := time.Now()
	d := closeloop.Delivery{Key: "slack_alert#c_1#x", StoreID: "shop", Kind: closeloop.KindSlackAlert}
	for _, step := range []struct {
		at   time.Time
		want closeloop.DeliveryStart
	}{
		{now, closeloop.DeliveryBegun},
		{now.Add(time.Minute), closeloop.DeliveryBusy},
		{now.Add(3 * time.Minute), closeloop.DeliveryBegun}, // the first sender's lease ran out
	} {
		got, err := db.BeginDelivery(ctx, d, step.at, step.at.Add(2*time.Minute))
		if err != nil || got != step.want {
			t.Fatalf("begin at +%v: %v %v, want %v", step.at.Sub(now), got, err, step.want)
		}
	}
	if err := db.EndDelivery(ctx, d.Key, now.Add(3*time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if got, err := db.BeginDelivery(ctx, d, now.Add(time.Hour), now.Add(time.Hour+2*time.Minute)); err != nil || got != closeloop.DeliveryDone {
		t.Fatalf("begin after the end: %v %v, want done", got, err)
	}
}
