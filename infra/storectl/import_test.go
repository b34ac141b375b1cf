package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/apptest"
)

// apiServer serves the product's handler and counts the order posts; when
// set, fault answers a post instead of the product (true: answered), and
// after runs once a post's answer is written.
type apiServer struct {
	*httptest.Server
	posts atomic.Int32
	fault func(n int32, w http.ResponseWriter, r *http.Request) bool
	after func(n int32)
}

func newAPIServer(t *testing.T, f *apptest.Fixture) *apiServer {
	s := &apiServer{}
	product := f.Product.Handler()
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int32(0)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/orders" {
			n = s.posts.Add(1)
		}
		if n == 0 || s.fault == nil || !s.fault(n, w, r) {
			product.ServeHTTP(w, r)
		}
		if n > 0 && s.after != nil {
			s.after(n)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// importEnv is the environment the import runs in: the key and the API.
func importEnv(f *apptest.Fixture, api string) func(string) string {
	return func(name string) string {
		return map[string]string{"CLOSELOOP_API_KEY": f.APIKey, "CLOSELOOP_API_URL": api}[name]
	}
}

// surveyOrders returns the order IDs of every survey in the fixture's
// table, sorted, read straight from the table.
func surveyOrders(t *testing.T, f *apptest.Fixture) []string {
	t.Helper()
	var ids []string
	p := dynamodb.NewScanPaginator(f.Client, &dynamodb.ScanInput{
		TableName: aws.String(f.Table), FilterExpression: aws.String("sk = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "#SURVEY"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			ids = append(ids, item["order_id"].(*types.AttributeValueMemberS).Value)
		}
	}
	slices.Sort(ids)
	return ids
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestImport: an import creates a survey for each valid order, lists the
// invalid rows by line and sends none of them, counts the order older than
// the survey expiry as too old; run again, it finds every order already
// known and creates nothing.
func TestImport(t *testing.T) {
	f := apptest.New(t)
	api := newAPIServer(t, f)
	// The API's clock is three hours behind: an order an hour old passes
	// the checks here and is in the future there, so the API refuses
	// its batch and the import sends the rest again.
	f.Clock.Advance(-3 * time.Hour)
	now := time.Now().UTC()
	day := now.Add(-24 * time.Hour).Format("2006-01-02 15:04:05")
	csv := "\xef\xbb\xbfOrder ID;E-mail;Customer Name;Locale;SKU;Product;Purchase Time\n" +
		"A-1;ada@example.com;Ada;en_GB;MUG;Mug;" + day + "\n" + // line 2
		"A-1;ada@example.com;Ada;en_GB;CUP;\"Cup; blue\";" + day + "\n" +
		"B-2;BOB@Example.com;Bob;;BAG;Bag;" + day + "\n" +
		"C-3;not-an-address;Cy;;BAG;Bag;" + day + "\n" + // line 5: invalid
		"D-4;dee@example.com;Dee;;MUG;Mug;" + now.Add(-30*24*time.Hour).Format(time.RFC3339) + "\n" + // too old
		"E-5;eve@example.com;Eve;;MUG;Mug;last tuesday\n" + // line 7: invalid
		"F-6;fay@example.com;Fay;;MUG;Mug;" + day + "\n" +
		"F-6;fay@example.com;Fay;;;Gift wrap;" + day + "\n" + // line 9: an item without a SKU
		"G-7;gus@example.com;Gus;;MUG;Mug;" + now.Add(-time.Hour).Format(time.RFC3339) + "\n" + // line 10: the API's future
		"H-8;hal@example.com;Hal;;MUG;Mug;" + day + "\n" +
		"A-1;ada@example.com;Ada;;KETTLE;Kettle;" + day + "\n" // not consecutive: A-1 again
	path := writeFile(t, "orders.csv", csv)
	var out bytes.Buffer
	args := []string{"import", "-map", "name=Customer Name", "-progress", "0", path}
	if err := run(context.Background(), args, importEnv(f, api.URL), &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	mustContain(t, out.String(),
		path+": 11 rows, 9 orders\n",
		"  accepted:       3 (surveys created)\n",
		"  already known:  1 ",
		"  too old:        1 (recorded, never surveyed)\n    line 6 (order \"D-4\"): purchased ",
		"  invalid:        4 (not sent)\n",
		"    line 5 (order \"C-3\"): customer.email ",
		"    line 7 (order \"E-5\"): purchased_at must be a time such as 2026-11-20T10:00:00Z, 2026-11-20 10:00:00 or 2026-11-20\n",
		"    line 8 (order \"F-6\"): items[1].sku is required (line 9)\n",
		"    line 10 (order \"G-7\"): purchased_at must not be in the future (refused by the API)\n",
		"11/11 rows (100%)",
	)
	// Not a terminal: plain lines, nothing redrawn.
	if strings.ContainsAny(out.String(), "\r\x1b") {
		t.Fatalf("output to a non-terminal redraws:\n%q", out.String())
	}
	if got, want := surveyOrders(t, f), []string{"A-1", "B-2", "D-4", "H-8"}; !slices.Equal(got, want) {
		t.Fatalf("surveys of orders %q, want %q", got, want)
	}
	var a struct {
		Items []struct{ SKU, Name string }
	}
	if r := f.API(t, "GET", "/v1/orders/A-1", ""); r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &a) != nil ||
		len(a.Items) != 2 || a.Items[1].Name != "Cup; blue" {
		t.Fatalf("order A-1: %d %s", r.Status, r.Body)
	}
	if _, err := os.Stat(path + ".import-state"); !os.IsNotExist(err) {
		t.Fatalf("a finished import left its state: %v", err)
	}

	// Again: everything valid is known, nothing is created; with only two
	// lines listed the report file holds them all.
	out.Reset()
	args = []string{"import", "-map", "name=Customer Name", "-list", "2", path}
	if err := run(context.Background(), args, importEnv(f, api.URL), &out); err != nil {
		t.Fatalf("import again: %v\n%s", err, out.String())
	}
	mustContain(t, out.String(), "  accepted:       0 ", "  already known:  5 ", "  too old:        0 ", "  invalid:        4 ",
		"Every invalid and too-old line is listed in "+path+".import-report.")
	if got := surveyOrders(t, f); len(got) != 4 {
		t.Fatalf("the second import left surveys of %q", got)
	}
	report, err := os.ReadFile(path + ".import-report")
	if err != nil || strings.Count(string(report), "invalid: line ") != 4 {
		t.Fatalf("report %q, %v", report, err)
	}
}

// manyOrders is a CSV of n orders, o-<first>… o-<first+n-1>, an item
// each, bought a day ago.
func manyOrders(first, n int) string {
	var b strings.Builder
	b.WriteString("order_id,email,name,sku,product_name,purchased_at\n")
	at := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "o-%d,customer-%d@example.com,Customer %d,SKU-%d,Product number %d,%s\n", i, i, i, i%50, i%50, at)
	}
	return b.String()
}

// TestImportResume: interrupted while its third batch is under way, the
// import lets the batches sent finish and saves its place; run again it
// says it resumes, imports the rest and nothing twice, and counts both
// runs' orders.
func TestImportResume(t *testing.T) {
	f := apptest.New(t)
	api := newAPIServer(t, f)
	path := writeFile(t, "orders.csv", manyOrders(1, 120))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api.fault = func(n int32, w http.ResponseWriter, r *http.Request) bool {
		if n == 3 {
			cancel() // Ctrl-C
		}
		return false
	}
	var out bytes.Buffer
	args := []string{"import", "-batch", "10", "-parallel", "3", "-progress", "0", path}
	err := run(ctx, args, importEnv(f, api.URL), &out)
	var done, line int
	if _, scan := fmt.Sscanf(out.String()[strings.Index(out.String(), "Interrupted: "):], "Interrupted: %d orders done, up to line %d.", &done, &line); scan != nil ||
		done < 30 || done >= 120 || done%10 != 0 || line != done+1 {
		t.Fatalf("interrupted after %d orders, line %d (%v):\n%s", done, line, scan, out.String())
	}
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("run the same command again to resume after line %d", line)) {
		t.Fatalf("interrupted import: %v", err)
	}
	t.Logf("interrupted after %d orders", done)
	mustContain(t, out.String(), fmt.Sprintf("  accepted:       %d ", done))
	if got := surveyOrders(t, f); len(got) != done || int(api.posts.Load()) != done/10 {
		t.Fatalf("after the interruption at %d orders: %d posts, %d surveys", done, api.posts.Load(), len(got))
	}

	api.fault = nil
	out.Reset()
	if err := run(context.Background(), args, importEnv(f, api.URL), &out); err != nil {
		t.Fatalf("resumed import: %v\n%s", err, out.String())
	}
	mustContain(t, out.String(), fmt.Sprintf("Resuming the import of %s after line %d (%d orders done; -restart starts over).", path, line, done),
		": 120 rows, 120 orders\n", "  accepted:       120 ", "  already known:  0 ")
	if got := surveyOrders(t, f); len(got) != 120 || api.posts.Load() != 12 {
		t.Fatalf("after resuming: %d posts, %d surveys", api.posts.Load(), len(got))
	}

	// A state file for another file is not used: the file changed.
	if err := os.WriteFile(path+".import-state", []byte(`{"size":1,"at":{"offset":10,"line":2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), args, importEnv(f, api.URL), &out); err == nil || !strings.Contains(err.Error(), "-restart") {
		t.Fatalf("a stale state: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), append(args, "-restart"), importEnv(f, api.URL), &out); err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), "  already known:  120 ")
}

// TestImportRetries: an answer of 503 and a lost answer (the batch
// written, the client told 502) are retried as Retry-After says; the
// batch sent again creates nothing twice.
func TestImportRetries(t *testing.T) {
	f := apptest.New(t)
	api := newAPIServer(t, f)
	product := f.Product.Handler()
	api.fault = func(n int32, w http.ResponseWriter, r *http.Request) bool {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":{"code":"unavailable","message":"try later"}}`, http.StatusServiceUnavailable)
			return true
		case 2:
			product.ServeHTTP(httptest.NewRecorder(), r)
			w.Header().Set("Retry-After", "0")
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return true
		}
		return false
	}
	path := writeFile(t, "orders.csv", manyOrders(1, 15))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", "-batch", "10", "-parallel", "1", path}, importEnv(f, api.URL), &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	mustContain(t, out.String(), "the API answered 503; retrying in 0s", "the API answered 502; retrying in 0s",
		"  accepted:       5 ", "  already known:  10 ")
	if got := surveyOrders(t, f); len(got) != 15 || api.posts.Load() != 4 {
		t.Fatalf("%d posts, %d surveys", api.posts.Load(), len(got))
	}

	// A key the API refuses stops the import at once, saying so.
	env := func(name string) string { return map[string]string{"CLOSELOOP_API_KEY": "cl_wrong"}[name] }
	err := run(context.Background(), []string{"import", "-restart", "-api", api.URL, path}, env, &out)
	if err == nil || !strings.Contains(err.Error(), "the API refused the key (401)") {
		t.Fatalf("a wrong key: %v", err)
	}
}

