package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/browsertest"
)

// answer posts the survey form of the one survey emailed to email, as the
// customer's browser would.
func answer(t *testing.T, f *apptest.Fixture, email string, score int, comment string) {
	t.Helper()
	path := f.SurveyPath(t, email)
	form := url.Values{"score": {strconv.Itoa(score)}, "nps": {strconv.Itoa(score * 2)}, "comment": {comment}}
	r := f.Do(t, "POST", path, "", "application/x-www-form-urlencoded", form.Encode())
	if r.Status != http.StatusOK {
		t.Fatalf("answer %s: %d %s", email, r.Status, r.Body)
	}
}

// docsScreenshot saves the tab as docs/screenshots/name when
// CLOSELOOP_DOCS_SCREENSHOTS is set (the README shows them), and under
// .local/screenshots always.
func docsScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, "dashboard-flow-"+name)
	if os.Getenv("CLOSELOOP_DOCS_SCREENSHOTS") == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The owner's whole round in a real browser: sign in through the link
// from the SES inbox, read the overview (the same numbers as GET
// /v1/summary), open the unhappy answer's case from the queue, claim it,
// note it and resolve it with the closing email, which reaches the
// customer. Every page passes axe-core on a desktop and on a phone.
func TestDashboardOwnerRound(t *testing.T) {
	f, owner, _ := staffFixture(t)
	happy, unhappy := apptest.Email("happy"), apptest.Email("unhappy")
	for i, email := range []string{happy, unhappy} {
		if r := f.API(t, "POST", "/v1/orders", apptest.Order(fmt.Sprintf("round-%d", i), email)); r.Status != http.StatusAccepted {
			t.Fatalf("post order: %d %s", r.Status, r.Body)
		}
	}
	f.Dispatch(t)
	answer(t, f, happy, 5, "Lovely mug, arrived early.")
	answer(t, f, unhappy, 1, "The mug arrived broken and nobody answered my email.")
	f.Settle(t)

	ctx := newDashboardTab(t)
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(360, 780, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	browsertest.Do(t, ctx, desktop)
	signInDashboard(t, ctx, f, owner)
	if p := browsertest.Eval[string](t, ctx, `location.pathname`); p != "/app/overview" {
		t.Fatalf("signed in to %s, want /app/overview", p)
	}

	// The overview's numbers are GET /v1/summary's for the range it shows.
	from := browsertest.Eval[string](t, ctx, `document.querySelector('#from').value`)
	to := browsertest.Eval[string](t, ctx, `document.querySelector('#to').value`)
	shown := browsertest.Eval[map[string]string](t, ctx,
		`Object.fromEntries([...document.querySelectorAll('[data-metric]')].map(e => [e.dataset.metric, e.textContent.trim()]))`)
	r := f.API(t, "GET", "/v1/summary?from="+from+"&to="+to, "")
	if r.Status != http.StatusOK {
		t.Fatalf("summary: %d %s", r.Status, r.Body)
	}
	var sum struct {
		Sent, Answered int
		ResponseRate   float64 `json:"response_rate"`
		CSAT           struct{ Score float64 }
		NPS            struct{ Score float64 }
	}
	if err := json.Unmarshal([]byte(r.Body), &sum); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"sent":          strconv.Itoa(sum.Sent),
		"answered":      strconv.Itoa(sum.Answered),
		"response_rate": strconv.FormatFloat(sum.ResponseRate*100, 'f', -1, 64) + "%",
		"csat.score":    strconv.FormatFloat(sum.CSAT.Score, 'f', -1, 64),
		"nps.score":     strconv.FormatFloat(sum.NPS.Score, 'f', -1, 64),
	}
	if sum.Sent != 2 || sum.Answered != 2 {
		t.Fatalf("summary %s: want 2 sent and 2 answered", r.Body)
	}
	for metric, w := range want {
		if shown[metric] != w {
			t.Errorf("overview shows %s = %q, GET /v1/summary says %q", metric, shown[metric], w)
		}
	}
	browsertest.CheckAccessibility(t, ctx)
	docsScreenshot(t, ctx, "overview-desktop.png")
	browsertest.Do(t, ctx, phone)
	browsertest.NoHorizontalScroll(t, ctx)
	docsScreenshot(t, ctx, "overview-phone.png")

	// The queue lists the unhappy answer; its case opens from there.
	browsertest.Do(t, ctx, desktop)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Navigate(f.Server.URL+"/app/followups"))
	if text := browsertest.BodyText(t, ctx); !strings.Contains(text, "nobody answered my email") {
		t.Fatalf("the queue lacks the unhappy answer:\n%s", text)
	}
	browsertest.CheckAccessibility(t, ctx)
	docsScreenshot(t, ctx, "queue-desktop.png")
	browsertest.Do(t, ctx, phone)
	browsertest.NoHorizontalScroll(t, ctx)
	docsScreenshot(t, ctx, "queue-phone.png")
	browsertest.Do(t, ctx, desktop)
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`main h2 a[href^="/app/followups/"]`)))
	casePath := browsertest.Eval[string](t, ctx, `location.pathname`)

	// Claim, note, resolve with the closing email: each as the owner.
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/claim"] button`)))
	browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#note-text`), "Called the customer; a new mug is on its way."))
	browsertest.Load(t, ctx, http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/note"] button`)))
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS(`input[name=outcome]`)),
		chromedp.SetValue(chromedp.CSS(`#reason`), browsertest.Eval[string](t, ctx, `document.querySelector('#reason option[value]:not([value=""])').value`)),
		chromedp.SendKeys(chromedp.CSS(`#resolution`), "Sent a new mug."),
		chromedp.Click(chromedp.CSS(`#notify`)),
		chromedp.SendKeys(chromedp.CSS(`#customer_message`), "A new mug left our warehouse today. Sorry again!"),
	)
	browsertest.CheckAccessibility(t, ctx)
	docsScreenshot(t, ctx, "case-desktop.png")
	browsertest.Do(t, ctx, phone)
	browsertest.NoHorizontalScroll(t, ctx)
	docsScreenshot(t, ctx, "case-phone.png")
	browsertest.Do(t, ctx, desktop)
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button`)))
	if err != nil || res == nil || res.Status != http.StatusOK {
		t.Fatalf("resolve: %v %v; the page says:\n%s", res, err, browsertest.BodyText(t, ctx))
	}

	r = f.API(t, "GET", "/v1/followups/"+strings.TrimPrefix(casePath, "/app/followups/"), "")
	var c struct {
		Status, Assignee string
		Notes            []struct{ Author, Text string }
	}
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
		t.Fatalf("case %d %s: %v", r.Status, r.Body, err)
	}
	if c.Status != "resolved" || c.Assignee != owner || len(c.Notes) != 1 || c.Notes[0].Author != owner {
		t.Errorf("after the round the case is %s", r.Body)
	}
	f.Settle(t)
	closing := f.Inbox.WaitTo(t, unhappy, 3, 10*time.Second) // survey, acknowledgement, closing
	if last := closing[len(closing)-1]; !strings.Contains(last.Text, "A new mug left our warehouse today.") {
		t.Errorf("the customer's last email is not the closing one:\n%s", last.Text)
	}
}
