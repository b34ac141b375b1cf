package dashboard

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// productsView is the products page: the range and the products, worst
// first.
type productsView struct {
	Range    rangeForm
	Products []productRow
}

// productRow is one product with its numbers and its CSAT's change from
// the range before.
type productRow struct {
	SKU, Name string
	Href      string // the overview of the product over the same range
	Sent      string
	Answered  string
	Rate      string
	CSAT      string
	Change    change
	NPS       string
}

// products lists the products answered about in the range, worst first,
// as GET /v1/summary/products orders them, each with its CSAT's change
// from the range before.
func (d *Dashboard) products(w http.ResponseWriter, r *http.Request, v Viewer) error {
	t := Lang(r)
	nr := d.readRange(r, v)
	nr.SKU = "" // the list is of every product
	view := productsView{Range: nr.form(t, r, "/app/products", v.Store.Settings.TimeZone)}
	page := Page{T: t, V: &v, Title: t.Get("app.products.title"), Nav: "products", Data: &view}
	if nr.Problems != nil {
		d.write(w, r, http.StatusBadRequest, "products", page)
		return nil
	}
	cur, err := d.Summaries.Products(r.Context(), v.Store, nr.Cur)
	if err != nil {
		return err
	}
	prev, err := d.Summaries.Products(r.Context(), v.Store, nr.Prev)
	if err != nil {
		return err
	}
	before := map[string]closeloop.ProductSummary{}
	for _, p := range prev {
		before[p.SKU] = p
	}
	for _, p := range cur {
		q := nr.query()
		q.Set("sku", p.SKU)
		csat := measure{Value: p.CSAT.Score, Better: 1}
		view.Products = append(view.Products, productRow{
			SKU: p.SKU, Name: p.Name, Href: "/app/overview?" + q.Encode(),
			Sent: decimal(t, float64(p.Sent)), Answered: decimal(t, float64(p.Answered)),
			Rate:   measure{Value: percentOf(p.ResponseRate), Percent: true}.text(t),
			CSAT:   csat.text(t),
			Change: csat.changeFrom(t, measure{Value: before[p.SKU].CSAT.Score}),
			NPS:    measure{Value: p.NPS.Score}.text(t),
		})
	}
	d.write(w, r, http.StatusOK, "products", page)
	return nil
}
