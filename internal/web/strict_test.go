package web

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

type order struct {
	OrderID  string `json:"order_id"`
	Customer struct {
		Email string `json:"email"`
	} `json:"customer"`
	Items []struct {
		SKU string `json:"sku"`
	} `json:"items"`
}

type batch struct {
	order
	Orders []order `json:"orders"`
}

func TestDecodeRefusesRepeatedAndMiscasedNames(t *testing.T) {
	tests := []struct {
		body  string
		field string // "" when the body is fine
	}{
		{`{"order_id":"1","customer":{"email":"a@b.co"},"items":[{"sku":"x"}]}`, ""},
		{`{"Order_ID":"2","order_id":"3"}`, "Order_ID"},
		{`{"order_id":"2","order_id":"3"}`, "order_id"},
		{`{"customer":{"EMAIL":"a@b.co"}}`, "customer.EMAIL"},
		{`{"customer":{"email":"a@b.co","email":"c@d.co"}}`, "customer.email"},
		{`{"items":[{"sku":"a"},{"SKU":"b"}]}`, "items[1].SKU"},
		{`{"orders":[{"order_id":"1"},{"order_id":"2","Order_id":"3"}]}`, "orders[1].Order_id"},
		{`{"order_id":"1","colour":"red"}`, "colour"},
	}
	for _, tt := range tests {
		var v batch
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		err := Decode(httptest.NewRecorder(), r, &v, 1<<20)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.body, err)
			}
			continue
		}
		e, ok := err.(*closeloop.Error)
		if !ok || e.Code != closeloop.EINVALID || e.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want invalid naming %s", tt.body, err, tt.field)
		}
	}
	// Maps take any names, but never one twice.
	var settings map[string]json.RawMessage
	if err := Decode(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(`{"Any":1,"any":2}`)), &settings, 1<<10); err != nil {
		t.Errorf("map keys differing in case: %v", err)
	}
	if err := Decode(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1,"a":2}`)), &settings, 1<<10); err == nil {
		t.Error("a map key twice was accepted")
	}
}
