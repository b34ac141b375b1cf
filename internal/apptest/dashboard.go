package apptest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/settings"
	"github.com/closeloop/closeloop/internal/summary"
)

// DashboardAs serves the dashboard over the fixture's table with every
// service it has in production and auth as the signed-in person (a
// test's own Authenticator: signing in is tested with the login pages).
// Its calls are the dashboard function's, for the permissions check.
func (f *Fixture) DashboardAs(t testing.TB, auth dashboard.Authenticator) *httptest.Server {
	t.Helper()
	db := f.Product.FunctionDB("dashboard")
	d, err := dashboard.New(dashboard.Deps{
		Stores: db, Responses: db,
		Followups: followup.NewService(db, f.Clock.Now),
		Summaries: summary.New(db, f.Clock.Now),
		Settings:  settings.New(db, func(context.Context, string) error { return nil }),
		Keys:      db, DefaultSender: f.Product.Config.SenderAddress,
		Auth: auth, SignIn: f.Product.SignIn,
	}, f.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(d.Routes())
	t.Cleanup(server.Close)
	return server
}
