package dashboard

import (
	"time"

	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
)

// funcs are the template functions every dashboard page may call. Each
// area adds its own here.
var funcs = htmltemplate.FuncMap{
	// date writes a stored time as the store's local date and time.
	"date": func(t time.Time, loc *time.Location) string {
		if t.IsZero() {
			return ""
		}
		if loc == nil {
			loc = time.UTC
		}
		return t.In(loc).Format("2006-01-02 15:04")
	},
}
