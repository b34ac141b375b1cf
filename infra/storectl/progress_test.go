package main

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		done, total, first int
		elapsed            time.Duration
		rate               float64
		left               time.Duration
		ok                 bool
	}{
		{500, 1000, 0, 10 * time.Second, 50, 10 * time.Second, true},
		// Resumed at 400: the rate is of this run's rows only.
		{500, 1000, 400, 2 * time.Second, 50, 10 * time.Second, true},
		{1000, 1000, 0, 4 * time.Second, 250, 0, true},
		{3, 10, 0, 2 * time.Second, 1.5, 5 * time.Second, true}, // 4.67 s, rounded
		{7, 10000, 0, time.Second, 7, 1428 * time.Second, true},
		{0, 1000, 0, time.Second, 0, 0, false},
		{400, 1000, 400, time.Second, 0, 0, false},
		{10, 1000, 0, 0, 0, 0, false},
	} {
		rate, left, ok := estimate(tc.done, tc.total, tc.first, tc.elapsed)
		if rate != tc.rate || left != tc.left || ok != tc.ok {
			t.Errorf("estimate(%d, %d, %d, %s) = %v, %s, %v; want %v, %s, %v",
				tc.done, tc.total, tc.first, tc.elapsed, rate, left, ok, tc.rate, tc.left, tc.ok)
		}
	}
	for d, want := range map[time.Duration]string{0: "0:00", 5 * time.Second: "0:05", 65*time.Second + 400*time.Millisecond: "1:05",
		59*time.Minute + 59*time.Second: "59:59", time.Hour + 2*time.Minute + 3*time.Second: "1:02:03", 30 * time.Hour: "30:00:00"} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%s) = %q, want %q", d, got, want)
		}
	}
	for _, tc := range []struct {
		done, total int
		want        string
	}{{0, 100, "[----------]"}, {55, 100, "[#####-----]"}, {100, 100, "[##########]"}, {150, 100, "[##########]"}, {0, 0, "[##########]"}} {
		if got := bar(tc.done, tc.total, 10); got != tc.want {
			t.Errorf("bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

// TestProgressLines: on a terminal the bar is redrawn in place at most ten
// times a second and ends its line; elsewhere a plain line is printed once
// per interval, and the last one once.
func TestProgressLines(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var w bytes.Buffer
	p := newProgress(&w, 0, 1000, 0, start)
	p.tty = true
	p.update(100, start.Add(time.Second), false)
	p.update(150, start.Add(time.Second+50*time.Millisecond), false) // too soon: not drawn
	p.println("retrying in 1s")
	p.update(1000, start.Add(4*time.Second), true)
	want := "\r[###---------------------------] 100/1000 rows (10%), 100 rows/s, ETA 0:09\x1b[K" +
		"\r\x1b[Kretrying in 1s\n" +
		"\r[##############################] 1000/1000 rows (100%), 250 rows/s, ETA 0:00\x1b[K\n"
	if w.String() != want {
		t.Fatalf("terminal:\n%q\nwant\n%q", w.String(), want)
	}

	w.Reset()
	p = newProgress(&w, 5*time.Second, 1000, 0, start)
	for s := 1; s <= 12; s++ {
		p.update(s*50, start.Add(time.Duration(s)*time.Second), false)
	}
	p.update(550, start.Add(12*time.Second), true) // shown already
	p.update(1000, start.Add(20*time.Second), true)
	want = "50/1000 rows (5%), 50 rows/s, ETA 0:19\n" +
		"300/1000 rows (30%), 50 rows/s, ETA 0:14\n" +
		"550/1000 rows (55%), 50 rows/s, ETA 0:09\n" +
		"1000/1000 rows (100%), 50 rows/s, ETA 0:00\n"
	if w.String() != want {
		t.Fatalf("plain:\n%s\nwant\n%s", w.String(), want)
	}
	if isTerminal(&w) {
		t.Fatal("a buffer taken for a terminal")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": -1, "0": 0, "7": 7 * time.Second, "soon": -1, "-3": -1,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
	for answer, want := range map[string]string{
		`{"error":{"code":"invalid","message":"bad","fields":{"orders":"must list 1 to 100 orders","b":"c"}}}`: "bad (b: c; orders: must list 1 to 100 orders)",
		`{"error":{"code":"unauthorized","message":"no key"}}`:                                                 "no key",
		"<html>oops</html>": `"<html>oops</html>"`,
	} {
		if got := apiMessage([]byte(answer)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", answer, got, want)
		}
	}
}
