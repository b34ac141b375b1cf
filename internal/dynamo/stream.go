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
	if rec.Change.NewImage == nil {
		return closeloop.Change{}, false, nil
	}
	image, err := FromStreamImage(rec.Change.NewImage)
	if err != nil {
		return closeloop.Change{}, false, err
	}
	was := imageString(rec.Change.OldImage, "status")
	switch {
	case rec.EventName == "MODIFY" && imageString(rec.Change.NewImage, attrSK) == "#SURVEY":
		var s surveyRecord
		if err := unmarshal(image, &s); err != nil {
			return closeloop.Change{}, false, err
		}
		if was != string(closeloop.StatusSending) || s.Status != closeloop.StatusSent || s.SentAt == nil {
			return closeloop.Change{}, false, nil // not a first send
		}
		return closeloop.Change{
			StoreID:  s.StoreID,
			Products: closeloop.ProductTallies(s.Items, closeloop.SentTallies(s.Survey, *s.SentAt)),
			Mark:     "sent#" + s.SurveyID,
		}, true, nil
	case rec.EventName == "INSERT" && imageString(rec.Change.NewImage, "type") == typeResponse:
		var r responseRecord
		if err := unmarshal(image, &r); err != nil {
			return closeloop.Change{}, false, err
		}
		s := closeloop.Survey{SurveyID: r.SurveyID, StoreID: r.StoreID, Items: r.Items, SentAt: r.SentAt,
			Policy: closeloop.FollowupPolicy{TimeZone: r.TimeZone}}
		answer := closeloop.AnswerTallies(s, r.Response, r.AnsweredAt)
		for day, t := range answer {
			t.Opened = 0 // a product's cases are counted when the case item is written
			answer[day] = t
		}
		return closeloop.Change{StoreID: r.StoreID, Response: &r.ResponseItem, Products: closeloop.ProductTallies(r.Items, answer), Mark: "answer#" + r.SurveyID}, true, nil
	case imageString(rec.Change.NewImage, "type") != typeCase:
		return closeloop.Change{}, false, nil
	}
	var after caseRecord
	if err := unmarshal(image, &after); err != nil {
		return closeloop.Change{}, false, err
	}
	tz := after.Policy.TimeZone
	if rec.EventName == "INSERT" {
		opened := closeloop.Tallies{closeloop.Day(after.OpenedAt, tz): {Opened: 1}}
		return closeloop.Change{StoreID: after.StoreID, Case: &after.Case, Products: closeloop.ProductTallies(after.Items, opened), Mark: "open#" + after.CaseID}, true, nil
	}
	resolved := rec.EventName == "MODIFY" && after.Status == closeloop.CaseResolved && was != string(closeloop.CaseResolved) && after.ResolvedAt != nil
	if !resolved {
		return closeloop.Change{}, false, nil
	}
	return closeloop.Change{
		StoreID: after.StoreID, Case: &after.Case, Resolved: true,
		Products: closeloop.ProductTallies(after.Items, closeloop.ResolveTallies(after.Case, *after.ResolvedAt)),
		Mark:     "resolved#" + after.CaseID + "#" + stamp(*after.ResolvedAt),
	}, true, nil
}

// imageString is a string attribute of a stream image, "" when absent.
func imageString(image map[string]events.DynamoDBAttributeValue, name string) string {
	v, ok := image[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
