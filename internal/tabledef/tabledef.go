package tabledef

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// logicalID is the logical id of the table resource in template.yaml.
const logicalID = "Table"

// Def is a table definition read from a SAM template.
type Def struct {
	// Input creates the table; its TableName is unset, Create sets it.
	Input *dynamodb.CreateTableInput
	// TTLAttribute names the expiry attribute when TTL is enabled, else "".
	TTLAttribute string
}

// template is the part of a SAM template that Load reads. Properties stays a
// node so that other resources' intrinsics are never decoded.
type template struct {
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

// tableProperties are the AWS::DynamoDB::Table properties a table is created
// from; the others (TableName, PointInTimeRecoverySpecification,
// SSESpecification, Tags…) do not change what the code sees.
type tableProperties struct {
	BillingMode             string                `yaml:"BillingMode"`
	AttributeDefinitions    []attributeDefinition `yaml:"AttributeDefinitions"`
	KeySchema               []keySchemaElement    `yaml:"KeySchema"`
	GlobalSecondaryIndexes  []secondaryIndex      `yaml:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes   []secondaryIndex      `yaml:"LocalSecondaryIndexes"`
	StreamSpecification     *streamSpecification  `yaml:"StreamSpecification"`
	TimeToLiveSpecification *ttlSpecification     `yaml:"TimeToLiveSpecification"`
}

// usedProperties lists the yaml keys of tableProperties, which must be literal.
var usedProperties = []string{
	"BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
	"LocalSecondaryIndexes", "StreamSpecification", "TimeToLiveSpecification",
}

type attributeDefinition struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type keySchemaElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type secondaryIndex struct {
	IndexName  string             `yaml:"IndexName"`
	KeySchema  []keySchemaElement `yaml:"KeySchema"`
	Projection struct {
		ProjectionType   string   `yaml:"ProjectionType"`
		NonKeyAttributes []string `yaml:"NonKeyAttributes"`
	} `yaml:"Projection"`
}

type streamSpecification struct {
	StreamViewType string `yaml:"StreamViewType"`
}

type ttlSpecification struct {
	AttributeName string `yaml:"AttributeName"`
	Enabled       bool   `yaml:"Enabled"`
}

// Load reads the table resource from a SAM template.
func Load(templatePath string) (Def, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return Def{}, fmt.Errorf("read template: %w", err)
	}
	def, err := parse(data)
	if err != nil {
		return Def{}, fmt.Errorf("%s: %w", templatePath, err)
	}
	return def, nil
}

func parse(data []byte) (Def, error) {
	var tmpl template
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		return Def{}, fmt.Errorf("parse template: %w", err)
	}
	res, ok := tmpl.Resources[logicalID]
	if !ok {
		return Def{}, fmt.Errorf("no resource %q", logicalID)
	}
	if res.Type != "AWS::DynamoDB::Table" {
		return Def{}, fmt.Errorf("resource %s has type %q, want AWS::DynamoDB::Table", logicalID, res.Type)
	}
	if err := checkLiteral(&res.Properties); err != nil {
		return Def{}, fmt.Errorf("resource %s: %w", logicalID, err)
	}
	var props tableProperties
	if err := res.Properties.Decode(&props); err != nil {
		return Def{}, fmt.Errorf("resource %s: %w", logicalID, err)
	}
	def, err := props.def()
	if err != nil {
		return Def{}, fmt.Errorf("resource %s: %w", logicalID, err)
	}
	return def, nil
}

// checkLiteral rejects short-form intrinsics in the properties Load uses: yaml.v3
// would read "!Ref Mode" as the string "Mode" without complaint.
func checkLiteral(props *yaml.Node) error {
	if props.Kind != yaml.MappingNode {
		return errors.New("Properties is not a mapping")
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		key, value := props.Content[i].Value, props.Content[i+1]
		if !slices.Contains(usedProperties, key) {
			continue
		}
		if tag := intrinsic(value); tag != "" {
			return fmt.Errorf("property %s uses %s; tabledef needs literal values there", key, tag)
		}
	}
	return nil
}

// intrinsic returns the first local tag ("!Ref", not "!!str") in n, or "".
func intrinsic(n *yaml.Node) string {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag
	}
	for _, c := range n.Content {
		if tag := intrinsic(c); tag != "" {
			return tag
		}
	}
	return ""
}

func (p tableProperties) def() (Def, error) {
	if p.BillingMode != string(types.BillingModePayPerRequest) {
		return Def{}, fmt.Errorf("BillingMode is %q: only PAY_PER_REQUEST is supported", p.BillingMode)
	}
	in := &dynamodb.CreateTableInput{BillingMode: types.BillingModePayPerRequest}
	for _, a := range p.AttributeDefinitions {
		if err := oneOf("AttributeType", types.ScalarAttributeType(a.AttributeType)); err != nil {
			return Def{}, err
		}
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	var err error
	if in.KeySchema, err = keySchema(p.KeySchema); err != nil {
		return Def{}, err
	}
	for _, ix := range p.GlobalSecondaryIndexes {
		ks, proj, err := ix.parts()
		if err != nil {
			return Def{}, err
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: ks, Projection: proj,
		})
	}
	for _, ix := range p.LocalSecondaryIndexes {
		ks, proj, err := ix.parts()
		if err != nil {
			return Def{}, err
		}
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: ks, Projection: proj,
		})
	}
	// CloudFormation enables the stream whenever StreamSpecification is present.
	if s := p.StreamSpecification; s != nil {
		if err := oneOf("StreamViewType", types.StreamViewType(s.StreamViewType)); err != nil {
			return Def{}, err
		}
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(s.StreamViewType),
		}
	}
	def := Def{Input: in}
	if t := p.TimeToLiveSpecification; t != nil && t.Enabled {
		if t.AttributeName == "" {
			return Def{}, errors.New("TimeToLiveSpecification is enabled without an AttributeName")
		}
		def.TTLAttribute = t.AttributeName
	}
	return def, nil
}

func (ix secondaryIndex) parts() ([]types.KeySchemaElement, *types.Projection, error) {
	if ix.IndexName == "" {
		return nil, nil, errors.New("secondary index without IndexName")
	}
	ks, err := keySchema(ix.KeySchema)
	if err != nil {
		return nil, nil, fmt.Errorf("index %s: %w", ix.IndexName, err)
	}
	if err := oneOf("ProjectionType", types.ProjectionType(ix.Projection.ProjectionType)); err != nil {
		return nil, nil, fmt.Errorf("index %s: %w", ix.IndexName, err)
	}
	return ks, &types.Projection{
		ProjectionType:   types.ProjectionType(ix.Projection.ProjectionType),
		NonKeyAttributes: ix.Projection.NonKeyAttributes,
	}, nil
}

func keySchema(elems []keySchemaElement) ([]types.KeySchemaElement, error) {
	if len(elems) == 0 {
		return nil, errors.New("empty KeySchema")
	}
	ks := make([]types.KeySchemaElement, 0, len(elems))
	for _, e := range elems {
		if err := oneOf("KeyType", types.KeyType(e.KeyType)); err != nil {
			return nil, err
		}
		ks = append(ks, types.KeySchemaElement{
			AttributeName: aws.String(e.AttributeName),
			KeyType:       types.KeyType(e.KeyType),
		})
	}
	return ks, nil
}

// oneOf checks v against the values the SDK knows for its enum type.
func oneOf[E interface {
	~string
	Values() []E
}](field string, v E) error {
	if !slices.Contains(v.Values(), v) {
		return fmt.Errorf("%s %q is not one of %v", field, v, v.Values())
	}
	return nil
}

// Create creates the table named name from def (a copy of the input with
// TableName set), waits until ACTIVE, and enables TTL.
func Create(ctx context.Context, client *dynamodb.Client, def Def, name string) error {
	in := *def.Input
	in.TableName = aws.String(name)
	if _, err := client.CreateTable(ctx, &in); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	if def.TTLAttribute == "" {
		return nil
	}
	_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(def.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("enable TTL on table %s: %w", name, err)
	}
	return nil
}
