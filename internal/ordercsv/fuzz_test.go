package ordercsv

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// FuzzImportRow reads any rows under a header naming every field, and
// checks what an import relies on: reading never panics and ends; lines
// and end positions only move forward and stay inside the file; an
// order's items are on its lines and never more than an order may hold
// plus one; and resuming at an order's end reads the same orders as
// reading on.
func FuzzImportRow(f *testing.F) {
	for _, s := range []string{
		"A-1,ada@example.com,Ada,en-GB,MUG,Mug,2026-11-20T10:00:00Z\nA-1,ada@example.com,Ada,en-GB,CUP,Cup,2026-11-20T10:00:00Z\n",
		"B,b@example.com,\"Bob\nSmith\",,,\"Kettle, 1 l\",2026-11-20 10:00\r\n\r\nC,c@example.com\n",
		"\"unterminated,x\n",
		"a\"b,c\n,,,,,,\n",
		"D,d@example.com,,,,,2026-11-20\nD,,,,,,",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("E;e@example.com;Eve;ru;SKU;Чайник;2026-11-20\n"), true)
	f.Fuzz(func(t *testing.T, rows []byte, semicolons bool) {
		header := "order_id,email,name,locale,sku,product_name,purchased_at\n"
		if semicolons {
			header = "order_id;email;name;locale;sku;product_name;purchased_at\n"
		}
		data := append([]byte(header), rows...)
		orders := fuzzRead(t, data, nil)
		var last Position
		for i, o := range orders {
			if o.Line <= last.Line || o.End.Line < o.Line || o.End.Offset < last.Offset || o.End.Offset > int64(len(data)) {
				t.Fatalf("order %d: line %d, end %+v after %+v (file of %d bytes)", i, o.Line, o.End, last, len(data))
			}
			if len(o.Items) > closeloop.MaxItemsPerOrder+1 || len(o.Items) != len(o.ItemLines) || o.Rows < len(o.Items) {
				t.Fatalf("order %d: %d items, %d item lines, %d rows", i, len(o.Items), len(o.ItemLines), o.Rows)
			}
			for _, line := range o.ItemLines {
				if line < o.Line || line > o.End.Line {
					t.Fatalf("order %d on lines %d-%d has an item on line %d", i, o.Line, o.End.Line, line)
				}
			}
			last = o.End
		}
		if len(orders) > 0 {
			rest := fuzzRead(t, data, &orders[0].End)
			if !reflect.DeepEqual(rest, orders[1:]) && !(len(rest) == 0 && len(orders) == 1) {
				t.Fatalf("resumed after the first order:\n%+v\nread on:\n%+v", rest, orders[1:])
			}
		}
	})
}

func fuzzRead(t *testing.T, data []byte, resume *Position) []*Order {
	r, err := Open(bytes.NewReader(data), Options{Location: time.UTC}, resume)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var orders []*Order
	for range len(data) + 1 { // every order takes at least a byte
		o, err := r.Next()
		if errors.Is(err, io.EOF) {
			return orders
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		orders = append(orders, o)
	}
	t.Fatal("reading does not end")
	return nil
}
