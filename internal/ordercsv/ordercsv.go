// Package ordercsv reads a store's orders from a CSV export, one row per
// order item, as storectl import posts them to the store API: the columns
// are found by their header names, the rows of one order (consecutive rows
// with the same order ID) become one order with several items, and every
// order carries the line numbers of its rows and the byte position after
// its last row, so that an interrupted import can resume there.
//
// The file is read as a stream, a row at a time: memory does not grow with
// its length.
package ordercsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// Field is a part of an order a column can hold.
type Field string

// The fields a column can hold, named as the -map flag names them.
const (
	OrderID     Field = "order_id"
	Email       Field = "email"
	Name        Field = "name"
	Locale      Field = "locale"
	SKU         Field = "sku"
	ProductName Field = "product_name"
	PurchasedAt Field = "purchased_at"
)

// Fields lists every field, in the order messages list them.
var Fields = []Field{OrderID, Email, Name, Locale, SKU, ProductName, PurchasedAt}

// required are the fields without which no order is valid: a file lacking
// one of their columns is refused before any row is read.
var required = []Field{OrderID, Email, PurchasedAt}

// defaultHeaders are the header names each field is found under when no
// -map names its column, folded (see fold): the usual spellings of store
// and shop-platform exports.
var defaultHeaders = map[Field][]string{
	OrderID:     {"orderid", "ordernumber", "orderno", "ordernr", "order"},
	Email:       {"email", "customeremail", "emailaddress", "buyeremail"},
	Name:        {"name", "customername", "fullname", "billingname", "customer"},
	Locale:      {"locale", "customerlocale", "language", "lang"},
	SKU:         {"sku", "itemsku", "productsku", "lineitemsku", "variantsku"},
	ProductName: {"productname", "itemname", "lineitemname", "producttitle", "product", "title"},
	PurchasedAt: {"purchasedat", "purchasetime", "purchasedate", "orderdate", "ordertime", "orderedat", "createdat", "date"},
}

