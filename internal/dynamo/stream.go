package dynamo

import (
	"github.com/aws/aws-lambda-go/events"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// DecodeChange reads what a stream record of the table means to the work
// that follows an answer: a new response, a new case, or a case whose
// status became resolved. ok is false for every other record (other item
// types, other changes, TTL removals).
func DecodeChange(rec events.DynamoDBEventRecord) (c closeloop.Change, ok bool, err error) {
	newType := rec.Change.NewImage["type"]
	if rec.Change.NewImage == nil || newType.DataType() != events.DataTypeString {
		return closeloop.Change{}, false, nil
	}
	image, err := FromStreamImage(rec.Change.NewImage)
	if err != nil {
		return closeloop.Change{}, false, err
	}
	switch {
	case rec.EventName == "INSERT" && newType.String() == typeResponse:
		var r responseRecord
		if err := unmarshal(image, &r); err != nil {
			return closeloop.Change{}, false, err
		}
		return closeloop.Change{Response: &r.ResponseItem}, true, nil
	case newType.String() != typeCase:
		return closeloop.Change{}, false, nil
	}
	var after caseRecord
	if err := unmarshal(image, &after); err != nil {
		return closeloop.Change{}, false, err
	}
	if rec.EventName == "INSERT" {
		return closeloop.Change{Case: &after.Case}, true, nil
	}
	before := rec.Change.OldImage["status"]
	resolved := rec.EventName == "MODIFY" && after.Status == closeloop.CaseResolved &&
		!(before.DataType() == events.DataTypeString && before.String() == string(closeloop.CaseResolved))
	if !resolved {
		return closeloop.Change{}, false, nil
	}
	return closeloop.Change{Case: &after.Case, Resolved: true}, true, nil
}
