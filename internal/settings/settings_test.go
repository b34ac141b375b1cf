package settings

import "testing"

func TestETagRoundTrip(t *testing.T) {
	for _, v := range []int{0, 1, 42, 100000} {
		got, ok := ParseETag(ETag(v))
		if !ok || got != v {
			t.Errorf("ParseETag(ETag(%d)) = %d, %v", v, got, ok)
		}
		if got, ok := ParseETag("W/" + ETag(v)); !ok || got != v {
			t.Errorf("weak ETag of %d: %d, %v", v, got, ok)
		}
	}
	for _, bad := range []string{"", `"v"`, `"1"`, `v1`, `"v-1"`, `"vx"`, `"v1`, `*`} {
		if v, ok := ParseETag(bad); ok {
			t.Errorf("ParseETag(%q) = %d, want refused", bad, v)
		}
	}
}
