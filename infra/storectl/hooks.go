package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// hooks prints the webhook URLs a store's owner pastes into the Shopify
// and WooCommerce admins and, with -table, whether each is connected.
func hooks(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("hooks", flag.ContinueOnError)
	table := flags.String("table", getenv("TABLE_NAME"), "the closeloop table, to check the store and show what is connected (optional)")
	storeID := flags.String("store", "", "the store's ID")
	base := flags.String("base-url", "", "the HTTP API's base URL (the stack's PublicBaseUrl output, or your custom domain)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *storeID == "" || *base == "" {
		return errors.New("-store and -base-url are required")
	}
	u, err := url.Parse(*base)
	if err != nil || u.Scheme == "" || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("-base-url %q is not a URL such as https://feedback.example.com", *base)
	}
	if u.Scheme != "https" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		return fmt.Errorf("-base-url must be https: the shops refuse to deliver to plain http")
	}
	var store *closeloop.Store
	if *table != "" {
		db, err := open(ctx, *table, getenv)
		if err != nil {
			return err
		}
		s, err := db.Store(ctx, *storeID)
		if err != nil {
			return fmt.Errorf("store %s: %w", *storeID, err)
		}
		store = &s
	}
	root := strings.TrimRight(u.String(), "/")
	for _, p := range []struct{ platform, name string }{
		{closeloop.PlatformShopify, "Shopify"},
		{closeloop.PlatformWooCommerce, "WooCommerce"},
	} {
		line := fmt.Sprintf("%-12s %s/hooks/%s/%s", p.name, root, p.platform, url.PathEscape(*storeID))
		if store != nil {
			state := "not connected: PUT /v1/settings {\"" + p.platform + "_secret\": …}"
			if store.ShopSecrets.For(p.platform) != "" {
				state = "connected"
			}
			line += "  (" + state + ")"
		}
		fmt.Fprintln(out, line)
	}
	fmt.Fprintln(out, "Shopify topics: orders/create, orders/fulfilled, fulfillments/update, orders/cancelled, refunds/create (JSON).")
	fmt.Fprintln(out, "WooCommerce topics: Order created, Order updated (API version WP REST API Integration v3).")
	return nil
}
