package dynamo

import (
	"github.com/closeloop/closeloop/internal/dispatch"
	"github.com/closeloop/closeloop/internal/storeapi"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/survey"
)

// The ports DB implements, checked at compile time.
var (
	_ survey.Repository = (*DB)(nil)
	_ storeapi.Backend  = (*DB)(nil)
	_ dispatch.Surveys  = (*DB)(nil)
	_ dispatch.Stores   = (*DB)(nil)
	_ stores.Repository = (*DB)(nil)
)
