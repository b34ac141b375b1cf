package reliability_test

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain keeps the product's logs to errors: the suite's thousands of
// requests (and an outage's 503s, each a warning) would bury its own
// report under make soak's -v.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}
