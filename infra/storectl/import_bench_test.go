package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
)

// writeOrders writes a CSV of n orders with fresh IDs, an item each with a
// long product name (so the file is far larger than the import's memory),
// a row at a time.
func writeOrders(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("order_id,email,name,sku,product_name,purchased_at\n")
	at := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
	prefix := fmt.Sprintf("m%d-", time.Now().UnixNano())
	name := strings.Repeat("Single origin beans, washed, light roast ", 4)
	for i := range n {
		fmt.Fprintf(w, "%s%d,customer-%d@example.com,Customer %d,SKU-%d,\"%s%d\",%s\n", prefix, i, i, i, i%50, name, i%50, at)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakHeap runs fn while sampling the heap in use every few milliseconds
// and returns the most it grew over what was in use before.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base, peak := m.HeapInuse, m.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	return peak - min(base, peak)
}

// TestImportMemory: the heap an import of 100,000 rows needs stays small
// and about what 10,000 rows need: the file is streamed, not held. The
// API here only answers each batch as the store API does (every order
// created): the product's handler in this process would allocate on the
// same heap and hide the import's own use.
func TestImportMemory(t *testing.T) {
	var posts atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Orders []struct {
				OrderID string `json:"order_id"`
			} `json:"orders"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Orders) == 0 || r.Header.Get("Authorization") != "Bearer cl_k" {
			http.Error(w, `{"error":{"code":"invalid","message":"bad batch"}}`, http.StatusBadRequest)
			return
		}
		posts.Add(1)
		var b bytes.Buffer
		b.WriteString(`{"surveys":[`)
		for i, o := range body.Orders {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"order_id":%q,"survey_id":"s_x","status":"scheduled","send_at":"2026-11-20T10:00:00Z","created":true}`, o.OrderID)
		}
		b.WriteString("]}")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		w.Write(b.Bytes())
	}))
	defer api.Close()
	env := func(string) string { return "" }
	importFile := func(rows int) (grew uint64, size int64) {
		path := writeOrders(t, rows)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		grew = peakHeap(func() {
			err = run(context.Background(), []string{"import", "-api", api.URL, "-key", "cl_k", path}, env, &out)
		})
		if err != nil {
			t.Fatalf("import: %v\n%s", err, out.String())
		}
		if want := fmt.Sprintf("  accepted:       %d ", rows); !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
		return grew, info.Size()
	}
	small, _ := importFile(10_000)
	large, size := importFile(100_000)
	t.Logf("peak heap growth: %.1f MB for 10,000 rows, %.1f MB for 100,000 rows (a file of %.1f MB); %d batches posted",
		float64(small)/(1<<20), float64(large)/(1<<20), float64(size)/(1<<20), posts.Load())
	if large > 12<<20 || large > 2*small+4<<20 {
		t.Fatalf("the heap grew %d bytes for 100,000 rows (a %d-byte file), %d for 10,000", large, size, small)
	}
}

// BenchmarkImport imports 10,000 rows, an order each, through the store
// API's handler on DynamoDB Local, four batches at once and one at a time,
// and reports the rows imported per second:
//
//	CLOSELOOP_TEST_PORTS="…" PKGS=./infra/storectl/ bash infra/test.sh -run '^$' -bench BenchmarkImport -benchtime 1x
func BenchmarkImport(b *testing.B) {
	f := apptest.New(b)
	env := func(string) string { return "" }
	for _, parallel := range []string{"4", "1"} {
		b.Run("parallel="+parallel, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				path := writeOrders(b, 10_000)
				b.StartTimer()
				start := time.Now()
				var out bytes.Buffer
				args := []string{"import", "-api", f.Server.URL, "-key", f.APIKey, "-parallel", parallel, path}
				if err := run(context.Background(), args, env, &out); err != nil {
					b.Fatalf("import: %v\n%s", err, out.String())
				}
				if !strings.Contains(out.String(), "  accepted:       10000 ") {
					b.Fatalf("not all accepted:\n%s", out.String())
				}
				b.ReportMetric(10_000/time.Since(start).Seconds(), "rows/s")
			}
		})
	}
}
