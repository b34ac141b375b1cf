package render

import (
	"github.com/closeloop/closeloop/internal/closeloop"
	htmltemplate "github.com/closeloop/closeloop/internal/gotemplate/html"
	"github.com/closeloop/closeloop/internal/i18n"
)

// ReplyAlert is the data of the email telling support that the customer
// replied by email to a case: their words as the case now holds them, and
// whether the reply reopened it.
type ReplyAlert struct {
	T        i18n.Text
	Brand    closeloop.Branding
	Subject  string
	Customer string // "Ada <ada@example.com>"
	OrderID  string
	Reply    Quote
	Reopened bool
	Assignee string // "" unless the alert goes to the case's assignee
	CaseURL  string
}

// NewReplyAlert builds the alert about reply note n on case c (as it
// stands after the reply), in staffLocale (the store's default locale),
// linking to the case at caseURL; reopened says the reply reopened it.
func NewReplyAlert(c closeloop.Case, n closeloop.Note, reopened bool, brand closeloop.Branding, staffLocale, caseURL string) ReplyAlert {
	t := i18n.For(i18n.PickStaff(staffLocale))
	e := ReplyAlert{
		T: t, Brand: brand, Customer: c.Customer.Email, OrderID: c.OrderID,
		Reply: quote(n.Text, brandColor(brand)), Reopened: reopened, CaseURL: caseURL,
	}
	if c.Customer.Name != "" {
		e.Customer = c.Customer.Name + " <" + c.Customer.Email + ">"
	}
	if c.Status == closeloop.CaseClaimed {
		e.Assignee = c.Assignee
	}
	key := "reply.subject"
	if reopened {
		key = "reply.subject_reopened"
	}
	e.Subject = t.Get(key, c.OrderID)
	return e
}

// Color is the brand colour, which marks the quote and the case link.
func (e ReplyAlert) Color() htmltemplate.CSS { return brandColor(e.Brand) }

// Footer says why support receives the alert.
func (e ReplyAlert) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("alert.why", e.Brand.Name)}
}

func (e ReplyAlert) kind() string    { return kindReplyAlert }
func (e ReplyAlert) subject() string { return e.Subject }
