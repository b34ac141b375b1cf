package ordercsv

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// readAll reads every order of data, failing the test on an error.
func readAll(t *testing.T, data string, opt Options, resume *Position) []*Order {
	t.Helper()
	r, err := Open(strings.NewReader(data), opt, resume)
	if err != nil {
		t.Fatal(err)
	}
	var orders []*Order
	for {
		o, err := r.Next()
		if errors.Is(err, io.EOF) {
			return orders
		}
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
}

func TestReadGroupsConsecutiveRows(t *testing.T) {
	data := bom + "Order ID;Customer Email;Name;Locale;SKU;Product Name;Order Date\r\n" +
		"A-1;ada@example.com;Ada;en_GB;MUG;Mug;2026-11-20 10:00:00\r\n" +
		"A-1;ada@example.com;Ada;en_GB;CUP;\"Cup; blue\";2026-11-20 10:00:00\r\n" +
		"\r\n" +
		"B-2;bob@example.com;\"Bob\nSmith\";;BAG;;2026-11-21\r\n" +
		"A-1;ada@example.com;Ada;;KETTLE;Kettle;2026-11-20T10:00:00+01:00\r\n" +
		"C-3;c@example.com;;;;;yesterday"
	moscow := time.FixedZone("MSK", 3*3600)
	orders := readAll(t, data, Options{Location: moscow}, nil)
	type got struct {
		ID     string
		Line   int
		Lines  []int
		Rows   int
		Items  []closeloop.Item
		Locale string
		At     time.Time
		End    Position
		Bad    closeloop.Problems
	}
	var list []got
	for _, o := range orders {
		list = append(list, got{o.OrderID, o.Line, o.ItemLines, o.Rows, o.Items, o.Customer.Locale, o.PurchasedAt.UTC(), o.End, o.Problems})
	}
	end := func(s string) int64 { return int64(strings.Index(data, s) + len(s)) }
	want := []got{
		{"A-1", 2, []int{2, 3}, 2, []closeloop.Item{{SKU: "MUG", Name: "Mug"}, {SKU: "CUP", Name: "Cup; blue"}}, "en-GB",
			time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC), Position{end("blue\";2026-11-20 10:00:00\r\n"), 3}, closeloop.Problems{}},
		{"B-2", 5, []int{5}, 1, []closeloop.Item{{SKU: "BAG"}}, "", time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC),
			Position{end("2026-11-21\r\n"), 6}, closeloop.Problems{}},
		// Not consecutive with the first A-1: an order of its own.
		{"A-1", 7, []int{7}, 1, []closeloop.Item{{SKU: "KETTLE", Name: "Kettle"}}, "", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
			Position{end("+01:00\r\n"), 7}, closeloop.Problems{}},
		{"C-3", 8, nil, 1, nil, "", time.Time{}, Position{int64(len(data)), 8},
			closeloop.Problems{"purchased_at": "must be a time such as 2026-11-20T10:00:00Z, 2026-11-20 10:00:00 or 2026-11-20"}},
	}
	for i := range want {
		if i >= len(list) || !reflect.DeepEqual(list[i], want[i]) {
			t.Fatalf("orders:\n%+v\nwant\n%+v", list, want)
		}
	}
	if len(list) != len(want) {
		t.Fatalf("%d orders, want %d", len(list), len(want))
	}

	// Resuming after each order reads the same orders from there.
	for i, o := range orders {
		rest := readAll(t, data, Options{Location: moscow}, &o.End)
		if len(rest) != len(orders)-i-1 {
			t.Fatalf("resumed after order %d: %d orders, want %d", i, len(rest), len(orders)-i-1)
		}
		for j, r := range rest {
			if !reflect.DeepEqual(r, orders[i+1+j]) {
				t.Fatalf("resumed after order %d: %+v, want %+v", i, r, orders[i+1+j])
			}
		}
	}
}

