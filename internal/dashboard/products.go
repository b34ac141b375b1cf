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
	// Total counts the products of the range; when the page shows only
	// the worst, AllHref links to all of them.
	Total   int
	AllHref string
}

// productsShown is how many products the page shows unless asked for all:
// the worst are what it is for, and a store of 500 products would make a
// page of half a megabyte.
const productsShown = 50

// productRow is one product with its numbers, its CSAT with its change
// from the range before.
type productRow struct {
	SKU, Name string
	Href      string // the overview of the product over the same range
	Stats     []stat
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
	view.Total = len(cur)
	if len(cur) > productsShown && r.URL.Query().Get("all") == "" {
		q := nr.query()
		q.Set("all", "1")
		view.AllHref, cur = "/app/products?"+q.Encode(), cur[:productsShown]
	}
	for _, p := range cur {
		q := nr.query()
		q.Set("sku", p.SKU)
		csat := measure{Value: p.CSAT.Score, Better: 1}
		change := csat.changeFrom(t, measure{Value: before[p.SKU].CSAT.Score})
		view.Products = append(view.Products, productRow{
			SKU: p.SKU, Name: p.Name, Href: "/app/overview?" + q.Encode(),
			Stats: []stat{
				{Key: "csat.score", Label: t.Get("app.overview.csat.score"), Value: csat.text(t), Change: &change},
				{Key: "nps.score", Label: t.Get("app.overview.nps.score"), Value: measure{Value: p.NPS.Score}.text(t)},
				{Key: "answered", Label: t.Get("app.overview.answered"), Value: decimal(t, float64(p.Answered))},
				{Key: "sent", Label: t.Get("app.overview.sent"), Value: decimal(t, float64(p.Sent))},
				{Key: "response_rate", Label: t.Get("app.overview.response_rate"), Value: measure{Value: percentOf(p.ResponseRate), Percent: true}.text(t)},
			},
		})
	}
	d.write(w, r, http.StatusOK, "products", page)
	return nil
}
