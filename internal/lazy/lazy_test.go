package lazy

import (
	"testing"
)

// TestRegexpCompilesOnce: the same expression every call, compiled on the
// first, and a bad expression panics only when first used.
func TestRegexpCompilesOnce(t *testing.T) {
	re := Regexp(`^a+$`)
	first := re()
	if !first.MatchString("aaa") || first.MatchString("b") {
		t.Fatalf("%v matches wrongly", first)
	}
	if re() != first {
		t.Error("a second call compiled again")
	}
	bad := Regexp(`(`) // must not panic here
	defer func() {
		if recover() == nil {
			t.Error("a bad expression did not panic on use")
		}
	}()
	bad()
}
