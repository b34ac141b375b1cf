package sqsqueue

import (
	"github.com/closeloop/closeloop/internal/relay"
	"github.com/closeloop/closeloop/internal/webhook"
)

// The ports Queue implements, checked when the tests compile, so that a
// function's binary links only the services it uses.
var (
	_ webhook.Visibility = (*Queue)(nil)
	_ relay.Queue        = (*Queue)(nil)
)