// fold reduces a header name to what defaultHeaders lists: lower case,
// without spaces, underscores, dashes and dots ("Order ID", "order_id"
// and "Order-Id" are all "orderid").
func fold(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '.' {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// ParseMapping reads the -map flag: comma-separated field=header pairs
// such as "order_id=Order Number,email=E-mail". A header name holding a
// comma cannot be given this way; a file needing one can be renamed.
func ParseMapping(s string) (map[Field]string, error) {
	m := map[Field]string{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, header, ok := strings.Cut(pair, "=")
		field := Field(strings.ToLower(strings.TrimSpace(name)))
		if !ok || strings.TrimSpace(header) == "" {
			return nil, fmt.Errorf("-map %q: want field=header", pair)
		}
		if !slices.Contains(Fields, field) {
			return nil, fmt.Errorf("-map %q: no field %q (fields: %s)", pair, name, fieldList(Fields))
		}
		m[field] = strings.TrimSpace(header)
	}
	return m, nil
}

func fieldList(fields []Field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Options say how to read a file.
type Options struct {
	// Columns names the header of a field's column, overriding the
	// default names; matched case-insensitively.
	Columns map[Field]string
	// Comma is the delimiter; 0 picks the one of ',', ';' and tab that
	// the header row uses most.
	Comma rune
	// Location is the time zone of purchase times written without an
	// offset; nil is UTC.
	Location *time.Location
}

// Position is a place between two rows: the byte offset in the file and
// the number of the line before it.
type Position struct {
	Offset int64 `json:"offset"`
	Line   int   `json:"line"`
}

// Order is an order read from the file.
type Order struct {
	closeloop.Order
	// Line is the line of its first row; ItemLines the line of the row of
	// each item.
	Line      int
	ItemLines []int
	// Rows counts its rows, the rows beyond those kept included.
	Rows int
	// End is the position after its last row.
	End Position
	// Problems are what reading found wrong (an unreadable time or row),
	// named as the API names its fields; the API's own rules are checked
	// by the caller.
	Problems closeloop.Problems
}

// ProblemLine is the line a problem of the order's field is on: the item's
// row for an item's field, else the order's first row.
func (o *Order) ProblemLine(field string) int {
	var i int
	if _, err := fmt.Sscanf(field, "items[%d]", &i); err == nil && i >= 0 && i < len(o.ItemLines) {
		return o.ItemLines[i]
	}
	return o.Line
}

// Reader reads orders from a CSV file.
type Reader struct {
	csv     *csv.Reader
	columns [7]int // by the index of the field in Fields; -1: no column
	loc     *time.Location
	base    Position // where csv's input starts
	pending *row     // the row read after the last order, starting the next
	err     error    // the error ending the file, after the pending row
	Header  []string // the header row
	Comma   rune     // the delimiter in use
	Start   Position // where reading starts: the data rows, or where it resumes
	Data    Position // where the data rows start, after the header row
}

// row is one data row, mapped to the fields.
type row struct {
	values  [7]string
	line    int
	end     Position
	problem string // the row could not be read
}

const bom = "\xef\xbb\xbf"

// Open reads the header row of f and returns a reader of its orders from
// the first data row, or from resume when it is not nil: a position an
// earlier reader's order ended at. It fails when a required column is
// missing, naming the headers tried.
func Open(f io.ReadSeeker, opt Options, resume *Position) (*Reader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	skip := int64(0)
	if head, _ := br.Peek(len(bom)); string(head) == bom {
		_, _ = br.Discard(len(bom))
		skip = int64(len(bom))
	}
	comma := opt.Comma
	if comma == 0 {
		comma = sniff(br)
	}
	hr := newCSV(br, comma)
	header, err := hr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: want a header row and a row per order item")
	}
	if err != nil {
		return nil, fmt.Errorf("header row: %w", err)
	}
	line := lastLine(hr, header)
	r := &Reader{Header: slices.Clone(header), Comma: comma, loc: opt.Location,
		Data: Position{Offset: skip + hr.InputOffset(), Line: line}}
	r.Start = r.Data
	if r.loc == nil {
		r.loc = time.UTC
	}
	if err := r.findColumns(opt.Columns); err != nil {
		return nil, err
	}
	if resume != nil {
		if resume.Offset < r.Start.Offset || resume.Line < r.Start.Line {
			return nil, fmt.Errorf("cannot resume at byte %d, line %d: the data rows start at byte %d", resume.Offset, resume.Line, r.Start.Offset)
		}
		r.Start = *resume
	}
	if _, err := f.Seek(r.Start.Offset, io.SeekStart); err != nil {
		return nil, err
	}
	r.base = r.Start
	r.csv = newCSV(bufio.NewReaderSize(f, 64<<10), comma)
	return r, nil
}

func newCSV(r io.Reader, comma rune) *csv.Reader {
	c := csv.NewReader(r)
	c.Comma = comma
	c.FieldsPerRecord = -1 // a short row leaves its last columns empty
	c.ReuseRecord = true
	return c
}

// sniff picks the delimiter the first line uses most outside quotes, ','
// when it uses none.
func sniff(br *bufio.Reader) rune {
	head, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func (r *Reader) findColumns(named map[Field]string) error {
	folded := make([]string, len(r.Header))
	for i, h := range r.Header {
		folded[i] = fold(h)
	}
	var missing []string
	for fi, field := range Fields {
		r.columns[fi] = -1
		if header, ok := named[field]; ok {
			r.columns[fi] = slices.IndexFunc(r.Header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), header) })
			if r.columns[fi] < 0 {
				return fmt.Errorf("-map %s=%s: the header row has no such column (it has: %s)", field, header, strings.Join(r.Header, ", "))
			}
			continue
		}
		for _, name := range defaultHeaders[field] {
			if i := slices.Index(folded, name); i >= 0 {
				r.columns[fi] = i
				break
			}
		}
		if r.columns[fi] < 0 && slices.Contains(required, field) {
			missing = append(missing, fmt.Sprintf("%s (a column named %s)", field, strings.Join(defaultHeaders[field], ", ")))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the header row (%s) lacks a column for %s; name the columns with -map, e.g. -map order_id=\"Order Number\"",
			strings.Join(r.Header, ", "), strings.Join(missing, " and "))
	}
	return nil
}

