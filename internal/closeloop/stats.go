package closeloop

import (
	"math"
	"reflect"
	"time"
)

// Tally is what happened in one bucket (a store-local day or month, for a
// store or one product): the counters the summaries are made of. Counters
// keep the raw CSAT and NPS distributions, so that a change of the CSAT
// threshold re-reads history consistently.
type Tally struct {
	Sent     int     // surveys sent, on their send day
	Answered int     // answers, counted on their survey's send day (so answered/sent is a rate)
	CSAT     [5]int  // answers by score 1–5, on the answer day
	NPS      [11]int // answers by NPS 0–10, on the answer day
	Points   int     // points awarded for answers, on the answer day
	Opened   int     // follow-up cases opened
	Resolved int     // follow-up resolutions
	// ResolveMinutes sums the minutes from opening to each resolution.
	ResolveMinutes int

	// Closing the loop: reasons, outcomes and the loop numbers (loopstats.go).
	// Resolutions by outcome (in the order of CaseOutcomes) and by reason;
	// cases closed for the first time, those of them closed by their due
	// time, and how long each took from opening (DurationBuckets); cases
	// first contacted, and how long that took.
	Outcomes     [3]int
	Reasons      map[string]int
	Closed       int
	ClosedInSLA  int
	CloseTimes   [DurationBuckets]int
	Contacted    int
	ContactTimes [DurationBuckets]int
	// The recovery check (recheck.go), all on the day the check was sent:
	// checks sent, answered, answered "yes"; the sum of the new scores'
	// changes from the cases' scores, and how many answers gave one.
	Rechecked       int
	RecheckAnswered int
	Recovered       int
	ScoreChange     int
	ScoreChanges    int
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Sent += o.Sent
	t.Answered += o.Answered
	for i := range t.CSAT {
		t.CSAT[i] += o.CSAT[i]
	}
	for i := range t.NPS {
		t.NPS[i] += o.NPS[i]
	}
	t.Points += o.Points
	t.Opened += o.Opened
	t.Resolved += o.Resolved
	t.ResolveMinutes += o.ResolveMinutes
	t.addLoop(o)
	t.addRecheck(o)
}

// Zero reports whether t counts nothing.
func (t Tally) Zero() bool {
	if len(t.Reasons) == 0 {
		t.Reasons = nil // an empty map counts nothing either
	}
	return reflect.ValueOf(t).IsZero()
}

// DayLayout is how a store-local day is written (and sorted).
const DayLayout = "2006-01-02"

// Day is the store-local day of t in time zone tz (UTC when it cannot be
// loaded).
func Day(t time.Time, tz string) string { return t.In(location(tz)).Format(DayLayout) }

func location(tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		return time.UTC
	}
	return loc
}

// Tallies are increments by store-local day.
type Tallies map[string]Tally

// add adds o to day's tally.
func (ts Tallies) add(day string, o Tally) {
	t := ts[day]
	t.Add(o)
	ts[day] = t
}

// SentTallies counts a survey's first send at sentAt.
func SentTallies(s Survey, sentAt time.Time) Tallies {
	return Tallies{Day(sentAt, s.Policy.withDefaults().TimeZone): {Sent: 1}}
}

// AnswerTallies counts answer r to survey s at answeredAt: the answer on
// the survey's send day; its scores, points and case on the answer day.
func AnswerTallies(s Survey, r Response, answeredAt time.Time) Tallies {
	tz := s.Policy.withDefaults().TimeZone
	sentAt := answeredAt
	if s.SentAt != nil {
		sentAt = *s.SentAt
	}
	ts := Tallies{}
	ts.add(Day(sentAt, tz), Tally{Answered: 1})
	var t Tally
	if r.Score >= 1 && r.Score <= 5 {
		t.CSAT[r.Score-1] = 1
	}
	if r.NPS != nil && *r.NPS >= 0 && *r.NPS <= 10 {
		t.NPS[*r.NPS] = 1
	}
	t.Points = r.Points
	if r.CaseID != "" {
		t.Opened = 1
	}
	ts.add(Day(answeredAt, tz), t)
	return ts
}

// ResolveTallies counts a resolution of c at resolvedAt.
func ResolveTallies(c Case, resolvedAt time.Time) Tallies {
	minutes := int(math.Round(resolvedAt.Sub(c.OpenedAt).Minutes()))
	return Tallies{Day(resolvedAt, c.Policy.withDefaults().TimeZone): {Resolved: 1, ResolveMinutes: max(minutes, 0)}}
}

// CaseLoad is a store's follow-up load as of now: the cases open (open or
// claimed), and those the last SLA check found overdue.
type CaseLoad struct {
	Open        int
	Overdue     int
	OverdueAsOf *time.Time // the last SLA check; nil before the first
}

// MaxSummaryDays is the longest range a summary covers: three years.
const MaxSummaryDays = 3*366 - 2