// TestImportDryRun: a dry run reads and checks every row, reports the
// invalid ones, and sends nothing.
func TestImportDryRun(t *testing.T) {
	f := apptest.New(t)
	api := newAPIServer(t, f)
	csv := manyOrders(1, 12) + "o-13,nobody,,X,,2026-01-01\n"
	path := writeFile(t, "orders.csv", csv)
	var out bytes.Buffer
	env := func(name string) string { return map[string]string{"CLOSELOOP_API_URL": api.URL}[name] }
	if err := run(context.Background(), []string{"import", path, "--dry-run"}, env, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	mustContain(t, out.String(), "Dry run of "+path+", nothing sent: 13 rows, 13 orders\n", "  valid, to send:  12\n",
		"  invalid:        1 (not sent)\n    line 14 (order \"o-13\"): customer.email ")
	if n := api.posts.Load(); n != 0 {
		t.Fatalf("a dry run posted %d times", n)
	}
	if got := surveyOrders(t, f); len(got) != 0 {
		t.Fatalf("a dry run made surveys of %q", got)
	}
	if _, err := os.Stat(path + ".import-state"); !os.IsNotExist(err) {
		t.Fatalf("a dry run left a state file: %v", err)
	}
}

func TestImportFlags(t *testing.T) {
	path := writeFile(t, "orders.csv", "id,mail\n1,a@example.com\n")
	env := func(name string) string { return map[string]string{"CLOSELOOP_API_KEY": "cl_x"}[name] }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "usage: storectl import"},
		{[]string{"import", path, path}, "usage: storectl import"},
		{[]string{"import", "-map", "price=Price", path}, `no field "price"`},
		{[]string{"import", "-delimiter", "|", path}, "-delimiter"},
		{[]string{"import", "-tz", "Mars/Olympus", path}, "-tz"},
		{[]string{"import", "-batch", "101", path}, "-batch must be 1 to 100"},
		{[]string{"import", "-parallel", "0", path}, "-parallel must be 1 to 16"},
		{[]string{"import", "-api", "http://feedback.example.com", path}, "want an https:// URL"},
		{[]string{"import", "-api", "feedback.example.com", path}, "want an https:// URL"},
		{[]string{"import", path}, "lacks a column for order_id"},
		{[]string{"import", filepath.Join(t.TempDir(), "missing.csv")}, "no such file"},
	} {
		if err := run(context.Background(), tc.args, env, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
	if err := run(context.Background(), []string{"import", path}, func(string) string { return "" }, &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "CLOSELOOP_API_KEY") {
		t.Errorf("no key: %v", err)
	}
}
