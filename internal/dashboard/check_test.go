package dashboard

import (
	"testing"
	"time"
)

// TestEveryPageParses: New leaves the pages to be parsed when first drawn,
// so this is where a page that does not parse is caught, and every page
// of templates/app is one the dashboard knows.
func TestEveryPageParses(t *testing.T) {
	d, err := New(Deps{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"overview", "login", "responses"} {
		if d.pages[name] == nil {
			t.Errorf("no page %s among %d", name, len(d.pages))
		}
	}
}
