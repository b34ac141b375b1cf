package digest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/testenv"
)

const form = "application/x-www-form-urlencoded"

// order is one order to seed: its items and the survey's answer ("" leaves
// the survey unanswered).
type order struct {
	id     string
	answer string
	items  []closeloop.Item
}

// seed posts each order at the fixture's clock and sends its survey, then
// answers the surveys through their pages one minute apart, in order, as
// customers would; it returns the customers' addresses by order ID.
func seed(t *testing.T, f *apptest.Fixture, orders ...order) map[string]string {
	t.Helper()
	emails := map[string]string{}
	for _, o := range orders {
		email := apptest.Email(o.id)
		emails[o.id] = email
		body, _ := json.Marshal(map[string]any{
			"order_id": o.id, "customer": map[string]string{"email": email},
			"items": o.items, "purchased_at": f.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
		})
		if r := f.API(t, "POST", "/v1/orders", string(body)); r.Status != http.StatusAccepted {
			t.Fatalf("order %s: %d %s", o.id, r.Status, r.Body)
		}
	}
	f.Dispatch(t)
	for _, o := range orders {
		if o.answer == "" {
			continue
		}
		f.Clock.Advance(time.Minute)
		if r := f.Do(t, "POST", f.SurveyPath(t, emails[o.id]), "", form, o.answer); r.Status != http.StatusOK {
			t.Fatalf("answer %s: %d %s", o.id, r.Status, r.Body)
		}
	}
	f.Settle(t)
	return emails
}

// setClock moves the fixture's clock to at.
func setClock(f *apptest.Fixture, at time.Time) { f.Clock.Advance(at.Sub(f.Clock.Now())) }

// thisWeek is the given weekday of the fixture's current week (Monday to
// Sunday) in loc, at hour:minute.
func thisWeek(f *apptest.Fixture, loc *time.Location, day time.Weekday, hour, minute int) time.Time {
	local := f.Clock.Now().In(loc)
	sinceMonday := (int(local.Weekday()) + 6) % 7
	return time.Date(local.Year(), local.Month(), local.Day()-sinceMonday+(int(day)+6)%7, hour, minute, 0, 0, loc)
}

