package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/survey"
)

// seed gives a demo store a few days of answered surveys.
func seed(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("seed", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table")
	storeID := flags.String("store", "", "the store to seed (it must exist: storectl create)")
	days := flags.Int("days", 7, "spread the surveys over this many days before today (store-local)")
	answers := flags.Int("answers", 24, "how many answers to make; a few more surveys stay unanswered")
	seedN := flags.Uint64("seed", 1, "the random seed: the same seed makes the same customers, products and answers")
	if err := flags.Parse(args); err != nil {
		return err
	}
	switch {
	case *table == "" || *storeID == "":
		return errors.New("-table and -store are required")
	case *days < 1 || *days > 90:
		return errors.New("-days must be 1 to 90")
	case *answers < 0 || *answers > 1000:
		return errors.New("-answers must be 0 to 1000")
	}
	db, err := open(ctx, *table, getenv)
	if err != nil {
		return err
	}
	rep, err := seedStore(ctx, db, *storeID, seedPlan{Days: *days, Answers: *answers, Seed: *seedN}, time.Now())
	// What was done before a failure is done: the counts say how far it got.
	fmt.Fprintf(out, "seed %s: %d surveys created and %d sent, %d answered (%d opened a follow-up), %d left unanswered; %d orders seeded before, skipped\n",
		*storeID, rep.Created, rep.Sent, rep.Answered, rep.Cases, rep.Unanswered, rep.Existing)
	if rep.Left > 0 {
		fmt.Fprintf(out, "%d surveys were left as they are: not sendable (contact budget, suppression), or taken by a running dispatcher meanwhile (sent today, unanswered).\n", rep.Left)
	}
	if err != nil {
		return fmt.Errorf("%w (the seed can be run again)", err)
	}
	return nil
}

// seedPlan is what to seed.
type seedPlan struct {
	Days    int    // the surveys are sent over the Days days before today
	Answers int    // answers to make
	Seed    uint64 // the random seed
}

// seedReport counts what seedStore did.
type seedReport struct {
	Created    int // surveys created
	Existing   int // orders found seeded by an earlier run: skipped
	Sent       int // surveys marked sent
	Answered   int // surveys answered
	Cases      int // answers that opened a follow-up case
	Unanswered int // surveys sent and left unanswered
	Left       int // not sendable (capped, suppressed), or taken by a running dispatcher meanwhile: left as they are
}

// seedStore makes the surveys and answers of plan for a store, as of now,
// through the code that writes them in production: the adapter creates
// each survey, claims it from the due index and marks it sent at its send
// time as dispatch does, and the survey service takes the answer at its
// answer time as the survey page does, with its points and follow-up case.
// Every time is before today (store-local), so the same seed makes the
// same data all day. Order IDs are seed-<n>: a second run finds the orders
// and skips them.
//
// A running dispatcher (make dev's) may take a survey between its
// creation and its claim, as it is due in the past: that survey is sent
// today for real and left unanswered, and the next order makes up its
// answer.
func seedStore(ctx context.Context, db *dynamo.DB, storeID string, plan seedPlan, now time.Time) (seedReport, error) {
	var rep seedReport
	store, err := db.Store(ctx, storeID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return rep, fmt.Errorf("no store %q: create it first (storectl create)", storeID)
	}
	if err != nil {
		return rep, err
	}
	set := store.Settings
	budget := time.Duration(set.ContactBudgetDays) * 24 * time.Hour
	// The survey service reads its clock at each answer: the answer's time.
	var answerAt time.Time
	answers := survey.NewService(db, db, func() time.Time { return answerAt })
	// planned counts the answers made, or made by an earlier run: the
	// orders end when they reach plan.Answers (or, should every survey be
	// left, after twice as many orders and a few).
	planned := 0
	for n := 1; planned < plan.Answers && n <= 2*plan.Answers+10; n++ {
		o := planOrder(plan, set, now, n)
		stored, created, err := db.CreateSurvey(ctx, o.survey(store), budget)
		if err != nil {
			return rep, fmt.Errorf("create survey of %s: %w", o.OrderID, err)
		}
		if !created {
			rep.Existing++
			if o.Answer != nil {
				planned++
			}
			continue
		}
		rep.Created++
		if stored.Status != closeloop.StatusScheduled {
			rep.Left++ // capped or suppressed by the customer's contact budget
			continue
		}
		token, sent, err := sendSeeded(ctx, db, stored, o.SentAt, now, set)
		if err != nil {
			return rep, fmt.Errorf("send survey of %s: %w", o.OrderID, err)
		}
		if !sent {
			rep.Left++
			continue
		}
		rep.Sent++
		if o.Answer == nil {
			rep.Unanswered++
			continue
		}
		answerAt = o.AnsweredAt
		answered, state, problems, err := answers.Submit(ctx, token, *o.Answer)
		switch {
		case err != nil:
			return rep, fmt.Errorf("answer survey of %s: %w", o.OrderID, err)
		case len(problems) > 0:
			return rep, fmt.Errorf("answer survey of %s: %v", o.OrderID, problems)
		case state != survey.Answered:
			rep.Left++ // closed meanwhile (cancelled, say)
			continue
		}
		rep.Answered++
		planned++
		if answered.Response != nil && answered.Response.CaseID != "" {
			rep.Cases++
		}
	}
	return rep, nil
}

// sendSeeded claims a survey from the due index at its send time and marks
// it sent at sentAt, returning the link token the email would have held.
// sent is false when a running dispatcher took the survey first: it is
// left to it.
func sendSeeded(ctx context.Context, db *dynamo.DB, s closeloop.Survey, sentAt, now time.Time, set closeloop.Settings) (token string, sent bool, err error) {
	var due *closeloop.DueSurvey
	// The due index is eventually consistent: a survey just created may
	// take a moment to show.
	for wait := 50 * time.Millisecond; due == nil && wait < 2*time.Second; wait *= 2 {
		list, err := db.DueSurveys(ctx, s.SendAt, 100)
		if err != nil {
			return "", false, err
		}
		for i := range list {
			if list[i].Survey.SurveyID == s.SurveyID && list[i].Survey.Status == closeloop.StatusScheduled {
				due = &list[i]
			}
		}
		if due == nil {
			select {
			case <-ctx.Done():
				return "", false, ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	if due == nil {
		return "", false, nil
	}
	token, hash := secret.NewToken(s.SurveyID)
	_, unsubscribeHash := secret.NewToken(s.SurveyID)
	// The lease runs on the clock of the work it guards, which is now: one
	// ending in the past would show the claimed survey to a running
	// dispatcher as abandoned.
	lease, result, err := db.Claim(ctx, *due, now.Add(2*time.Minute), hash, unsubscribeHash)
	if err != nil || result != closeloop.Claimed {
		return "", false, err
	}
	// Due again when it closes, without the store's reminder: a reminder
	// due in the past would be sent at once by a running dispatcher.
	held, err := db.MarkSent(ctx, lease, sentAt, s.ClosesAt, set.Branding, set.DefaultLocale)
	return token, held, err
}

// seedOrder is one seeded order, its survey's times and its answer.
type seedOrder struct {
	OrderID     string
	Customer    closeloop.Customer
	Items       []closeloop.Item
	PurchasedAt time.Time
	SendAt      time.Time
	SentAt      time.Time
	Answer      *closeloop.Answer // nil: left unanswered
	AnsweredAt  time.Time
}

// survey is the order's survey, made as ingest makes one from the store's
// settings, but due at the order's send time.
func (o seedOrder) survey(store closeloop.Store) closeloop.Survey {
	set := store.Settings
	return closeloop.Survey{
		SurveyID: secret.NewID("s"), StoreID: store.StoreID, OrderID: o.OrderID,
		Customer: o.Customer, Items: o.Items, PurchasedAt: o.PurchasedAt,
		Status: closeloop.StatusScheduled, SendAt: o.SendAt, ClosesAt: o.SendAt.Add(set.SurveyExpiry()),
		Offer: closeloop.PointsOffer{
			PerAnswer: set.PointsPerAnswer, CommentBonus: set.PointsCommentBonus, MinCommentLength: set.MinCommentLength,
		},
		// The store's system posts the order a moment after the purchase.
		CreatedAt: o.PurchasedAt.Add(2 * time.Minute),
		Brand:     set.Branding, DefaultLocale: set.DefaultLocale, Policy: set.Policy(),
	}
}

// The demo's coffee shop: its products, as infra/devserver names them, and
// its customers.
var (
	seedCatalogue = []closeloop.Item{
		{SKU: "BEANS-1KG", Name: "House blend 1 kg"},
		{SKU: "BEANS-250", Name: "Single origin 250 g"},
		{SKU: "GRINDER", Name: "Hand grinder"},
		{SKU: "KETTLE", Name: "Gooseneck kettle"},
		{SKU: "FILTERS", Name: "Paper filters, 100"},
	}
	seedNames = map[string][]string{
		"en": {"Emma Clarke", "Oliver Hughes", "Sophie Turner", "James Wright", "Chloe Baker", "Harry Evans", "Lucy Walker", "Noah Green", "Mia Hall", "Jack Wood"},
		"ru": {"Иван Петров", "Мария Смирнова", "Ольга Кузнецова", "Дмитрий Соколов", "Анна Попова", "Сергей Волков", "Екатерина Морозова", "Алексей Лебедев"},
	}
	// seedComments are by language and mood: happy (4–5), so-so (3) and
	// unhappy (1–2, short, as such comments are).
	seedComments = map[string]map[string][]string{
		"en": {
			"happy":   {"Lovely fresh beans, the whole flat smells of coffee.", "Arrived the next day and very well packed.", "The grinder is easy to adjust and very consistent.", "Great kettle, it pours exactly where I want."},
			"so-so":   {"Good coffee, but delivery took almost a week.", "Fine, though a little pricey for the size."},
			"unhappy": {"Bag arrived torn.", "Kettle lid leaks.", "Wrong grind, can't use it.", "Still waiting for my refund."},
		},
		"ru": {
			"happy":   {"Отличный свежий кофе, буду заказывать ещё.", "Доставили быстро, всё аккуратно упаковано.", "Кофемолка удобная, помол очень ровный."},
			"so-so":   {"Кофе хороший, но доставка заняла неделю.", "Нормально, но дороговато за такой объём."},
			"unhappy": {"Пакет пришёл порванным.", "Крышка чайника протекает.", "Не тот помол."},
		},
	}
)

// planOrder makes order n of plan, as of now in the store's time zone;
// about one in seven is left unanswered. Each order's data come from its
// own random source (seed, n), so an order is the same whatever the
// number of answers asked.
func planOrder(plan seedPlan, set closeloop.Settings, now time.Time, n int) seedOrder {
	loc := set.Location()
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(plan.Seed, uint64(n)))
	lang, locale := "en", []string{"en-GB", "en-US"}[rng.IntN(2)]
	if rng.IntN(3) == 0 {
		lang, locale = "ru", "ru-RU"
	}
	names := seedNames[lang]
	o := seedOrder{
		OrderID: "seed-" + strconv.Itoa(n),
		Customer: closeloop.Customer{
			Email: "seed-" + strconv.Itoa(n) + "@example.com", Name: names[rng.IntN(len(names))], Locale: locale,
		},
	}
	count := 1
	if r := rng.IntN(100); r >= 85 {
		count = 3
	} else if r >= 50 {
		count = 2
	}
	for _, i := range rng.Perm(len(seedCatalogue))[:count] {
		o.Items = append(o.Items, seedCatalogue[i])
	}
	// Sent between 08:00 and 20:00 on one of the days before today,
	// bought about a day before, claimed within the minute.
	day := time.Date(y, m, d-1-rng.IntN(plan.Days), 8+rng.IntN(12), rng.IntN(60), rng.IntN(60), 0, loc)
	o.SendAt = day.UTC()
	o.PurchasedAt = o.SendAt.Add(-24*time.Hour - time.Duration(rng.IntN(180))*time.Minute)
	o.SentAt = o.SendAt.Add(time.Duration(1+rng.IntN(50)) * time.Second)
	if rng.IntN(7) == 0 {
		return o
	}
	// Answered from minutes to a day and a bit later, but before today
	// and while the survey is open.
	latest := today.UTC()
	if closes := o.SendAt.Add(set.SurveyExpiry()); closes.Before(latest) {
		latest = closes
	}
	latest = latest.Add(-time.Minute)
	window := min(30*time.Hour, latest.Sub(o.SentAt)) - 5*time.Minute
	o.AnsweredAt = o.SentAt.Add(5*time.Minute + time.Duration(rng.Int64N(int64(max(window, time.Minute))))).Truncate(time.Millisecond)
	o.Answer = seedAnswer(rng, lang)
	return o
}

// seedAnswer is a customer's answer: mostly 4–5, some 3, a few 1–2 with a
// short complaint and mostly a request to be contacted; an NPS on most, a
// comment on some.
func seedAnswer(rng *rand.Rand, lang string) *closeloop.Answer {
	var score int
	switch r := rng.IntN(100); {
	case r < 45:
		score = 5
	case r < 75:
		score = 4
	case r < 88:
		score = 3
	case r < 95:
		score = 2
	default:
		score = 1
	}
	a := &closeloop.Answer{Score: strconv.Itoa(score)}
	if rng.IntN(100) < 85 {
		nps := map[int]int{5: 9 + rng.IntN(2), 4: 7 + rng.IntN(3), 3: 5 + rng.IntN(3)}[score]
		if score <= 2 {
			nps = rng.IntN(5)
		}
		a.NPS = strconv.Itoa(nps)
	}
	mood, chance := "happy", 30
	switch {
	case score <= 2:
		mood, chance = "unhappy", 100
		a.ContactMe = rng.IntN(4) != 0
	case score == 3:
		mood, chance = "so-so", 50
		a.ContactMe = rng.IntN(10) == 0
	}
	if rng.IntN(100) < chance {
		comments := seedComments[lang][mood]
		a.Comment = comments[rng.IntN(len(comments))]
	}
	return a
}
