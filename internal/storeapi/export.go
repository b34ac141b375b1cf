package storeapi

import (
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// ExportDocument is a customer's export as GET
// /v1/customers/{email}/export answers it, for a shop platform's data
// request to send the same.
func ExportDocument(d closeloop.CustomerData, now time.Time) any {
	return newExportView(d, now.UTC().Truncate(time.Millisecond))
}
