package closeloop

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestSendProblems writes the table of refused sends out once more, so a
// change to it is a deliberate one.
func TestSendProblems(t *testing.T) {
	want := map[SendProblem]SendClass{
		"account_suspended":      SendAccount,
		"sending_paused":         SendAccount,
		"daily_quota":            SendAccount,
		"mail_config":            SendAccount,
		"sender_not_verified":    SendStore,
		"mail_from_not_verified": SendStore,
		"bad_recipient":          SendMessage,
		"rejected":               SendMessage,
		"throttled":              SendPassing,
		"unavailable":            SendPassing,
	}
	if len(SendProblems) != len(want) {
		t.Fatalf("SendProblems lists %d problems, want %d", len(SendProblems), len(want))
	}
	for _, p := range SendProblems {
		if got := p.Class(); got != want[p] {
			t.Errorf("%s: class %s, want %s", p, got, want[p])
		}
		err := fmt.Errorf("send: %w", &SendError{Problem: p, ProviderCode: "X"})
		if got := SendProblemOf(err); got != p {
			t.Errorf("SendProblemOf(%v) = %s", err, got)
		}
		if got := errors.Is(err, ErrRejected); got != (want[p] == SendMessage) {
			t.Errorf("%s: errors.Is(ErrRejected) = %v", p, got)
		}
	}
	if got := SendProblem("new_one").Class(); got != SendPassing {
		t.Errorf("an unknown problem is %s, want passing", got)
	}
	if got := SendProblemOf(errors.New("connection reset")); got != ProblemUnavailable {
		t.Errorf("a plain error is %s, want unavailable", got)
	}
	// The message-level problems are the failed survey's reason codes.
	if ReasonBadRecipient != "bad_recipient" || ReasonRejected != "rejected" || ReasonGaveUp != "gave_up" {
		t.Error("reason codes changed")
	}
}

func TestRetryBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	var total time.Duration
	for i, w := range want {
		if got := RetryBackoff(i + 1); got != w {
			t.Errorf("RetryBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	for attempt := 1; attempt < MaxSendAttempts; attempt++ {
		total += RetryBackoff(attempt)
	}
	// Long enough to outlast an SES hiccup, short enough that a survey
	// still goes out the day it was due.
	if total < 3*time.Hour || total > 6*time.Hour {
		t.Errorf("%d attempts span %v", MaxSendAttempts, total)
	}
}
