package tabledef_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/tabledef"
	"github.com/closeloop/closeloop/internal/testenv"
)

// decidedTable is the table of testdata/template.yaml, as decided for template.yaml.
func decidedTable() tabledef.Def {
	return tabledef.Def{
		Input: &dynamodb.CreateTableInput{
			BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("due_pk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("due_sk"), AttributeType: types.ScalarAttributeTypeS},
			},
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
			},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName: aws.String("due"),
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("due_pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("due_sk"), KeyType: types.KeyTypeRange},
				},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
			StreamSpecification: &types.StreamSpecification{
				StreamEnabled:  aws.Bool(true),
				StreamViewType: types.StreamViewTypeNewAndOldImages,
			},
		},
		TTLAttribute: "expires_at",
	}
}

// writeTemplate writes a template whose Resources.Table has the given properties.
func writeTemplate(t *testing.T, tableProperties string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	src := "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n" + indent(tableProperties, "      ")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
		want tabledef.Def
	}{
		{
			name: "decided table with intrinsics elsewhere",
			path: func(*testing.T) string { return filepath.Join("testdata", "template.yaml") },
			want: decidedTable(),
		},
		{
			name: "no indexes, stream or TTL",
			path: func(t *testing.T) string {
				return writeTemplate(t, `
BillingMode: PAY_PER_REQUEST
TableName: !Sub "${AWS::StackName}-table"
AttributeDefinitions: [{AttributeName: id, AttributeType: N}]
KeySchema: [{AttributeName: id, KeyType: HASH}]
TimeToLiveSpecification: {AttributeName: ttl, Enabled: false}
`)
			},
			want: tabledef.Def{Input: &dynamodb.CreateTableInput{
				BillingMode:          types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeN}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			}},
		},
		{
			name: "local index with included attributes",
			path: func(t *testing.T) string {
				return writeTemplate(t, `
BillingMode: PAY_PER_REQUEST
AttributeDefinitions:
  - {AttributeName: pk, AttributeType: S}
  - {AttributeName: sk, AttributeType: S}
  - {AttributeName: at, AttributeType: N}
KeySchema:
  - {AttributeName: pk, KeyType: HASH}
  - {AttributeName: sk, KeyType: RANGE}
LocalSecondaryIndexes:
  - IndexName: by_at
    KeySchema:
      - {AttributeName: pk, KeyType: HASH}
      - {AttributeName: at, KeyType: RANGE}
    Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [status]}
StreamSpecification: {StreamViewType: KEYS_ONLY}
`)
			},
			want: tabledef.Def{Input: &dynamodb.CreateTableInput{
				BillingMode: types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{
					{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("at"), AttributeType: types.ScalarAttributeTypeN},
				},
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
				},
				LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
					IndexName: aws.String("by_at"),
					KeySchema: []types.KeySchemaElement{
						{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
						{AttributeName: aws.String("at"), KeyType: types.KeyTypeRange},
					},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"status"}},
				}},
				StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tabledef.Load(tt.path(t))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load:\n got %s\nwant %s", dump(t, got), dump(t, tt.want))
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const keys = `
AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
KeySchema: [{AttributeName: pk, KeyType: HASH}]
`
	tests := []struct {
		name       string
		properties string
		want       string // in the error
	}{
		{"intrinsic in a used property", "BillingMode: !If [IsProd, PROVISIONED, PAY_PER_REQUEST]" + keys, "property BillingMode uses !If"},
		{"nested intrinsic", "BillingMode: PAY_PER_REQUEST" + keys + "TimeToLiveSpecification: {AttributeName: !Ref TTL, Enabled: true}", "property TimeToLiveSpecification uses !Ref"},
		{"provisioned", "BillingMode: PROVISIONED" + keys, "only PAY_PER_REQUEST"},
		{"billing mode missing", strings.TrimSpace(keys), "only PAY_PER_REQUEST"},
		{"no key schema", "BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: [{AttributeName: pk, AttributeType: S}]", "empty KeySchema"},
		{"bad attribute type", "BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: [{AttributeName: pk, AttributeType: STRING}]\nKeySchema: [{AttributeName: pk, KeyType: HASH}]", `AttributeType "STRING"`},
		{"bad key type", "BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\nKeySchema: [{AttributeName: pk, KeyType: PARTITION}]", `KeyType "PARTITION"`},
		{"bad stream view", "BillingMode: PAY_PER_REQUEST" + keys + "StreamSpecification: {StreamViewType: ALL}", `StreamViewType "ALL"`},
		{"index without projection", "BillingMode: PAY_PER_REQUEST" + keys + "GlobalSecondaryIndexes: [{IndexName: x, KeySchema: [{AttributeName: pk, KeyType: HASH}]}]", `index x: ProjectionType ""`},
		{"TTL without attribute", "BillingMode: PAY_PER_REQUEST" + keys + "TimeToLiveSpecification: {Enabled: true}", "without an AttributeName"},
		{"long-form intrinsic", "BillingMode: {\"Fn::If\": [IsProd, PROVISIONED, PAY_PER_REQUEST]}" + keys, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tabledef.Load(writeTemplate(t, tt.properties))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadTemplateErrors(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     string
	}{
		{"no table", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", `no resource "Table"`},
		{"wrong type", "Resources:\n  Table:\n    Type: AWS::Serverless::SimpleTable\n    Properties: {}\n", "want AWS::DynamoDB::Table"},
		{"no properties", "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n", "not a mapping"},
		{"not yaml", "Resources: [", "parse template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(tt.template), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := tabledef.Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := tabledef.Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
}

// TestLoadRepoTemplate keeps the repository's template.yaml readable by the
// local tooling: make dev and the integration tests create their tables from it.
func TestLoadRepoTemplate(t *testing.T) {
	path := filepath.Join("..", "..", "template.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the repository's template.yaml: %v", err)
	}
	def, err := tabledef.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Input.KeySchema) == 0 || def.Input.StreamSpecification == nil || def.TTLAttribute == "" {
		t.Errorf("template.yaml table lacks keys, stream or TTL: %s", dump(t, def))
	}
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	def, err := tabledef.Load(filepath.Join("testdata", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	name := "t-tabledef-create-" + randomHex(t)
	if err := tabledef.Create(ctx, client, def, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("delete table: %v", err)
		}
	})
	if def.Input.TableName != nil {
		t.Errorf("Create set TableName on the Def's input")
	}

	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := desc.Table
	if got, want := tbl.TableStatus, types.TableStatusActive; got != want {
		t.Errorf("status = %s, want %s", got, want)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %s, want PAY_PER_REQUEST", dump(t, tbl.BillingModeSummary))
	}
	if got, want := dump(t, tbl.KeySchema), dump(t, def.Input.KeySchema); got != want {
		t.Errorf("key schema = %s, want %s", got, want)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("indexes = %s, want the due index", dump(t, tbl.GlobalSecondaryIndexes))
	}
	gsi := tbl.GlobalSecondaryIndexes[0]
	if got, want := aws.ToString(gsi.IndexName), "due"; got != want {
		t.Errorf("index = %s, want %s", got, want)
	}
	if got, want := dump(t, gsi.KeySchema), dump(t, def.Input.GlobalSecondaryIndexes[0].KeySchema); got != want {
		t.Errorf("index key schema = %s, want %s", got, want)
	}
	if gsi.Projection == nil || gsi.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("index projection = %s, want ALL", dump(t, gsi.Projection))
	}
	if s := tbl.StreamSpecification; s == nil || !aws.ToBool(s.StreamEnabled) || s.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream = %s, want NEW_AND_OLD_IMAGES", dump(t, s))
	}
	if tbl.LatestStreamArn == nil {
		t.Error("no stream ARN")
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	d := ttl.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires_at" {
		t.Errorf("TTL = %s, want ENABLED on expires_at", dump(t, d))
	}

	if err := tabledef.Create(ctx, client, def, name); err == nil {
		t.Error("creating the same table twice: no error")
	}
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func dump(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
