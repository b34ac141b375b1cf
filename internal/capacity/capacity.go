// Package capacity computes DynamoDB capacity units from item sizes by
// DynamoDB's pricing rules, and the cost of an operation mix at list
// prices. DynamoDB Local's ConsumedCapacity sums a transaction's bytes and
// rounds once, so the figures here are computed from the items instead.
package capacity

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sizes of DynamoDB's units: a write unit covers 1 KB of an item, a read
// unit 4 KB.
const (
	WriteUnitBytes = 1024
	ReadUnitBytes  = 4096
)

// ItemSize is an item's size as DynamoDB bills it: each attribute's
// name (UTF-8 bytes) plus its value.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + ValueSize(v)
	}
	return n
}

// ValueSize is one value's size: strings and binaries their bytes, a
// number 1 byte per two significant digits plus 1, a boolean or null 1
// byte, a list or map 3 bytes plus 1 byte per element plus the elements
// (a map's element also its name), a set the sum of its elements.
func ValueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return NumberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += NumberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + ValueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + ValueSize(e)
		}
		return n
	}
	return 0
}

// NumberSize is a number's size: 1 byte per two significant digits
// (leading and trailing zeros trimmed), rounded up, plus 1.
func NumberSize(s string) int {
	s = strings.TrimLeft(s, "+-")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	digits := strings.Replace(s, ".", "", 1)
	digits = strings.TrimLeft(digits, "0")
	if strings.Contains(s, ".") || digits != "" {
		digits = strings.TrimRight(digits, "0")
	}
	d := utf8.RuneCountInString(digits)
	if d == 0 {
		return 1
	}
	return (d+1)/2 + 1
}

// WriteUnits is the write units one item of size bytes costs: one per
// started KB, at least one; twice that inside a transaction.
func WriteUnits(size int, transaction bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/WriteUnitBytes))
	if transaction {
		u *= 2
	}
	return u
}

// ReadUnits is the read units of size bytes read in one request (a
// GetItem's item, or a Query's items summed): one per started 4 KB, at
// least one; half when eventually consistent; twice in a transaction.
func ReadUnits(size int, consistent, transaction bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/ReadUnitBytes))
	switch {
	case transaction:
		u *= 2
	case !consistent:
		u /= 2
	}
	return u
}
