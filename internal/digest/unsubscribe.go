package digest

import (
	"context"
	"slices"

	"github.com/closeloop/closeloop/internal/closeloop"
)

// OptOuts reads stores and records digest opt-outs. The DynamoDB adapter
// implements it with a GetItem and an UpdateItem of the store item: the
// public function needs no other access.
type OptOuts interface {
	Store(ctx context.Context, storeID string) (closeloop.Store, error)
	OptOutOfDigest(ctx context.Context, storeID, addressHash string) error
}

// Subscription is whose digest an unsubscribe link turns off.
type Subscription struct {
	Store closeloop.Store
	// Address is the owner address of the link, "" when it is no longer
	// among the store's owners (its opt-out still holds if it comes back).
	Address string
	// OptedOut says the address is already unsubscribed.
	OptedOut bool
}

// Unsubscribes serves the digest's unsubscribe links.
type Unsubscribes struct {
	optOuts OptOuts
}

// NewUnsubscribes returns the unsubscribe links' service.
func NewUnsubscribes(optOuts OptOuts) *Unsubscribes {
	return &Unsubscribes{optOuts: optOuts}
}

// Unsubscribing finds the subscription of an unsubscribe link token,
// changing nothing: mail scanners open links. ok is false for a token that
// is malformed, names no store or was not signed with its key, alike, so
// that the answer tells nothing about stores or addresses.
func (u *Unsubscribes) Unsubscribing(ctx context.Context, token string) (sub Subscription, ok bool, err error) {
	storeID, hash, mac, ok := parseToken(token)
	if !ok {
		return Subscription{}, false, nil
	}
	store, err := u.optOuts.Store(ctx, storeID)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return Subscription{}, false, nil
	}
	if err != nil {
		return Subscription{}, false, err
	}
	if !validToken(store, hash, mac) {
		return Subscription{}, false, nil
	}
	sub = Subscription{Store: store, OptedOut: slices.Contains(store.DigestOptOut, hash)}
	for _, addr := range store.Settings.OwnerEmails {
		if AddressHash(addr) == hash {
			sub.Address = normalize(addr)
			break
		}
	}
	return sub, true, nil
}

// Unsubscribe turns the digest off for the link's address, from the
// page's button or a mail client's one-click POST; a second time changes
// nothing.
func (u *Unsubscribes) Unsubscribe(ctx context.Context, token string) (Subscription, bool, error) {
	sub, ok, err := u.Unsubscribing(ctx, token)
	if err != nil || !ok || sub.OptedOut {
		return sub, ok, err
	}
	_, hash, _, _ := parseToken(token) // valid: Unsubscribing read it
	err = u.optOuts.OptOutOfDigest(ctx, sub.Store.StoreID, hash)
	if closeloop.ErrorCode(err) == closeloop.ENOTFOUND {
		return Subscription{}, false, nil // the store went away meanwhile
	}
	if err != nil {
		return Subscription{}, false, err
	}
	sub.OptedOut = true
	return sub, true, nil
}
