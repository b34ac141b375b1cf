//go:build unix

package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/testenv"
)

// The dashboard's bootstrap, started as a stack without a custom domain
// runs it (PUBLIC_BASE_URL empty), emails the owner a sign-in link under
// the API's own host, and counts the request against the client API
// Gateway names (requestContext.http.sourceIp, which the adapter puts in
// RemoteAddr).
func TestDashboardFunctionSendsSignInLink(t *testing.T) {
	t.Parallel()
	owner := uniqueEmail("owner")
	s := newShop(t, func(set *closeloop.Settings) { set.OwnerEmails = []string{owner} })
	env := s.mailEnv(t)
	env["PUBLIC_BASE_URL"] = ""
	fn := startFunction(t, "dashboard", env)

	r := fn.invokeHTTP(t, loadEvent(t, "dashboard-post-login.json", "REPLACE_WITH_EMAIL", strings.Replace(owner, "@", "%40", 1)))
	if r.Status != 200 || !strings.Contains(r.Body, "Check your email") || r.Headers["cache-control"] != "no-store" {
		t.Fatalf("POST /app/login: %d %v\n%s", r.Status, r.Headers, r.Body)
	}
	t.Logf("dashboard cold start: %s", fn.coldStart(t))
	got := testenv.NewInbox(t).WaitTo(t, owner, 1, 10*time.Second)
	link := regexp.MustCompile(`https://a1b2c3d4e5\.execute-api\.eu-west-1\.amazonaws\.com/app/login/[A-Za-z0-9_-]{43}`)
	if !link.MatchString(got[0].Text) {
		t.Errorf("the email has no link under the API's host:\n%s", got[0].Text)
	}

	client := testenv.DynamoDB(t)
	subject := secret.Hash(closeloop.SignInClient("203.0.113.77"))[:32]
	out, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "RATE#" + closeloop.SignInPerClient.Name + "#" + subject}},
	})
	if err != nil || len(out.Items) != 1 {
		t.Fatalf("the source IP's rate count: %v %v, want one item", out, err)
	}
}
