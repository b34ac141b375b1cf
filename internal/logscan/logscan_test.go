package logscan_test

import (
	"log"
	"log/slog"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/logscan"
)

func TestLeaksFindsSecretsAndAddresses(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{`{"msg":"request","route":"GET /s/{token}"}`, false},
		{`{"msg":"request","path":"/s/s_abc.c2VjcmV0"}`, true},
		{`{"msg":"x","err":"get customer ada@example.com"}`, true},
		{`{"msg":"x","path":"/v1/customers/ada%40example.com/points"}`, true},
		{`{"msg":"x","key":"cl_k3y"}`, true},
		{`{"msg":"x","n":"a/b%2Fc"}`, true},
		{`{"msg":"x","store_id":"shop-abc","survey_id":"s_x"}`, false},
	}
	for _, tt := range tests {
		got := len(logscan.Leaks([]string{tt.line}, "s_abc.c2VjcmV0", "cl_k3y", "b/c")) > 0
		if got != tt.want {
			t.Errorf("Leaks(%s) found %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestCaptureTakesSlogAndLog(t *testing.T) {
	lines := logscan.Capture(t)
	slog.Info("one", "k", "v")
	log.Print("two")
	got := strings.Join(lines.All(), "\n")
	if !strings.Contains(got, `"msg":"one","k":"v"`) || !strings.Contains(got, `"msg":"two"`) {
		t.Fatalf("captured %q", got)
	}
}
