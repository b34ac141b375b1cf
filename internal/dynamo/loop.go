package dynamo

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Closing the loop: the counters of outcomes, reasons and the loop
// numbers on a store's day items, beside the others (stats.go):
//
//	oc_{outcome}     resolutions by outcome
//	rs_{reason}      resolutions by reason (the store's case_reasons)
//	fu_closed        cases closed for the first time; fu_closed_sla those by their due time
//	cl_{b}           first closes by time from opening, bucket b (closeloop.DurationBucket)
//	fu_contacted     cases first contacted; fc_{b} by time from opening

// reasonPrefix starts the attribute of a reason's counter.
const reasonPrefix = "rs_"

// loopTallyNames are the loop counters' attributes in the order of
// loopTallyValues.
var loopTallyNames = func() []string {
	var names []string
	for _, o := range closeloop.CaseOutcomes {
		names = append(names, "oc_"+o)
	}
	names = append(names, "fu_closed", "fu_closed_sla", "fu_contacted")
	for b := range closeloop.DurationBuckets {
		names = append(names, "cl_"+strconv.Itoa(b))
	}
	for b := range closeloop.DurationBuckets {
		names = append(names, "fc_"+strconv.Itoa(b))
	}
	return names
}()

func loopTallyValues(t closeloop.Tally) []int {
	v := append([]int{}, t.Outcomes[:]...)
	v = append(v, t.Closed, t.ClosedInSLA, t.Contacted)
	v = append(v, t.CloseTimes[:]...)
	return append(v, t.ContactTimes[:]...)
}

// setLoopTally reads the loop counters into t: v in the order of
// loopTallyNames, the reasons from item's rs_ attributes.
func setLoopTally(t *closeloop.Tally, v []int, item map[string]types.AttributeValue) {
	n := len(closeloop.CaseOutcomes)
	copy(t.Outcomes[:], v[:n])
	t.Closed, t.ClosedInSLA, t.Contacted = v[n], v[n+1], v[n+2]
	copy(t.CloseTimes[:], v[n+3:n+3+closeloop.DurationBuckets])
	copy(t.ContactTimes[:], v[n+3+closeloop.DurationBuckets:])
	for name, av := range item {
		reason, ok := strings.CutPrefix(name, reasonPrefix)
		if m, isN := av.(*types.AttributeValueMemberN); ok && isN {
			if count, err := strconv.Atoi(m.Value); err == nil && count != 0 {
				if t.Reasons == nil {
					t.Reasons = map[string]int{}
				}
				t.Reasons[reason] = count
			}
		}
	}
}

// reasonAdds are the ADD clauses of t's reason counters, sorted, with their
// values added to values.
func reasonAdds(t closeloop.Tally, values map[string]types.AttributeValue) []string {
	var adds []string
	for reason, n := range t.Reasons {
		if n != 0 {
			name := reasonPrefix + reason
			adds = append(adds, name+" :"+name)
			values[":"+name] = num(n)
		}
	}
	sort.Strings(adds)
	return adds
}

// loopUnchanged is the condition that a case's first contact and first
// resolution are as they were in before, with its values added to values:
// a counted move made on it counts neither twice.
func loopUnchanged(before closeloop.Case, values map[string]types.AttributeValue) string {
	var conds []string
	for _, a := range []struct {
		attr, value string
		at          *time.Time
	}{
		{"first_contact_at", ":contacted_was", before.FirstContactAt},
		{"first_resolved_at", ":resolved_was", before.FirstResolvedAt},
	} {
		if a.at == nil {
			delete(values, a.value) // a retry's read may differ from the first's
			conds = append(conds, "attribute_not_exists("+a.attr+")")
			continue
		}
		values[a.value] = str(stamp(*a.at))
		conds = append(conds, a.attr+" = "+a.value)
	}
	return strings.Join(conds, " AND ")
}

// firstContactNote adds note n (marshalled as note) to a case not yet
// contacted, recording its time as the first contact and counting it, in
// one transaction; done is false when the case was contacted before (or
// the transaction's condition failed: full, or contacted meanwhile), for
// the caller to add the note plainly.
func (db *DB) firstContactNote(ctx context.Context, storeID, caseID string, n closeloop.Note, note map[string]types.AttributeValue) (c closeloop.Case, done bool, err error) {
	before, err := db.Case(ctx, storeID, caseID)
	if err != nil {
		return closeloop.Case{}, true, err
	}
	counted := db.tallyItems(storeID, caseID, closeloop.FirstContactTallies(before, n.At))
	if len(counted) == 0 {
		return closeloop.Case{}, false, nil
	}
	values := map[string]types.AttributeValue{
		":store": str(storeID), ":max": num(closeloop.MaxNotesPerCase), ":at": str(stamp(n.At)),
		":note": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: note}}},
	}
	noteOnce(n, values)
	held, err := db.updateWith(ctx, "add first note", &types.Update{
		TableName:                 aws.String(db.table),
		Key:                       caseKey(caseID),
		UpdateExpression:          aws.String("SET notes = list_append(notes, :note), first_contact_at = :at, " + noteIDsAppend),
		ConditionExpression:       aws.String("store_id = :store AND size(notes) < :max AND attribute_not_exists(first_contact_at) AND " + noteIDAbsent),
		ExpressionAttributeValues: values,
	}, counted)
	if err != nil || !held {
		return closeloop.Case{}, err != nil, err
	}
	at := n.At
	before.Notes, before.FirstContactAt = append(before.Notes, n), &at
	return before, true, nil
}

// TagCase replaces the tags of a store's open or claimed case; a resolved
// one is returned as it stands with ECONFLICT.
func (db *DB) TagCase(ctx context.Context, storeID, caseID string, tags []string) (closeloop.Case, error) {
	if !validKeyPart(caseID) {
		return closeloop.Case{}, closeloop.Errorf(closeloop.ENOTFOUND, "no such follow-up")
	}
	list := make([]types.AttributeValue, len(tags))
	for i, tag := range tags {
		list[i] = str(tag)
	}
	values := map[string]types.AttributeValue{":store": str(storeID), ":tags": &types.AttributeValueMemberL{Value: list}}
	return db.updateCase(ctx, storeID, caseID, "SET tags = :tags",
		"store_id = :store AND "+statusIn(closeloop.TaggableCaseStatuses(), values), values,
		"a resolved follow-up cannot be tagged; reopen it first")
}
