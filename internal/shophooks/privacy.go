package shophooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/render"
	"github.com/closeloop/closeloop/internal/storeapi"
)

// CustomerData exports and erases customers; the DynamoDB adapter
// implements it (privacy.go, shophooks.go).
type CustomerData interface {
	ExportCustomer(ctx context.Context, storeID, email string) (closeloop.CustomerData, error)
	EraseCustomer(ctx context.Context, storeID, email string, at time.Time) (closeloop.Erasure, error)
	StoreCustomers(ctx context.Context, storeID string) ([]string, error)
	SetShopSecrets(ctx context.Context, storeID string, secrets closeloop.ShopSecrets) error
}

// Mail sends an email once; mailing.Sender implements it.
type Mail interface {
	Send(ctx context.Context, e mailing.Email) (mailing.Result, error)
}

// Requests answers the platforms' privacy requests with the product's
// own export and erase (the store API's /v1/customers/{email}/…).
type Requests struct {
	data          CustomerData
	mail          Mail
	renderer      *render.Renderer
	defaultSender string
	now           func() time.Time
}

var _ Privacy = (*Requests)(nil)

// NewRequests returns Requests; defaultSender is the deployment's From
// address, now the clock.
func NewRequests(data CustomerData, mail Mail, renderer *render.Renderer, defaultSender string, now func() time.Time) *Requests {
	return &Requests{data: data, mail: mail, renderer: renderer, defaultSender: defaultSender, now: now}
}

// platformNames are the platforms as an owner reads them.
var platformNames = map[string]string{closeloop.PlatformShopify: "Shopify", closeloop.PlatformWooCommerce: "WooCommerce"}

// MailExport emails the customer's export, as the store API exports it,
// to each owner address (else the support addresses), once per request.
// A customer the store holds nothing of gets an export that says so.
func (q *Requests) MailExport(ctx context.Context, store closeloop.Store, email, request string) error {
	data, err := q.data.ExportCustomer(ctx, store.StoreID, email)
	if err != nil {
		return err
	}
	export, err := json.MarshalIndent(storeapi.ExportDocument(data, q.now()), "", "  ")
	if err != nil {
		return fmt.Errorf("encode export: %w", err)
	}
	to := store.Settings.OwnerEmails
	if len(to) == 0 {
		to = store.Settings.SupportAddresses()
	}
	if len(to) == 0 {
		slog.WarnContext(ctx, "customer data request: the store has no owner or support address")
		return nil
	}
	e, err := q.renderer.RenderEmail(render.NewExportEmail(store.Settings.Branding, store.Settings.DefaultLocale,
		platformNames[closeloop.PlatformShopify], email, request, string(export)))
	if err != nil {
		return err
	}
	var errs []error
	for _, addr := range to {
		_, err := q.mail.Send(ctx, mailing.Email{StoreID: store.StoreID, Kind: closeloop.KindExport, About: request, Message: closeloop.Message{
			From: store.From(q.defaultSender), To: addr, Subject: e.Subject, HTML: e.HTML, Text: e.Text,
		}})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// EraseCustomer erases the customer as DELETE /v1/customers/{email} does.
func (q *Requests) EraseCustomer(ctx context.Context, storeID, email string, at time.Time) (closeloop.Erasure, error) {
	return q.data.EraseCustomer(ctx, storeID, email, at)
}

// EraseStore answers a platform's request to erase the store's data (the
// shop uninstalled the app): every customer is erased as one erase each
// (their numbers stay, anonymised, as after any erase), and the platform
// disconnected. The store itself, its settings and keys stay: the store
// may still use the product without the shop; removing the store is the
// operator's. A failure part way is retried whole: erasing is idempotent.
func (q *Requests) EraseStore(ctx context.Context, store closeloop.Store, platform string, at time.Time) error {
	emails, err := q.data.StoreCustomers(ctx, store.StoreID)
	if err != nil {
		return err
	}
	for _, email := range emails {
		if _, err := q.data.EraseCustomer(ctx, store.StoreID, email, at); err != nil {
			return err
		}
	}
	secrets := store.ShopSecrets
	switch platform {
	case closeloop.PlatformShopify:
		secrets.Shopify = ""
	case closeloop.PlatformWooCommerce:
		secrets.WooCommerce = ""
	}
	slog.InfoContext(ctx, "store erased at the shop's request", "platform", platform, "customers", len(emails))
	return q.data.SetShopSecrets(ctx, store.StoreID, secrets)
}
