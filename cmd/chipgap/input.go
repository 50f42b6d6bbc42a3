package main

import (
	"fmt"
	"io"

	"chipgap/fileio"
)

// readInput reads one of the command's input files, the one reader of
// them all: path, or standard input where path is "-" (fileio.Stdin),
// with the same limit and the same errors. what names the input in an
// error: its flag ("--scenario: PATH: cause"), or "" for a positional
// argument ("PATH: cause"). One input at most may be "-" (takeStdin).
func (e *env) readInput(what, path string, limit int64) ([]byte, error) {
	if path != fileio.Stdin {
		b, err := fileio.ReadFile(path, limit)
		return b, inputError(what, err)
	}
	if err := e.takeStdin(what); err != nil {
		return nil, err
	}
	b, err := fileio.ReadFrom(e.stdin, path, limit)
	return b, inputError(what, err)
}

// openInput is readInput for a file read as a stream (a request trace).
func (e *env) openInput(what, path string, limit int64) (io.ReadCloser, error) {
	if path != fileio.Stdin {
		r, err := fileio.Open(path, limit)
		return r, inputError(what, err)
	}
	if err := e.takeStdin(what); err != nil {
		return nil, err
	}
	return fileio.OpenFrom(e.stdin, path, limit), nil
}

// takeStdin gives standard input to the input what names, refusing a
// second input that asks for it (it can be read once): a usage error.
func (e *env) takeStdin(what string) error {
	if !e.stdinTaken {
		e.stdinTaken, e.stdinBy = true, what
		return nil
	}
	return stdinTwiceError(inputLabel(e.stdinBy), inputLabel(what))
}

// stdinTwiceError refuses a second input given - (standard input), by
// takeStdin as it reads and by stdinTwice before any is read.
func stdinTwiceError(first, second string) error {
	return usagef("- (standard input) given twice (%s, %s): it can be read once; give one of them a file", first, second)
}

// inputLabel names an input in takeStdin's error: its flag, or
// "argument".
func inputLabel(what string) string {
	if what == "" {
		return "argument"
	}
	return what
}

// inputError prefixes a read error with the flag that named the file.
func inputError(what string, err error) error {
	if err == nil || what == "" {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