func load(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func run(t *testing.T, f *apptest.Fixture) digest.Report {
	t.Helper()
	rep, err := f.Product.Digest.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func item(sku, name string) []closeloop.Item { return []closeloop.Item{{SKU: sku, Name: name}} }

// section is the part of a digest's text from the line heading to the next
// blank line.
func section(text, heading string) string {
	_, after, ok := strings.Cut(text, "\n"+heading+"\n")
	if !ok {
		return ""
	}
	end := strings.Index(after, "\n\n")
	if end < 0 {
		return after
	}
	return after[:end]
}

func TestDigestReportsTheWeekAgainstTheWeekBefore(t *testing.T) {
	owner, partner := apptest.Email("owner"), apptest.Email("partner")
	berlin := load(t, "Europe/Berlin")
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone = "Europe/Berlin"
		s.OwnerEmails = []string{owner, strings.ToUpper(partner), partner} // the same address twice gets one
		s.Branding.Name = "Demo Coffee Roasters"
	})
	monday := thisWeek(f, berlin, time.Monday, 9, 30)

	// The week before: Wednesday, four surveys, three answers (CSAT 66.7,
	// NPS 66.7), one a complaint whose case is overdue by now.
	setClock(f, monday.AddDate(0, 0, -12).Add(3*time.Hour))
	seed(t, f,
		order{"b-mug-1", "score=5&nps=10", item("MUG", "Mug")},
		order{"b-mug-2", "score=4&nps=9", item("MUG", "Mug")},
		order{"b-grinder", "score=1&nps=7&comment=" + url.QueryEscape("Wrong grind size."), item("GRINDER", "Grinder")},
		order{"b-silent", "", item("MUG", "Mug")},
	)
	// Last week: Wednesday, six surveys, five answers (CSAT 40, NPS -25).
	setClock(f, monday.AddDate(0, 0, -5).Add(3*time.Hour))
	seed(t, f,
		order{"l-mug", "score=5&nps=10", item("MUG", "Mug")},
		order{"l-beans", "score=4&nps=8", []closeloop.Item{{SKU: "BEANS", Name: "Beans"}, {SKU: "MUG", Name: "Mug"}}},
		order{"l-tea", "score=2&nps=3&comment=" + url.QueryEscape("The lid arrived cracked."), item("TEA", "Teapot")},
		order{"l-kettle", "score=1&nps=0&comment=" + url.QueryEscape("It never arrived."), item("KETTLE", "Kettle")},
		order{"l-spoon", "score=3&comment=" + url.QueryEscape("It was fine, nothing special."), item("SPOON", "Spoon")},
		order{"l-silent", "", item("CUP", "Cup")},
	)

	setClock(f, monday)
	f.Counter.Reset()
	if got, want := run(t, f), (digest.Report{Stores: 1, Due: 1, Sent: 2}); got != want {
		t.Fatalf("report %+v, want %+v", got, want)
	}
	checkPolicy(t, f.Counter.Counts())

	for _, addr := range []string{owner, partner} {
		got := f.Inbox.To(t, addr)
		if len(got) != 1 {
			t.Fatalf("%d digests to %s, want 1", len(got), addr)
		}
	}
	m := f.Inbox.To(t, owner)[0]
	if want := "Your week at Demo Coffee Roasters: CSAT 40 (▼ 27), 5 answers"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, want := range []string{
		"Surveys sent: 6 (▲ 2)",
		"Answered: 5 (▲ 2)",
		"Response rate: 83.3% (▲ 8.3 points)",
		"CSAT: 40 (▼ 26.7 points)",
		"NPS: -25 (▼ 91.7 points)",
		"Open the dashboard: https://feedback.test/app",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, m.Text)
		}
	}
	// The three worst products rated last week, worst first (CSAT 0 each,
	// one answer each, then by SKU); the good ones and the one only sent
	// are left out, as is last week's product.
	if got, want := section(m.Text, "Products that need attention"),
		"- Kettle (KETTLE): CSAT 0, 1 answer\n- Spoon (SPOON): CSAT 0, 1 answer\n- Teapot (TEA): CSAT 0, 1 answer"; got != want {
		t.Errorf("products:\n%s\nwant:\n%s", got, want)
	}
	// The unhappy comments of last week, newest first; not the neutral
	// one, not the week before's.
	comments := m.Text[strings.Index(m.Text, "Newest unhappy comments"):strings.Index(m.Text, "Follow-ups overdue now")]
	kettle, tea := strings.Index(comments, "> It never arrived."), strings.Index(comments, "> The lid arrived cracked.")
	if kettle < 0 || tea < 0 || kettle > tea || !strings.Contains(comments, "Order l-kettle · 1/5 — Very dissatisfied") {
		t.Errorf("unhappy comments, want the kettle's then the teapot's:\n%s", comments)
	}
	for _, not := range []string{"nothing special", "Wrong grind"} {
		if strings.Contains(comments, not) {
			t.Errorf("unhappy comments hold %q:\n%s", not, comments)
		}
	}
	// Every case is past its 24-hour SLA now, oldest first.
	overdue := section(m.Text, "Follow-ups overdue now")
	lines := strings.Split(overdue, "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "- Order b-grinder, 1/5") ||
		!strings.Contains(overdue, "Order l-tea, 2/5") || !strings.Contains(overdue, "Order l-kettle, 1/5") {
		t.Errorf("overdue follow-ups:\n%s", overdue)
	}

	// The unsubscribe link, in both parts and in the headers, is the
	// owner's own and holds no address.
	link := strings.Trim(m.Headers["List-Unsubscribe"], "<>")
	if !strings.HasPrefix(link, "https://feedback.test/d/") || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) ||
		strings.Contains(link, "@") || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, -Post %q", m.Headers["List-Unsubscribe"], m.Headers["List-Unsubscribe-Post"])
	}
	if other := f.Inbox.To(t, partner)[0].Headers["List-Unsubscribe"]; other == m.Headers["List-Unsubscribe"] {
		t.Error("two owners share an unsubscribe link")
	}

	// Every hour of the day runs again: nothing more is sent.
	if got, want := run(t, f), (digest.Report{Stores: 1, Due: 1, Skipped: 2}); got != want {
		t.Errorf("the same hour again: report %+v, want %+v", got, want)
	}
	for range 3 {
		f.Clock.Advance(4 * time.Hour)
		run(t, f)
	}
	f.Clock.Advance(12 * time.Hour)
	if day := f.Clock.Now().In(berlin).Weekday(); day != time.Tuesday {
		t.Fatalf("the clock is on %s, want Tuesday", day)
	}
	if got, want := run(t, f), (digest.Report{Stores: 1}); got != want {
		t.Errorf("on Tuesday: report %+v, want %+v", got, want)
	}
	for _, addr := range []string{owner, partner} {
		if got := f.Inbox.To(t, addr); len(got) != 1 {
			t.Errorf("%d digests to %s after a day of hourly runs, want 1", len(got), addr)
		}
	}
}

