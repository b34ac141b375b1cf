package dashboard_test

import (
	"os"
	"testing"

	"github.com/closeloop/closeloop/internal/browsertest"
)

// TestMain ends the browser the real-browser tests share once they ran.
func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Stop()
	os.Exit(code)
}