// Column returns the header of the column a field is read from, "" when
// none.
func (r *Reader) Column(f Field) string {
	if i := r.columns[slices.Index(Fields, f)]; i >= 0 {
		return r.Header[i]
	}
	return ""
}

// Next returns the next order: the next row and the consecutive rows after
// it with the same order ID. It returns io.EOF after the last.
func (r *Reader) Next() (*Order, error) {
	first := r.pending
	r.pending = nil
	if first == nil {
		if r.err != nil {
			return nil, r.err
		}
		var err error
		if first, err = r.read(); err != nil {
			r.err = err
			return nil, err
		}
	}
	o := &Order{Line: first.line, End: first.end, Problems: closeloop.Problems{}, Rows: 1}
	v := first.values
	o.OrderID, o.Customer.Email, o.Customer.Name = v[0], v[1], v[2]
	o.Customer.Locale = strings.ReplaceAll(v[3], "_", "-") // en_GB, as some exports write it
	if first.problem != "" {
		o.Problems.Add("row", first.problem)
		return o, nil
	}
	if v[6] != "" {
		t, err := ParseTime(v[6], r.loc)
		if err != nil {
			o.Problems.Add("purchased_at", err.Error())
		}
		o.PurchasedAt = t
	}
	o.addItem(first)
	for o.OrderID != "" {
		next, err := r.read()
		if err != nil {
			r.err = err
			break
		}
		if next.problem != "" || next.values[0] != o.OrderID {
			r.pending = next
			break
		}
		o.Rows++
		o.End = next.end
		o.addItem(next)
	}
	return o, nil
}

// addItem adds the row's item, if it names one. Beyond one item more than
// an order may hold the items are counted but not kept: the order is
// invalid anyway, and a file of one order ID throughout must not fill
// memory.
func (o *Order) addItem(r *row) {
	sku, name := r.values[4], r.values[5]
	if (sku == "" && name == "") || len(o.Items) > closeloop.MaxItemsPerOrder {
		return
	}
	o.Items = append(o.Items, closeloop.Item{SKU: sku, Name: name})
	o.ItemLines = append(o.ItemLines, r.line)
}

// read reads the next data row. A row the CSV reader refuses is returned
// with its problem; the file goes on after it.
func (r *Reader) read() (*row, error) {
	record, err := r.csv.Read()
	var parse *csv.ParseError
	if errors.As(err, &parse) {
		return &row{line: r.base.Line + parse.StartLine, end: r.position(r.base.Line + parse.Line), problem: parse.Err.Error()}, nil
	}
	if err != nil {
		return nil, err
	}
	first, _ := r.csv.FieldPos(0)
	out := &row{line: r.base.Line + first, end: r.position(r.base.Line + lastLine(r.csv, record))}
	for fi, col := range r.columns {
		if col >= 0 && col < len(record) {
			out.values[fi] = strings.TrimSpace(record[col])
		}
	}
	return out, nil
}

// lastLine is the line a record ends on: its last field starts on a line
// and, quoted, may hold line breaks.
func lastLine(c *csv.Reader, record []string) int {
	line, _ := c.FieldPos(len(record) - 1)
	return line + strings.Count(record[len(record)-1], "\n")
}

func (r *Reader) position(line int) Position {
	return Position{Offset: r.base.Offset + r.csv.InputOffset(), Line: line}
}

// timeLayouts are the purchase times read besides RFC 3339; those without
// an offset are in the reader's location.
var timeLayouts = []string{
	"2006-01-02 15:04:05 -0700", // Shopify's export
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseTime reads a purchase time: RFC 3339, or one of a few common
// layouts (2006-01-02 15:04:05, 2006-01-02 15:04, 2006-01-02), the ones
// without an offset in loc.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("must be a time such as 2026-11-20T10:00:00Z, 2026-11-20 10:00:00 or 2026-11-20")
}
