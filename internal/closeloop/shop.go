package closeloop

import "unicode/utf8"

// Shop platforms whose webhooks deliver a store's orders.
const (
	PlatformShopify     = "shopify"
	PlatformWooCommerce = "woocommerce"
)

// ShopSecrets are the secrets a store's shop platforms sign their webhooks
// with: Shopify's "webhooks are signed with" secret (or a custom app's
// client secret), WooCommerce's webhook secret. Empty: not connected.
type ShopSecrets struct {
	Shopify     string `json:"shopify,omitempty"`
	WooCommerce string `json:"woocommerce,omitempty"`
}

// For returns the secret of platform, "" when the store has none.
func (s ShopSecrets) For(platform string) string {
	switch platform {
	case PlatformShopify:
		return s.Shopify
	case PlatformWooCommerce:
		return s.WooCommerce
	}
	return ""
}

// Limits on a shop secret as a store sets it: Shopify's are 64 hex
// characters (or shpss_ and 32), WooCommerce's whatever the owner typed.
const (
	MinShopSecret = 8
	MaxShopSecret = 256
)

// ShopSecretProblem says what is wrong with a shop secret a store sets,
// "" when it is good; "" itself disconnects the platform.
func ShopSecretProblem(secret string) string {
	if secret == "" {
		return ""
	}
	n := utf8.RuneCountInString(secret)
	if n < MinShopSecret || n > MaxShopSecret || !printable(secret) {
		return "must be 8 to 256 printable characters (the secret the shop shows), or empty to disconnect"
	}
	return ""
}

// Why a shop's order was not surveyed, counted per store (HookCounts).
const (
	HookSkipNoEmail   = "no_email"   // the order has no customer address
	HookSkipTest      = "test"       // a test order
	HookSkipGiftCards = "gift_cards" // only gift cards were bought
	HookSkipInvalid   = "invalid"    // the mapped order failed validation
	// HookOrderUnknown: a fulfilment or delivery of an order never
	// received, given up after its retries.
	HookOrderUnknown = "order_unknown"
)

// KindExport is a customer's data export emailed to the store's owners
// (a shop platform's customer data request).
const KindExport = "export"
