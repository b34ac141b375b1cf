package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// TestSettingsSavedBeforeASettingReadItsDefault: a store item written
// before a setting existed lacks it; it reads as the setting's default, not
// as the zero value, while what the item holds is kept.
func TestSettingsSavedBeforeASettingReadItsDefault(t *testing.T) {
	saved := closeloop.DefaultSettings()
	saved.SLAHours, saved.DigestWeekday = 5, "friday"
	item, err := marshal(storeRecord{PK: "STORE#a", SK: "#SETTINGS", Store: closeloop.Store{StoreID: "a", Settings: saved}})
	if err != nil {
		t.Fatal(err)
	}
	settings := item["settings"].(*types.AttributeValueMemberM).Value
	delete(settings, "points_per_answer")
	delete(settings, "survey_expiry_days")
	rec, err := unmarshalStore(item)
	if err != nil {
		t.Fatal(err)
	}
	d, got := closeloop.DefaultSettings(), rec.Settings
	if got.PointsPerAnswer != d.PointsPerAnswer || got.SurveyExpiryDays != d.SurveyExpiryDays {
		t.Errorf("missing settings read as %d and %d, want the defaults %d and %d", got.PointsPerAnswer, got.SurveyExpiryDays, d.PointsPerAnswer, d.SurveyExpiryDays)
	}
	if got.SLAHours != 5 || got.DigestWeekday != "friday" || rec.StoreID != "a" {
		t.Errorf("saved settings read as %+v", got)
	}
}
