package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress shows how far an import is: on a terminal a bar redrawn in
// place, else a plain line every so often, for logs.
type progress struct {
	mu    sync.Mutex // retries print from the senders
	w     io.Writer
	tty   bool
	every time.Duration // between plain lines; 0: at every update
	total int           // rows in the file
	first int           // rows done when this run started (a resumed import)
	start time.Time
	last  time.Time // of the last line drawn
	shown int       // the rows done it showed
	drawn bool      // a bar is on the terminal's current line
}

func newProgress(w io.Writer, every time.Duration, total, first int, now time.Time) *progress {
	return &progress{w: w, tty: isTerminal(w), every: every, total: total, first: first, start: now}
}

// isTerminal says whether w is a terminal (a character device), where a
// bar can be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// update shows done rows of the total as of now: a redrawn bar at most ten
// times a second, or a plain line once every p.every. final forces it.
func (p *progress) update(done int, now time.Time, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gap := p.every
	if p.tty {
		gap = 100 * time.Millisecond
	}
	done = min(done, p.total)
	if !final && !p.last.IsZero() && now.Sub(p.last) < gap || final && !p.tty && !p.last.IsZero() && done == p.shown {
		return
	}
	p.last, p.shown = now, done
	text := fmt.Sprintf("%d/%d rows", done, p.total)
	if p.total > 0 {
		text += fmt.Sprintf(" (%d%%)", done*100/p.total)
	}
	if rate, left, ok := estimate(done, p.total, p.first, now.Sub(p.start)); ok {
		text += fmt.Sprintf(", %.0f rows/s, ETA %s", rate, formatETA(left))
	}
	if !p.tty {
		fmt.Fprintln(p.w, text)
		return
	}
	fmt.Fprintf(p.w, "\r%s %s\x1b[K", bar(done, p.total, 30), text)
	p.drawn = true
	if final {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// println prints a line of its own, clearing the bar first; the next
// update draws it again.
func (p *progress) println(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, text)
}

// estimate is the rate of this run, the rows it did (done less first, those
// an interrupted run did) over the time it took, and the time the rows
// left take at that rate. ok is false until the run has done a row.
func estimate(done, total, first int, elapsed time.Duration) (rate float64, left time.Duration, ok bool) {
	if done <= first || elapsed <= 0 {
		return 0, 0, false
	}
	rate = float64(done-first) / elapsed.Seconds()
	rest := max(total-done, 0)
	return rate, time.Duration(float64(rest) / rate * float64(time.Second)).Round(time.Second), true
}

// formatETA writes a duration as m:ss, or h:mm:ss from an hour.
func formatETA(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// bar is a bar width characters wide filled in proportion to done of
// total.
func bar(done, total, width int) string {
	filled := width
	if total > 0 {
		filled = min(done*width/total, width)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}
