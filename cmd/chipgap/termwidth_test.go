package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Prose wraps at word boundaries under the width with a hanging indent
// after a bullet; table rows are cut with "…"; short lines pass through.
func TestFitLine(t *testing.T) {
	bullet := "• Training Llama 3.1 405B on 15T tokens, 16,384 chips each: H100 takes 70 [65–76] days, CM384 258 [205–366] days."
	got := fitLine(bullet, 40)
	for i, l := range strings.Split(got, "\n") {
		if n := utf8.RuneCountInString(l); n > 40 {
			t.Errorf("line %d is %d runes: %q", i, n, l)
		}
		if i > 0 && !strings.HasPrefix(l, "  ") {
			t.Errorf("continuation %q: want the bullet's hanging indent", l)
		}
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(bullet), " ") {
		t.Errorf("wrapping changed the words:\n%s", got)
	}
	row := "  H20     5.11× [4.78×–5.34×]   5.40× [5.37×–5.43×]  267 [254–283]  231 [220–243]"
	if got := fitLine(row, 30); utf8.RuneCountInString(got) != 30 || !strings.HasSuffix(got, "…") || strings.Contains(got, "\n") {
		t.Errorf("table row cut to %q, want 30 runes ending in …", got)
	}
	if got := fitLine("short", 80); got != "short" {
		t.Errorf("short line changed: %q", got)
	}
}

// Through the writer, a report page on a 60-column terminal has no line
// over 60 columns; piped (width 0) it is unchanged.
func TestFitWriterReport(t *testing.T) {
	code, out, _ := runCLI("report", "--samples", "20")
	if code != exitOK {
		t.Fatal("report failed")
	}
	var b strings.Builder
	fw := &fitWriter{w: &b, width: 60}
	_, _ = fw.Write([]byte(out))
	_ = fw.Flush()
	for _, l := range strings.Split(b.String(), "\n") {
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Fatalf("line of %d runes at width 60: %q", n, l)
		}
	}
	b.Reset()
	fw = &fitWriter{w: &b, width: 0}
	_, _ = fw.Write([]byte(out))
	_ = fw.Flush()
	if b.String() != out {
		t.Error("width 0 (a pipe) changed the output")
	}
}