// Summary is a store's satisfaction over a range of store-local days
// (API.md's definitions).
type Summary struct {
	From          string          `json:"from"`
	To            string          `json:"to"`
	TimeZone      string          `json:"time_zone"`
	SKU           *string         `json:"sku"`
	Sent          int             `json:"sent"`
	Answered      int             `json:"answered"`
	ResponseRate  *float64        `json:"response_rate"`
	CSAT          CSATSummary     `json:"csat"`
	NPS           NPSSummary      `json:"nps"`
	PointsAwarded int             `json:"points_awarded"`
	Followups     FollowupSummary `json:"followups"`
	Daily         []DailySummary  `json:"daily"`
	// Recovery is the recovery checks over the range (recheck.go).
	Recovery RecoverySummary `json:"recovery"`
	// Closing the loop: resolutions by reason, most first, and by outcome.
	Reasons  []ReasonSummary `json:"reasons"`
	Outcomes OutcomeSummary  `json:"outcomes"`
}

// CSATSummary is the CSAT of a set of answers: score is the share of 4 and
// 5 among them (0–100, nil without answers); satisfied, neutral and
// unsatisfied follow the store's current threshold.
type CSATSummary struct {
	Score        *float64       `json:"score"`
	Answers      int            `json:"answers"`
	Satisfied    int            `json:"satisfied"`
	Neutral      int            `json:"neutral"`
	Unsatisfied  int            `json:"unsatisfied"`
	Distribution map[string]int `json:"distribution"`
}

// NPSSummary is the NPS of the answers that gave one: % promoters (9–10)
// minus % detractors (0–6), nil without any.
type NPSSummary struct {
	Score      *float64 `json:"score"`
	Answers    int      `json:"answers"`
	Promoters  int      `json:"promoters"`
	Passives   int      `json:"passives"`
	Detractors int      `json:"detractors"`
}

// FollowupSummary is the follow-up work: opened, resolved and the mean
// time to resolve over the range; open and overdue as of now (nil for one
// product, which has no current load of its own).
type FollowupSummary struct {
	Opened             int        `json:"opened"`
	Resolved           int        `json:"resolved"`
	Open               *int       `json:"open"`
	Overdue            *int       `json:"overdue"`
	MeanHoursToResolve *float64   `json:"mean_hours_to_resolve"`
	OverdueAsOf        *time.Time `json:"overdue_as_of"`
	LoopSummary
}

// DailySummary is one day of a summary.
type DailySummary struct {
	Date      string   `json:"date"`
	Sent      int      `json:"sent"`
	Answered  int      `json:"answered"`
	CSATScore *float64 `json:"csat_score"`
}

// Summarize makes the summary of days from..to (store-local, inclusive)
// out of their tallies, with the store's current CSAT threshold; load is
// nil for a product's summary.
func Summarize(from, to time.Time, tz string, tallies map[string]Tally, threshold int, load *CaseLoad) Summary {
	sum := Summary{From: from.Format(DayLayout), To: to.Format(DayLayout), TimeZone: tz, Daily: []DailySummary{}}
	var total Tally
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := d.Format(DayLayout)
		t := tallies[day]
		total.Add(t)
		sum.Daily = append(sum.Daily, DailySummary{Date: day, Sent: t.Sent, Answered: t.Answered, CSATScore: SummarizeCSAT(t, threshold).Score})
	}
	sum.Sent, sum.Answered, sum.PointsAwarded = total.Sent, total.Answered, total.Points
	if total.Sent > 0 {
		sum.ResponseRate = ratio(float64(total.Answered), float64(total.Sent))
	}
	sum.CSAT, sum.NPS = SummarizeCSAT(total, threshold), SummarizeNPS(total)
	sum.Followups = FollowupSummary{Opened: total.Opened, Resolved: total.Resolved}
	if total.Resolved > 0 {
		sum.Followups.MeanHoursToResolve = round1(float64(total.ResolveMinutes) / 60 / float64(total.Resolved))
	}
	sum.Recovery = SummarizeRecovery(total)
	if load != nil {
		sum.Followups.Open, sum.Followups.Overdue, sum.Followups.OverdueAsOf = &load.Open, &load.Overdue, load.OverdueAsOf
	}
	sum.Followups.LoopSummary = SummarizeLoop(total)
	sum.Reasons, sum.Outcomes = SummarizeReasons(total), SummarizeOutcomes(total)
	return sum
}

// SummarizeCSAT is the CSAT of t's answers.
func SummarizeCSAT(t Tally, threshold int) CSATSummary {
	c := CSATSummary{Distribution: map[string]int{}}
	for i, n := range t.CSAT {
		score := i + 1
		c.Distribution[itoa(score)] = n
		c.Answers += n
		switch {
		case score <= threshold:
			c.Unsatisfied += n
		case score >= 4:
			c.Satisfied += n
		default:
			c.Neutral += n
		}
	}
	if c.Answers > 0 {
		c.Score = round1(100 * float64(t.CSAT[3]+t.CSAT[4]) / float64(c.Answers))
	}
	return c
}