func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		columns      map[Field]string
		comma        rune
		want         map[Field]string // the header of each field's column
		err          string
	}{
		{name: "snake case", header: "order_id,email,purchased_at,sku", comma: ',',
			want: map[Field]string{OrderID: "order_id", Email: "email", PurchasedAt: "purchased_at", SKU: "sku"}},
		{name: "shopify", header: "Name,Email,Created at,Lineitem name,Lineitem sku,Billing Name",
			columns: map[Field]string{OrderID: "name", Name: "Billing Name"}, comma: ',',
			want: map[Field]string{OrderID: "Name", Email: "Email", PurchasedAt: "Created at", ProductName: "Lineitem name", SKU: "Lineitem sku", Name: "Billing Name"}},
		{name: "semicolons sniffed", header: `"Order Number";"E-mail";"Date, time"`, comma: ';',
			columns: map[Field]string{OrderID: "order number", PurchasedAt: "Date, time"},
			want:    map[Field]string{OrderID: "Order Number", Email: "E-mail", PurchasedAt: "Date, time"}},
		{name: "tabs sniffed", header: "order\temail\tdate", comma: '\t',
			want: map[Field]string{OrderID: "order", Email: "email", PurchasedAt: "date"}},
		{name: "missing", header: "id,mail,when", err: "lacks a column for order_id (a column named orderid, ordernumber, orderno, ordernr, order) and email"},
		{name: "mapped but absent", header: "order_id,email,date", columns: map[Field]string{SKU: "Article"}, err: "-map sku=Article: the header row has no such column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tc.header+"\n"), Options{Columns: tc.columns}, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Comma != tc.comma {
				t.Errorf("comma %q, want %q", r.Comma, tc.comma)
			}
			for _, f := range Fields {
				if got := r.Column(f); got != tc.want[f] {
					t.Errorf("%s from %q, want %q", f, got, tc.want[f])
				}
			}
		})
	}
	if _, err := Open(strings.NewReader(""), Options{}, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty file: %v", err)
	}
}

func TestParseMapping(t *testing.T) {
	got, err := ParseMapping(" order_id = Order Number ,email=E-mail,,")
	if want := map[Field]string{OrderID: "Order Number", Email: "E-mail"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"order_id", "price=Price", "email="} {
		if _, err := ParseMapping(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-11-20T10:00:00Z", time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		{"2026-11-20T10:00:00.5+02:00", time.Date(2026, 11, 20, 8, 0, 0, 5e8, time.UTC)},
		{"2026-11-20 10:00:00 -0500", time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)},
		{"2026-11-20 10:00:00", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		{"2026-11-20T10:00:00", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		{"2026-11-20 10:00", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		{"2026-11-20", time.Date(2026, 11, 19, 23, 0, 0, 0, time.UTC)},
	} {
		if got, err := ParseTime(tc.in, berlin); err != nil || !got.Equal(tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"20/11/2026", "2026-13-01", "tomorrow", ""} {
		if _, err := ParseTime(bad, berlin); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBadRowsAndLongOrders(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("order_id,email,sku,purchased_at\n")
	b.WriteString("A,a@example.com,X,2026-11-20\n")
	b.WriteString("B,b@exa\"mple.com,X,2026-11-20\n") // a bare quote
	for range 500 {
		b.WriteString("C,c@example.com,X,2026-11-20\n")
	}
	orders := readAll(t, b.String(), Options{}, nil)
	if len(orders) != 3 {
		t.Fatalf("%d orders, want 3", len(orders))
	}
	if o := orders[1]; o.Line != 3 || o.Problems["row"] == "" || o.End.Line != 3 {
		t.Errorf("the bad row: %+v", o)
	}
	// Beyond what an order may hold the items are counted, not kept: the
	// order is still refused for its length.
	o := orders[2]
	if o.Rows != 500 || len(o.Items) != closeloop.MaxItemsPerOrder+1 || o.End.Line != 503 || o.End.Offset != int64(b.Len()) {
		t.Errorf("the long order: %d rows, %d items, end %+v", o.Rows, len(o.Items), o.End)
	}
	if p := o.Validate(time.Now()); p["items"] == "" {
		t.Errorf("the long order passed validation: %v", p)
	}
	if line := o.ProblemLine("items[3].sku"); line != 7 {
		t.Errorf("items[3] on line %d, want 7", line)
	}
}
