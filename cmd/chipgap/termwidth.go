package main

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// fitWriter fits text to a terminal of width columns: prose lines (the
// report's bullets and paragraphs) wrap at word boundaries with a hanging
// indent; table rows (columns separated by runs of spaces) are cut with
// "…", since a wrapped row no longer lines up. Piped output is left at
// full width (the caller only wraps a terminal).
type fitWriter struct {
	w     io.Writer
	width int
	buf   bytes.Buffer
}

func (f *fitWriter) Write(p []byte) (int, error) {
	f.buf.Write(p)
	for {
		i := bytes.IndexByte(f.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(f.buf.Next(i + 1))
		if _, err := io.WriteString(f.w, fitLine(strings.TrimSuffix(line, "\n"), f.width)+"\n"); err != nil {
			return 0, err
		}
	}
}

// Flush writes a last line without a newline.
func (f *fitWriter) Flush() error {
	if f.buf.Len() == 0 {
		return nil
	}
	_, err := io.WriteString(f.w, fitLine(f.buf.String(), f.width))
	f.buf.Reset()
	return err
}

// fitLine wraps or cuts one line to width runes.
func fitLine(line string, width int) string {
	if width <= 0 || utf8.RuneCountInString(line) <= width {
		return line
	}
	body := strings.TrimLeft(line, " ")
	indent := len(line) - len(body)
	if strings.Contains(body, "  ") { // a table row: keep its columns, cut the tail
		r := []rune(line)
		return string(r[:width-1]) + "…"
	}
	hang := indent
	if strings.HasPrefix(body, "• ") {
		hang += 2
	}
	var lines []string
	cur, empty := strings.Repeat(" ", indent), true
	for _, word := range strings.Fields(body) {
		if !empty && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, cur)
			cur, empty = strings.Repeat(" ", hang), true
		}
		if !empty {
			cur += " "
		}
		cur += word
		empty = false
	}
	return strings.Join(append(lines, cur), "\n")
}