// SummarizeNPS is the NPS of t's answers that gave one.
func SummarizeNPS(t Tally) NPSSummary {
	var n NPSSummary
	for score, count := range t.NPS {
		n.Answers += count
		switch {
		case score >= 9:
			n.Promoters += count
		case score >= 7:
			n.Passives += count
		default:
			n.Detractors += count
		}
	}
	if n.Answers > 0 {
		n.Score = round1(100 * float64(n.Promoters-n.Detractors) / float64(n.Answers))
	}
	return n
}

func ratio(a, b float64) *float64 {
	r := math.Round(a/b*1000) / 1000
	return &r
}

func round1(v float64) *float64 {
	r := math.Round(v*10) / 10
	return &r
}

// ProductSummary is one product's satisfaction over a range.
type ProductSummary struct {
	SKU          string      `json:"sku"`
	Name         string      `json:"name"`
	Sent         int         `json:"sent"`
	Answered     int         `json:"answered"`
	ResponseRate *float64    `json:"response_rate"`
	CSAT         CSATSummary `json:"csat"`
	NPS          NPSSummary  `json:"nps"`
}

// SummarizeProduct makes a product's summary of its tally over a range.
func SummarizeProduct(sku, name string, t Tally, threshold int) ProductSummary {
	p := ProductSummary{SKU: sku, Name: name, Sent: t.Sent, Answered: t.Answered,
		CSAT: SummarizeCSAT(t, threshold), NPS: SummarizeNPS(t)}
	if t.Sent > 0 {
		p.ResponseRate = ratio(float64(t.Answered), float64(t.Sent))
	}
	return p
}

// WorstFirst orders products by CSAT score, lowest first (products without
// answers last), then by answers, most first, then by SKU.
func WorstFirst(a, b ProductSummary) int {
	switch {
	case a.CSAT.Score == nil && b.CSAT.Score != nil:
		return 1
	case a.CSAT.Score != nil && b.CSAT.Score == nil:
		return -1
	case a.CSAT.Score != nil && *a.CSAT.Score != *b.CSAT.Score:
		if *a.CSAT.Score < *b.CSAT.Score {
			return -1
		}
		return 1
	case a.CSAT.Answers != b.CSAT.Answers:
		return b.CSAT.Answers - a.CSAT.Answers
	}
	if a.SKU < b.SKU {
		return -1
	}
	if a.SKU > b.SKU {
		return 1
	}
	return 0
}

// ProductTally is one product's tally of one store-local day.
type ProductTally struct {
	SKU  string
	Name string
	Day  string
	Tally
}

// ProductTallies spreads tallies over the distinct products of items: an
// order holding a SKU twice counts it once.
func ProductTallies(items []Item, ts Tallies) []ProductTally {
	var out []ProductTally
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.SKU] {
			continue
		}
		seen[it.SKU] = true
		for day, t := range ts {
			out = append(out, ProductTally{SKU: it.SKU, Name: it.Name, Day: day, Tally: t})
		}
	}
	return out
}

// DayRange is a range of store-local days, From and To inclusive, each a
// date at midnight UTC standing for that day in the store's time zone.
type DayRange struct {
	From, To time.Time
}

// ParseDayRange reads the from and to of a request (YYYY-MM-DD, each
// optional: to defaults to today, from to the 30 days ending at to). A bad
// date, from after to, or a range over three years is EINVALID naming the
// field.
func ParseDayRange(from, to, today string) (DayRange, error) {
	p := Problems{}
	parse := func(field, raw string) time.Time {
		d, err := time.Parse(DayLayout, raw)
		if err != nil {
			p.Add(field, "must be a date YYYY-MM-DD")
		}
		return d
	}
	if to == "" {
		to = today
	}
	r := DayRange{To: parse("to", to)}
	if from == "" {
		r.From = r.To.AddDate(0, 0, -29)
	} else {
		r.From = parse("from", from)
	}
	if len(p) == 0 && r.From.After(r.To) {
		p.Add("from", "must not be after to")
	}
	if len(p) == 0 && r.Days() > MaxSummaryDays {
		p.Add("from", "must be at most three years before to")
	}
	return r, p.Err("the date range is not valid")
}

// Days is how many days the range holds.
func (r DayRange) Days() int { return int(r.To.Sub(r.From).Hours()/24) + 1 }

// Each lists the range's days.
func (r DayRange) Each() []string {
	days := make([]string, 0, r.Days())
	for d := r.From; !d.After(r.To); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(DayLayout))
	}
	return days
}
