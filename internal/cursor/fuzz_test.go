package cursor

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// FuzzDecode reads any text as a cursor, and checks what lists rely on:
// Decode never panics and refuses with EINVALID what it does not accept;
// what it accepts re-encodes to itself (only Encode's own cursors pass);
// a cursor Encode made decodes to its value with its key, and neither
// with another store's key nor with any one character changed.
func FuzzDecode(f *testing.F) {
	key := StoreKey("shop-1", "k3y")
	type page struct {
		After string `json:"after"`
		Day   string `json:"day,omitempty"`
	}
	valid := Encode(key, page{After: "s_abc", Day: "2026-11-20"})
	f.Add(valid, "s_abc", "2026-11-20", uint(3))
	f.Add(valid[:len(valid)-1], "", "", uint(0))
	f.Add("e30.AAAAAAAAAAAAAAAAAAAAAA", "x\x00y", "", uint(40))
	f.Add("..", "\xff", "☃", uint(1))
	f.Fuzz(func(t *testing.T, s, after, day string, at uint) {
		var got page
		err := Decode(key, s, &got)
		if err != nil {
			var e *closeloop.Error
			if !errors.As(err, &e) || e.Code != closeloop.EINVALID {
				t.Fatalf("Decode(%q): %v, want an EINVALID *closeloop.Error", s, err)
			}
		} else if again := Encode(key, got); again != s {
			t.Fatalf("Decode accepted %q, which is not Encode's %q of the same value", s, again)
		}

		v := page{After: after, Day: day}
		c := Encode(key, v)
		var back page
		err = Decode(key, c, &back)
		switch {
		case len(c) > MaxLen:
			if err == nil {
				t.Fatalf("a cursor of %d bytes was read, longer than MaxLen", len(c))
			}
			return
		case err != nil:
			t.Fatalf("Decode(Encode(%+v)): %v", v, err)
		case utf8.ValidString(after) && utf8.ValidString(day) && back != v:
			t.Fatalf("Decode(Encode(%+v)) = %+v", v, back)
		}
		if err := Decode(StoreKey("shop-2", ""), c, &back); err == nil {
			t.Fatal("another store's key read the cursor")
		}
		i := int(at % uint(len(c)))
		for _, b := range []byte{'A', '.', '_', c[i] ^ 1} {
			if b == c[i] {
				continue
			}
			changed := c[:i] + string(b) + c[i+1:]
			if err := Decode(key, changed, &back); err == nil {
				t.Fatalf("cursor %q with byte %d changed to %q was read", c, i, b)
			}
		}
	})
}