// checkPolicy fails the test when a run made a DynamoDB call that
// template.yaml does not allow DigestFunction: DynamoDB Local allows
// everything, AWS would deny it.
func checkPolicy(t *testing.T, counts map[string]int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]yaml.Node `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	var fn struct {
		Properties struct {
			Policies []struct {
				Statement []struct {
					Action any `yaml:"Action"`
				} `yaml:"Statement"`
			} `yaml:"Policies"`
		} `yaml:"Properties"`
	}
	node, ok := tpl.Resources["DigestFunction"]
	if !ok {
		t.Fatal("template.yaml has no DigestFunction")
	}
	if err := node.Decode(&fn); err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, p := range fn.Properties.Policies {
		for _, s := range p.Statement {
			switch a := s.Action.(type) {
			case string:
				allowed = append(allowed, a)
			case []any:
				for _, v := range a {
					allowed = append(allowed, v.(string))
				}
			}
		}
	}
	// A transaction needs the actions of what it holds: the sending path's
	// ConditionCheck on the recipient and Put of the delivery.
	needs := map[string][]string{"TransactWriteItems": {"ConditionCheckItem", "PutItem"}}
	if len(counts) == 0 {
		t.Fatal("the run made no DynamoDB calls: the counter sees nothing")
	}
	for op := range counts {
		actions, ok := needs[op]
		if !ok {
			actions = []string{op}
		}
		for _, a := range actions {
			if !slices.Contains(allowed, "dynamodb:"+a) {
				t.Errorf("the run calls %s, but DigestFunction may not dynamodb:%s (it may %q)", op, a, allowed)
			}
		}
	}
}

func TestDigestGoesOutOnItsWeekdayFromEight(t *testing.T) {
	mondays, tuesdays := apptest.Email("mondays"), apptest.Email("tuesdays")
	ny := load(t, "America/New_York")
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.TimeZone, s.OwnerEmails = "America/New_York", []string{mondays}
	})
	f.NewStore(t, func(s *closeloop.Settings) { s.DigestWeekday, s.OwnerEmails = "tuesday", []string{tuesdays} })
	digests := func() [2]int { return [2]int{len(f.Inbox.To(t, mondays)), len(f.Inbox.To(t, tuesdays))} }

	for _, step := range []struct {
		at   time.Time
		rep  digest.Report
		want [2]int
	}{
		{thisWeek(f, ny, time.Monday, 7, 59), digest.Report{Stores: 2}, [2]int{0, 0}},
		{thisWeek(f, ny, time.Monday, 8, 0), digest.Report{Stores: 2, Due: 1, Sent: 1}, [2]int{1, 0}},
		{thisWeek(f, ny, time.Tuesday, 7, 30), digest.Report{Stores: 2}, [2]int{1, 0}},
		{thisWeek(f, ny, time.Tuesday, 8, 5), digest.Report{Stores: 2, Due: 1, Sent: 1}, [2]int{1, 1}},
		{thisWeek(f, ny, time.Sunday, 12, 0), digest.Report{Stores: 2}, [2]int{1, 1}},
		// The next week is another digest.
		{thisWeek(f, ny, time.Monday, 8, 0).AddDate(0, 0, 7), digest.Report{Stores: 2, Due: 1, Sent: 1}, [2]int{2, 1}},
	} {
		setClock(f, step.at)
		if got := run(t, f); got != step.rep {
			t.Errorf("at %s: report %+v, want %+v", step.at.Format("Mon 15:04"), got, step.rep)
		}
		if got := digests(); got != step.want {
			t.Errorf("at %s: digests to the Monday and Tuesday owners %v, want %v", step.at.Format("Mon 15:04"), got, step.want)
		}
	}
}

func TestDigestGoesFromAGrantedSenderOnly(t *testing.T) {
	granted, revoked := apptest.Email("granted"), apptest.Email("revoked")
	f := apptest.New(t, func(s *closeloop.Settings) { s.SenderEmail, s.OwnerEmails = "news@a.test", []string{granted} })
	f.NewStore(t, func(s *closeloop.Settings) { s.SenderEmail, s.OwnerEmails = "news@b.test", []string{revoked} })
	var revokedStore string
	if err := f.Product.DB.EachStore(context.Background(), func(s closeloop.Store) error {
		if s.Settings.SenderEmail == "news@b.test" {
			revokedStore = s.StoreID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Product.DB.RevokeSender(context.Background(), revokedStore, "news@b.test"); err != nil {
		t.Fatal(err)
	}
	setClock(f, thisWeek(f, time.UTC, time.Monday, 9, 0))
	if rep := run(t, f); rep.Sent != 2 {
		t.Fatalf("report %+v, want 2 digests", rep)
	}
	for addr, from := range map[string]string{granted: "<news@a.test>", revoked: "<feedback@shop.test>"} {
		if got := f.Inbox.To(t, addr); len(got) != 1 || !strings.Contains(got[0].From, from) {
			t.Errorf("the digest to %s: %d, from %v; want one from %s", addr, len(got), got, from)
		}
	}
}

func TestUnsubscribedOwnerGetsNoMoreDigests(t *testing.T) {
	owner, partner := apptest.Email("owner"), apptest.Email("partner")
	f := apptest.New(t, func(s *closeloop.Settings) { s.OwnerEmails = []string{owner, partner} })
	setClock(f, thisWeek(f, time.UTC, time.Monday, 9, 0))
	run(t, f)
	m := f.Inbox.To(t, owner)
	if len(m) != 1 {
		t.Fatalf("%d digests to the owner, want 1", len(m))
	}
	link := strings.TrimPrefix(strings.Trim(m[0].Headers["List-Unsubscribe"], "<>"), "https://feedback.test")
	if !strings.HasPrefix(link, "/d/") {
		t.Fatalf("List-Unsubscribe %q", m[0].Headers["List-Unsubscribe"])
	}

	// The confirmation page names the address, masked, and writes nothing.
	f.Counter.Reset()
	page := f.Do(t, "GET", link, "", "", "")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, closeloop.MaskEmail(owner)) || strings.Contains(page.Body, owner) || !strings.Contains(page.Body, "<button") ||
		!strings.Contains(page.Body, `action="`+link+`"`) || !strings.Contains(page.Body, "Unsubscribe from the weekly digest") {
		t.Fatalf("digest unsubscribe page: %d\n%s", page.Status, page.Body)
	}
	for op := range f.Counter.Counts() {
		if op != "GetItem" {
			t.Errorf("the confirmation page made a %s request", op)
		}
	}

	// A tampered link gets the neutral closed page and changes nothing.
	closed := f.Do(t, "GET", "/s/nothing-here", "", "", "")
	// One character of the signature changed: still a well-formed token.
	i := len(link) - 5
	tampered := link[:i] + map[bool]string{true: "B", false: "A"}[link[i] == 'A'] + link[i+1:]
	for _, method := range []string{"GET", "POST"} {
		r := f.Do(t, method, tampered, "", form, "List-Unsubscribe=One-Click")
		if r.Status != http.StatusNotFound || r.Body != closed.Body {
			t.Errorf("%s of a tampered link: %d, want the neutral 404 page:\n%s", method, r.Status, r.Body)
		}
	}
	if store := storeOf(t, f); len(store.DigestOptOut) != 0 {
		t.Fatalf("opt-outs %q after a tampered link, want none", store.DigestOptOut)
	}

	// A mail client's one-click POST unsubscribes; the page says so.
	r := f.Do(t, "POST", link, "", form, "List-Unsubscribe=One-Click")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "You are unsubscribed from the digest") {
		t.Fatalf("one-click unsubscribe: %d\n%s", r.Status, r.Body)
	}
	if r := f.Do(t, "GET", link, "", "", ""); !strings.Contains(r.Body, "You are unsubscribed from the digest") || strings.Contains(r.Body, "<button") {
		t.Errorf("the link after unsubscribing: %d\n%s", r.Status, r.Body)
	}
	if r := f.Do(t, "POST", link, "", form, ""); r.Status != http.StatusOK {
		t.Errorf("the button again: %d", r.Status)
	}
	// Saving the settings keeps the opt-out.
	if r := f.API(t, "PUT", "/v1/settings", `{"digest_weekday":"monday"}`); r.Status != http.StatusOK {
		t.Fatalf("put settings: %d %s", r.Status, r.Body)
	}
	if store := storeOf(t, f); len(store.DigestOptOut) != 1 || store.DigestOptOut[0] != digest.AddressHash(owner) {
		t.Fatalf("opt-outs %q, want the owner's hash alone", store.DigestOptOut)
	}

	f.Clock.Advance(7 * 24 * time.Hour)
	if got, want := run(t, f), (digest.Report{Stores: 1, Due: 1, Sent: 1, Skipped: 1}); got != want {
		t.Errorf("the next week: report %+v, want %+v", got, want)
	}
	if got := len(f.Inbox.To(t, owner)); got != 1 {
		t.Errorf("%d digests to the unsubscribed owner, want still 1", got)
	}
	if got := len(f.Inbox.To(t, partner)); got != 2 {
		t.Errorf("%d digests to the other owner, want 2", got)
	}
}

func TestDigestWeekdaySetting(t *testing.T) {
	f := apptest.New(t)
	r := f.API(t, "PUT", "/v1/settings", `{"digest_weekday":"someday"}`)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"digest_weekday"`) {
		t.Errorf("a bad weekday: %d %s, want 400 naming digest_weekday", r.Status, r.Body)
	}
	if r := f.API(t, "PUT", "/v1/settings", `{"digest_weekday":"friday"}`); r.Status != http.StatusOK || !strings.Contains(r.Body, `"digest_weekday":"friday"`) {
		t.Errorf("friday: %d %s", r.Status, r.Body)
	}
	if r := f.API(t, "GET", "/v1/settings", ""); !strings.Contains(r.Body, `"digest_weekday":"friday"`) {
		t.Errorf("settings after the change: %s", r.Body)
	}
}

