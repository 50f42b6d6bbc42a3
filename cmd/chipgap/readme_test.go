package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeExample is one "$ chipgap ..." line of a fenced block in the
// README and the output lines shown under it.
type readmeExample struct {
	line  int // of the command in README.md
	args  []string
	shown []string
}

// readmeExamples reads the fenced blocks of a README: each line starting
// "$ chipgap " (with its "\" continuations) is a command, and the lines
// after it up to the next "$ " line or the block's end are what the
// README says it prints. Lines starting "..." elide output and are not
// shown lines; a "# comment" after the command is dropped.
func readmeExamples(text string) []readmeExample {
	var out []readmeExample
	lines := strings.Split(text, "\n")
	in := false
	var cur *readmeExample
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "```") {
			flush()
			in = !in
			continue
		}
		if !in {
			continue
		}
		if strings.HasPrefix(l, "$ ") {
			flush()
			if !strings.HasPrefix(l, "$ chipgap ") {
				continue
			}
			at := i + 1
			cmd := strings.TrimPrefix(l, "$ ")
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			}
			if c, _, ok := strings.Cut(cmd, " #"); ok {
				cmd = c
			}
			cur = &readmeExample{line: at, args: strings.Fields(cmd)[1:]}
			continue
		}
		if cur != nil && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "...") {
			cur.shown = append(cur.shown, strings.TrimRight(l, " "))
		}
	}
	flush()
	return out
}

// The README is the front door and must stay true: every "$ chipgap"
// example whose files exist is run, and every output line it shows must
// be a line of what the command prints now (stdout or stderr). Lines
// with a search's speed ("plans/s") vary run to run and are skipped;
// examples that read a file the repository does not have (a user's
// bad.yaml, req.yaml) are skipped.
func TestREADMEExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ex := readmeExamples(string(b))
	if len(ex) < 8 {
		t.Fatalf("found %d README examples, want the 8 or more it has", len(ex))
	}
	ran := 0
	for _, e := range ex {
		args, missing := append([]string(nil), e.args...), ""
		for i, a := range args {
			if strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".json") {
				p := filepath.Join("..", "..", a)
				if _, err := os.Stat(p); err != nil {
					missing = a
					break
				}
				args[i] = p
			}
		}
		if missing != "" || len(e.shown) == 0 {
			continue
		}
		ran++
		_, out, errs := runCmd(t, args...)
		got := map[string]bool{}
		for _, l := range strings.Split(out+"\n"+errs, "\n") {
			// A printed path is the test's ../../ form of the README's.
			got[strings.ReplaceAll(strings.TrimRight(l, " "), filepath.Join("..", "..")+"/", "")] = true
		}
		for _, s := range e.shown {
			if strings.Contains(s, "plans/s") {
				continue
			}
			if !got[s] {
				t.Errorf("README.md:%d: chipgap %s no longer prints\n  %s\n(update the README with what it prints now)", e.line, strings.Join(e.args, " "), s)
			}
		}
	}
	if ran < 8 {
		t.Errorf("ran %d README examples, want 8 or more", ran)
	}
}

// The README parser on a hand-written page: a continued command, a
// comment, an elided line, a non-chipgap command and two commands in one
// block.
func TestReadmeExamplesParse(t *testing.T) {
	page := "text\n```\n$ chipgap fab --chip b200 \\\n    --json\nline one\n... (more)\nline two  \n$ cat x\nnot shown\n$ chipgap models   # all\nm1\n```\n$ chipgap outside\n"
	ex := readmeExamples(page)
	if len(ex) != 2 {
		t.Fatalf("%d examples, want 2: %+v", len(ex), ex)
	}
	if got := strings.Join(ex[0].args, " "); got != "fab --chip b200 --json" || ex[0].line != 3 ||
		strings.Join(ex[0].shown, "|") != "line one|line two" {
		t.Errorf("first example %+v", ex[0])
	}
	if got := strings.Join(ex[1].args, " "); got != "models" || strings.Join(ex[1].shown, "|") != "m1" {
		t.Errorf("second example %+v", ex[1])
	}
}
