package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/logging"

	"github.com/closeloop/closeloop/internal/tabledef"
)

// The environment variables infra/test.sh sets for the tests.
const (
	EnvDynamoDBURL = "CLOSELOOP_TEST_DYNAMODB_URL"
	EnvSESURL      = "CLOSELOOP_TEST_SES_URL"
	EnvSQSURL      = "CLOSELOOP_TEST_SQS_URL"
	EnvRIE         = "CLOSELOOP_TEST_RIE"
)

// Region is the region every local client uses.
const Region = "us-east-1"

// getenv returns the variable name or fails the test with how to set it.
func getenv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts the local stack", name)
	}
	return v
}

// AWSConfig returns a config for the local stack: static credentials
// "test"/"test" and region us-east-1, built without reading the environment or
// ~/.aws, so that no client looks for real credentials or the EC2 metadata
// service. It also sets AWS_EC2_METADATA_DISABLED=true when unset, for code
// under test that loads its own default config.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	if os.Getenv("AWS_EC2_METADATA_DISABLED") == "" {
		if err := os.Setenv("AWS_EC2_METADATA_DISABLED", "true"); err != nil {
			t.Fatal(err)
		}
	}
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Logger:      logging.NewStandardLogger(os.Stderr),
	}
}

// dynamoDBLocalHTTP gives up on a request DynamoDB Local has not begun to
// answer within 30 s, so that the SDK retries it: under a loaded make test
// a TransactWriteItems once waited 6 minutes for an answer that never came
// and took its package past go test's timeout. Every call takes
// milliseconds when it is answered at all; transactions carry the SDK's
// ClientRequestToken, so a retried one is applied once.
var dynamoDBLocalHTTP = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
	t.ResponseHeaderTimeout = 30 * time.Second
})

// DynamoDB returns a client for DynamoDB Local, with the SDK's default retries.
// It does not validate response CRC32 checksums: DynamoDB Local's error
// responses fail that check and make the SDK log a warning for each.
func DynamoDB(t testing.TB, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	t.Helper()
	endpoint := getenv(t, EnvDynamoDBURL)
	local := func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.DisableValidateResponseChecksum = true
		o.HTTPClient = dynamoDBLocalHTTP
	}
	return dynamodb.NewFromConfig(AWSConfig(t), append([]func(*dynamodb.Options){local}, optFns...)...)
}

// Streams returns a DynamoDB Streams client for DynamoDB Local, which serves
// streams at its own endpoint.
func Streams(t testing.TB) *dynamodbstreams.Client {
	t.Helper()
	endpoint := getenv(t, EnvDynamoDBURL)
	return dynamodbstreams.NewFromConfig(AWSConfig(t), func(o *dynamodbstreams.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// SES returns an SES v2 client for aws-ses-v2-local; read what it sent with NewInbox.
func SES(t testing.TB) *sesv2.Client {
	t.Helper()
	endpoint := getenv(t, EnvSESURL)
	return sesv2.NewFromConfig(AWSConfig(t), func(o *sesv2.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// SQS returns an SQS client for moto_server.
func SQS(t testing.TB) *sqs.Client {
	t.Helper()
	endpoint := getenv(t, EnvSQSURL)
	return sqs.NewFromConfig(AWSConfig(t), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// RIE returns the path of the aws-lambda-rie binary that infra/stack.sh installed.
func RIE(t testing.TB) string {
	t.Helper()
	path := getenv(t, EnvRIE)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s: %v (infra/stack.sh install builds it)", EnvRIE, err)
	}
	return path
}

// RepoRoot returns the directory holding go.mod, found by walking up from the
// working directory (a test runs in its package's directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// NewTable creates a table from the Table resource of the repository's
// template.yaml under a name of its own, "t-<test name>-<random>", and deletes
// it when the test ends.
func NewTable(t testing.TB, client *dynamodb.Client) string {
	t.Helper()
	def, err := tabledef.Load(filepath.Join(RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	name := tableName(t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tabledef.Create(ctx, client, def, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return name
}

// notTableNameChars are the characters DynamoDB does not allow in table names.
var notTableNameChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// tableName turns a test name into a valid table name: "t-", the name with
// runs of other characters as "-" and cut to 64 characters, "-", 8 hex digits.
func tableName(testName string) string {
	s := notTableNameChars.ReplaceAllString(testName, "-")
	if len(s) > 64 {
		s = s[:64]
	}
	b := make([]byte, 4)
	rand.Read(b) // never fails
	return "t-" + s + "-" + hex.EncodeToString(b)
}
