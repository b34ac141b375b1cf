package dynamo

import (
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/followup"
	"github.com/closeloop/closeloop/internal/mailing"
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/summary"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/webhook"
)

// The ports DB implements, checked when the tests compile. The check lives
// in a test so that a function's binary links only the services it uses.
var (
	_ survey.Surveys     = (*DB)(nil)
	_ survey.Customers   = (*DB)(nil)
	_ storeapi.Keys      = (*DB)(nil)
	_ storeapi.Stores    = (*DB)(nil)
	_ storeapi.Surveys   = (*DB)(nil)
	_ storeapi.Points    = (*DB)(nil)
	_ dispatch.Surveys   = (*DB)(nil)
	_ dispatch.Stores    = (*DB)(nil)
	_ stores.Stores      = (*DB)(nil)
	_ webhook.Deliveries = (*DB)(nil)
	_ mailing.Deliveries = (*DB)(nil)
	_ followup.Cases     = (*DB)(nil)
	_ followup.Overdue   = (*DB)(nil)
	_ relay.Stores       = (*DB)(nil)
	_ relay.Decode       = DecodeChange
	_ relay.Counters     = (*DB)(nil)
	_ summary.Counters   = (*DB)(nil)
)
