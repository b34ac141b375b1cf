package apikeys

import (
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/closeloop"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		role     closeloop.Role
		name     string
		want     string
		problems []string
	}{
		{closeloop.RoleSupport, "  Help desk ", "Help desk", nil},
		{closeloop.RolePoints, strings.Repeat("я", 100), strings.Repeat("я", 100), nil},
		{"admin", "x", "", []string{"role"}},
		{closeloop.RoleOwner, "   ", "", []string{"name"}},
		{closeloop.RoleOwner, strings.Repeat("n", 101), "", []string{"name"}},
		{closeloop.RoleOwner, "a\u0007b", "", []string{"name"}},
		{"", "", "", []string{"role", "name"}},
	}
	for _, tt := range tests {
		got, err := Check(tt.role, tt.name)
		if tt.problems == nil {
			if err != nil || got != tt.want {
				t.Errorf("Check(%q, %q) = %q, %v; want %q", tt.role, tt.name, got, err, tt.want)
			}
			continue
		}
		e, ok := err.(*closeloop.Error)
		if !ok || e.Code != closeloop.EINVALID || len(e.Fields) != len(tt.problems) {
			t.Errorf("Check(%q, %q) = %v, want EINVALID naming %v", tt.role, tt.name, err, tt.problems)
			continue
		}
		for _, field := range tt.problems {
			if e.Fields[field] == "" {
				t.Errorf("Check(%q, %q) does not name %s: %v", tt.role, tt.name, field, e.Fields)
			}
		}
	}
	if _, err := Check("admin", "x"); !strings.Contains(err.Error()+err.(*closeloop.Error).Fields["role"], "must be owner, support, ingest or points") {
		t.Errorf("the role problem reads %q", err.(*closeloop.Error).Fields["role"])
	}
}

func TestCheckID(t *testing.T) {
	for _, id := range []string{"", strings.Repeat("k", 65)} {
		if closeloop.ErrorCode(CheckID(id)) != closeloop.ENOTFOUND {
			t.Errorf("CheckID(%.10q) = %v, want ENOTFOUND", id, CheckID(id))
		}
	}
	if err := CheckID("k_abc"); err != nil {
		t.Errorf("CheckID(k_abc) = %v", err)
	}
}
