package responses

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Source reads every response of a store matching a filter, newest first.
// The DynamoDB adapter implements it.
type Source interface {
	EachResponse(ctx context.Context, storeID string, f closeloop.ResponseFilter, each func(closeloop.ResponseItem) error) error
}

// Header names the export's columns.
var Header = []string{
	"answered_at", "survey_id", "order_id", "email", "name", "locale", "score", "nps",
	"comment", "contact_me", "points", "case_id", "skus", "products",
}

// flushRows is how many rows are sent on at a time: one page of the
// adapter's reads, so that neither end holds the export.
const flushRows = 200

// Export streams every response of store storeID matching req as CSV. The
// status and headers wait for the first row, so a failure before it is
// returned for the caller to answer as it answers errors; one after it is
// logged and ends the body.
func Export(w http.ResponseWriter, r *http.Request, src Source, storeID string, req Request) error {
	out := csv.NewWriter(w)
	out.UseCRLF = true // RFC 4180
	started, rows := false, 0
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="responses-`+req.From+`-`+req.To+`.csv"`)
		w.WriteHeader(http.StatusOK)
		started = true
		// The BOM makes Excel read the file as UTF-8, not the system's
		// code page (comments in Cyrillic, names with accents).
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		return out.Write(Header)
	}
	err := src.EachResponse(r.Context(), storeID, req.Filter, func(it closeloop.ResponseItem) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := out.Write(Row(it)); err != nil {
			return err
		}
		if rows++; rows%flushRows == 0 {
			return flush(w, out)
		}
		return nil
	})
	if err == nil && !started {
		err = start() // no match: the header row alone
	}
	if err == nil {
		err = flush(w, out)
	}
	if err != nil && !started {
		return err
	}
	if err != nil {
		// The status and part of the file are sent: the error can no longer
		// be answered, so it is logged and the body ends here. The client
		// sees a file cut short, without its last rows. (Aborting the
		// connection would tell it more, but panicking with
		// http.ErrAbortHandler ends a Lambda execution environment.)
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelInfo // the client went away
		}
		slog.Log(r.Context(), level, "responses export cut short", "route", r.Pattern, "rows", rows, "err", err)
	}
	return nil
}

// flush sends what out holds to the client.
func flush(w http.ResponseWriter, out *csv.Writer) error {
	out.Flush()
	if err := out.Error(); err != nil {
		return err
	}
	// A writer that cannot flush (a wrapping middleware, the Lambda
	// adapter) still sends its buffer as it fills.
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// Row is one response as a row of the export. Text columns (survey_id,
// order_id, email, name, locale, comment, case_id, skus, products) come
// from customers and shops and are neutralised against formulas; the
// numbers, booleans and times are ours and written as they are, so a
// spreadsheet still reads them as values.
func Row(it closeloop.ResponseItem) []string {
	nps := ""
	if it.NPS != nil {
		nps = strconv.Itoa(*it.NPS)
	}
	skus := make([]string, len(it.Items))
	names := make([]string, len(it.Items))
	for i, item := range it.Items {
		skus[i], names[i] = item.SKU, item.Name
	}
	return []string{
		it.AnsweredAt.UTC().Format(time.RFC3339Nano),
		text(it.SurveyID), text(it.OrderID), text(it.Customer.Email), text(it.Customer.Name), text(it.Customer.Locale),
		strconv.Itoa(it.Score), nps,
		text(it.Comment), strconv.FormatBool(it.ContactMe), strconv.Itoa(it.Points), text(it.CaseID),
		text(strings.Join(skus, "; ")), text(strings.Join(names, "; ")),
	}
}

// text neutralises a cell a spreadsheet would run as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading single
// quote, as OWASP advises for CSV injection.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