func TestRussianStoreGetsTheRussianDigest(t *testing.T) {
	owner := apptest.Email("vladelets")
	moscow := load(t, "Europe/Moscow")
	f := apptest.New(t, func(s *closeloop.Settings) {
		s.DefaultLocale, s.TimeZone, s.OwnerEmails = "ru-RU", "Europe/Moscow", []string{owner}
		s.Branding.Name = "Кофейня"
	})
	monday := thisWeek(f, moscow, time.Monday, 10, 0)
	setClock(f, monday.AddDate(0, 0, -3))
	seed(t, f, order{"r-1", "score=1&comment=" + url.QueryEscape("Зёрна пришли молотыми."), item("BEANS", "Зёрна")})
	setClock(f, monday)
	run(t, f)
	m := f.Inbox.To(t, owner)
	if len(m) != 1 {
		t.Fatalf("%d digests, want 1", len(m))
	}
	if want := "Ваша неделя в Кофейня: CSAT 0, 1 ответ"; m[0].Subject != want {
		t.Errorf("subject %q, want %q", m[0].Subject, want)
	}
	for _, want := range []string{
		"Отправлено опросов: 1 (▲ 1)", "CSAT: 0 (нет данных за неделю до)", "Зёрна (BEANS): CSAT 0, 1 ответ",
		"> Зёрна пришли молотыми.", "Отписаться от еженедельного отчёта: https://feedback.test/d/",
	} {
		if !strings.Contains(m[0].Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, m[0].Text)
		}
	}
	if !strings.Contains(m[0].HTML, `<html lang="ru">`) {
		t.Error("the HTML part is not marked lang=ru")
	}
	link := strings.TrimPrefix(strings.Trim(m[0].Headers["List-Unsubscribe"], "<>"), "https://feedback.test")
	if r := f.Do(t, "GET", link, "", "", ""); r.Status != http.StatusOK || !strings.Contains(r.Body, "Отписка от еженедельного отчёта") {
		t.Errorf("the unsubscribe page in Russian: %d\n%s", r.Status, r.Body)
	}
}

func storeOf(t *testing.T, f *apptest.Fixture) closeloop.Store {
	t.Helper()
	store, err := f.Product.DB.Store(context.Background(), f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	return store
}
