package storeapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/closeloop/closeloop/internal/apptest"
)

// BenchmarkPostOrder is a store posting one order: key lookup, store read,
// one transaction (order marker, survey, contact budget).
func BenchmarkPostOrder(b *testing.B) {
	f := apptest.New(b)
	f.Counter.Reset()
	i := 0
	for b.Loop() {
		i++
		if r := f.API(b, "POST", "/v1/orders", apptest.Order("bench-"+strconv.Itoa(i), apptest.Email("bench"))); r.Status != http.StatusAccepted {
			b.Fatalf("status %d %s", r.Status, r.Body)
		}
	}
	b.ReportMetric(float64(f.Counter.Total())/float64(b.N), "ddb-requests/op")
}
