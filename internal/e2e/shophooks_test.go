//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/shophooks"
)

// The secret the sample Shopify delivery (events/public-post-shopify.json)
// is signed with.
const sampleShopifySecret = "shpss_e2e0123456789abcdef0123456789ab"

// TestShopifyDeliveryThroughFunctions posts the sample Shopify
// orders/create to the public function, which verifies and queues it, and
// hands what it queued to the shophooks function, which creates the
// order's survey; the same message again changes nothing. A bad signature
// gets 401 and queues nothing.
func TestShopifyDeliveryThroughFunctions(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	q := newQueues(t)
	ctx := context.Background()
	if err := s.db.SetShopSecrets(ctx, storeID, closeloop.ShopSecrets{Shopify: sampleShopifySecret}); err != nil {
		t.Fatal(err)
	}
	env := s.env(t)
	for k, v := range q.env(t, map[string]string{"SHOPHOOKS_QUEUE_URL": "ShopHooksQueue"}) {
		env[k] = v
	}
	public := startFunction(t, "public", env)

	// The sample was signed when made; its body is sent as it is (a new
	// address would change the signature).
	event := loadEvent(t, "public-post-shopify.json")
	var sample events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(event, &sample); err != nil {
		t.Fatal(err)
	}
	signature := shophooks.Sign(sampleShopifySecret, []byte(sample.Body))
	if sample.Headers["x-shopify-hmac-sha256"] != signature {
		t.Fatal("events/public-post-shopify.json is not signed with sampleShopifySecret")
	}
	forged := loadEvent(t, "public-post-shopify.json", signature, shophooks.Sign("not-the-secret", []byte(sample.Body)))
	if r := public.invokeHTTP(t, forged); r.Status != 401 {
		t.Errorf("a forged signature: %d %s, want 401", r.Status, r.Body)
	}
	start := time.Now()
	r := public.invokeHTTP(t, event)
	took := time.Since(start)
	if r.Status != 200 {
		t.Fatalf("the signed delivery: %d %s", r.Status, r.Body)
	}
	t.Logf("public function: receipt to 200 in %v (warm, under the emulator); cold start %s", took, public.coldStart(t))
	msgs := q.receive(t, "ShopHooksQueue", 1)
	var d shophooks.Delivery
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &d); err != nil || d.DeliveryID != "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" || d.Topic != "orders/create" {
		t.Fatalf("queued %+v (%v)", d, err)
	}

	worker := startFunction(t, "shophooks", s.mailEnv(t))
	ev := sqsEvent(t, "shophooks-queue.json")
	setBody(&ev.Records[0], aws.ToString(msgs[0].Body))
	for i := range 2 { // the second is the queue delivering it again
		var resp events.SQSEventResponse
		worker.invokeJSON(t, ev, &resp)
		if got := failedMessages(resp); !slices.Equal(got, []string{}) {
			t.Fatalf("invocation %d: batchItemFailures %q", i+1, got)
		}
	}
	t.Logf("shophooks cold start: %s", worker.coldStart(t))
	sv, err := s.db.OrderSurvey(ctx, storeID, "820982911946154508")
	if err != nil {
		t.Fatalf("the order's survey: %v", err)
	}
	if sv.Customer.Email != sampleEmail || len(sv.Items) != 2 || sv.Status != closeloop.StatusExpired && sv.Status != closeloop.StatusScheduled {
		t.Errorf("survey %+v", sv)
	}
	if done, err := s.db.HookDone(ctx, closeloop.PlatformShopify, storeID, d.DeliveryID); err != nil || !done {
		t.Errorf("the delivery is not marked done: %v %v", done, err)
	}
}
