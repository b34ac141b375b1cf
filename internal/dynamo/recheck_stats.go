package dynamo

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// recheckTallyNames are the recovery check's counter attributes of a day
// item, in the order of recheckTallyValues: checks sent, answered,
// recovered, the sum of score changes and how many there are.
var recheckTallyNames = []string{"rc_sent", "rc_answered", "rc_recovered", "rc_score_change", "rc_scored"}

func recheckTallyValues(t closeloop.Tally) []int {
	return []int{t.Rechecked, t.RecheckAnswered, t.Recovered, t.ScoreChange, t.ScoreChanges}
}

// readRecheckTally reads the recovery check's counters of a day item into
// t, by name, so that counters added beside them never shift them.
func readRecheckTally(item map[string]types.AttributeValue, t *closeloop.Tally) {
	v := make([]int, len(recheckTallyNames))
	for i, name := range recheckTallyNames {
		if n, ok := item[name].(*types.AttributeValueMemberN); ok {
			v[i], _ = strconv.Atoi(n.Value)
		}
	}
	t.Rechecked, t.RecheckAnswered, t.Recovered, t.ScoreChange, t.ScoreChanges = v[0], v[1], v[2], v[3], v[4]
}
