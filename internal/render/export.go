package render

import (
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/i18n"
)

// kindExport is a customer's data export emailed to the store's owners
// (a shop platform's customer data request).
const kindExport = "export"

func init() { emailKinds = append(emailKinds, kindExport) }

// ExportEmail is the data of the export email.
type ExportEmail struct {
	T        i18n.Text
	Brand    closeloop.Branding
	Subject  string
	Platform string // "Shopify"
	Customer string
	Request  string
	Export   string // the export, indented JSON
}

// NewExportEmail builds the email of the customer's export, in the
// store's default locale.
func NewExportEmail(brand closeloop.Branding, staffLocale, platform, customer, request, export string) ExportEmail {
	t := i18n.For(i18n.PickStaff(staffLocale))
	return ExportEmail{
		T: t, Brand: brand, Platform: platform, Customer: customer, Request: request, Export: export,
		Subject: t.Get("export.subject", platform, customer),
	}
}

// Footer says why the owner receives it.
func (e ExportEmail) Footer() Footer {
	return Footer{T: e.T, Why: e.T.Get("export.why", e.Brand.Name)}
}

func (e ExportEmail) kind() string    { return kindExport }
func (e ExportEmail) subject() string { return e.Subject }
