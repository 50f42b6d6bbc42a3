package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress is the one progress line every long command draws on stderr:
// "chipgap CMD: LABEL [=====     ] done/total UNIT, about T left",
// rewritten in place. It is drawn only on a terminal (mode "auto"; "on"
// forces it, "off" or --quiet silences it), only once the work has run
// for half a second (short jobs never flash a bar), at most ten times a
// second, and cleared when the work ends.
type progress struct {
	w           io.Writer
	cmd         string
	on, drawn   bool
	start, last time.Time
}

func newProgress(e *env, cmd, mode string) *progress {
	return &progress{w: e.stderr, cmd: cmd, on: mode == "on" || mode == "auto" && isTerminal(e.stderr), start: time.Now()}
}

// quietMode is the mode of a command with a --quiet flag.
func quietMode(quiet bool) string {
	if quiet {
		return "off"
	}
	return "auto"
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// show draws done of total units.
func (p *progress) show(label string, done, total int, unit string) {
	now := time.Now()
	if !p.on || now.Sub(p.start) < 500*time.Millisecond || done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.drawn = now, true
	const width = 30
	n := width * min(done, total) / max(total, 1)
	left := ""
	if done > 0 && done < total {
		left = fmt.Sprintf(", about %v left", time.Duration(float64(now.Sub(p.start))/float64(done)*float64(total-done)).Round(time.Second))
	}
	fmt.Fprintf(p.w, "\rchipgap %s: %s[%s%s] %d/%d %s%s\033[K", p.cmd, label, strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total, unit, left)
}

// func is show for a fixed label, as the estimators' callbacks take it;
// nil when the line is off.
func (p *progress) fn(label, unit string) func(done, total int) {
	if !p.on {
		return nil
	}
	return func(done, total int) { p.show(label, done, total, unit) }
}

// clear erases the line and restarts the clock (for the next part).
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.drawn, p.start = false, time.Now()
}
