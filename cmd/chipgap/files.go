package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Every file chipgap reads or writes goes through this file: input is
// read with a size limit, output is checked before any work starts and
// written through a temporary file beside it.

// Size limits on the files chipgap reads, named in each command's --help.
const (
	// maxConfigBytes bounds a scenario file or a published-runs file: the
	// largest checked-in one is 44 KB (validation/holdout-runs.yaml).
	maxConfigBytes = 4 << 20
	// maxTraceBytes bounds a request trace (CSV or JSONL): about a
	// million requests at ~30 bytes a line.
	maxTraceBytes = 64 << 20
)

// limitText is how --help and errors say a size limit.
func limitText(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// errTooLarge is the error of a read past its limit.
type errTooLarge struct {
	path  string
	limit int64
}

func (e *errTooLarge) Error() string {
	return fmt.Sprintf("%s: larger than the %s limit on input files", e.path, limitText(e.limit))
}

// readInput reads the file at path, refusing one larger than limit
// (a regular file by its size, before reading; anything else, such as
// /dev/zero or a pipe, after limit bytes). Errors are one line naming
// path.
func readInput(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%s: is a directory; want a file", path)
		}
		if st.Mode().IsRegular() && st.Size() > limit {
			return nil, &errTooLarge{path, limit}
		}
	}
	b, err := io.ReadAll(limitReader(fh, path, limit))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// limitReader returns r, failing with errTooLarge once it yields more
// than limit bytes.
func limitReader(r io.Reader, path string, limit int64) io.Reader {
	return &boundedReader{r: r, path: path, left: limit + 1, limit: limit}
}

type boundedReader struct {
	r           io.Reader
	path        string
	left, limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &errTooLarge{b.path, b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left <= 0 {
		return n, &errTooLarge{b.path, b.limit}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = pathError(b.path, err)
	}
	return n, err
}

// pathError is err as one line naming path once (an *os.PathError names
// the path itself; its operation adds nothing for the user).
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// stdoutPath is the output path that means standard output.
const stdoutPath = "-"

// outFile is one output file: the flag that named it, its path ("-" is
// stdout) and how to render it.
type outFile struct {
	flag   string
	path   string
	render func(io.Writer) error
}

// checkOutput refuses, before any work, an output path chipgap must not
// replace: only a regular file or a new name in an existing directory
// is written ("-" is stdout). A symbolic link, a directory, a device, a
// FIFO or a socket is a usage error naming flag and path.
func checkOutput(flag, path string) error {
	if path == "" || path == stdoutPath {
		return nil
	}
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if dst, err := os.Stat(dir); err != nil || !dst.IsDir() {
			return usagef("%s %s: want a file in an existing directory (%s is not one)", flag, path, dir)
		}
		return nil
	case err != nil:
		return usagef("%s %s: %v", flag, path, bareError(err))
	}
	if what := notRegular(st.Mode()); what != "" {
		return usagef("%s %s: is %s; want a regular file or a new file name (- for standard output)", flag, path, what)
	}
	return nil
}

// notRegular names what a non-regular file is, or "" for a regular file.
func notRegular(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// checkOutputs checks every output and refuses two naming the same path
// (or both standard output).
func checkOutputs(outs []outFile) error {
	seen := map[string]string{}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		if prev, ok := seen[filepath.Clean(o.path)]; ok {
			return usagef("%s and %s both name %s: want two files, not the same file", prev, o.flag, o.path)
		}
		seen[filepath.Clean(o.path)] = o.flag
		if err := checkOutput(o.flag, o.path); err != nil {
			return err
		}
	}
	return nil
}

// writeOutputs renders every output into memory, then writes "-" to
// stdout and each file to a temporary file beside it, renaming them only
// when all are written: a failure leaves neither a partial set nor a
// temporary file. The paths are checked again first (something may have
// replaced them while chipgap computed). Errors name the flag and the
// path, never the temporary file.
func writeOutputs(stdout io.Writer, outs []outFile) error {
	if err := checkOutputs(outs); err != nil {
		return err
	}
	bufs := make([][]byte, len(outs))
	for i, o := range outs {
		var b bytes.Buffer
		if err := o.render(&b); err != nil {
			return fmt.Errorf("%s %s: %w", o.flag, o.path, err)
		}
		bufs[i] = b.Bytes()
	}
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // the renamed ones are gone already
		}
	}()
	for i, o := range outs {
		tmp := ""
		if o.path != stdoutPath {
			var err error
			if tmp, err = stageFile(o.path, bufs[i]); err != nil {
				return fmt.Errorf("%s %s: %w", o.flag, o.path, err)
			}
		}
		tmps = append(tmps, tmp)
	}
	for i, o := range outs {
		if o.path == stdoutPath {
			if _, err := stdout.Write(bufs[i]); err != nil {
				return fmt.Errorf("%s -: %w", o.flag, err)
			}
			continue
		}
		if err := os.Rename(tmps[i], o.path); err != nil {
			return fmt.Errorf("%s %s: %w", o.flag, o.path, bareError(err))
		}
	}
	return nil
}

// stageFile writes b to a new temporary file beside path and returns
// its name. Errors do not name the temporary file.
func stageFile(path string, b []byte) (string, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".chipgap-*")
	if err != nil {
		return "", fmt.Errorf("cannot create a file in %s: %w", dir, bareError(err))
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", bareError(err)
	}
	return tmp.Name(), nil
}

// bareError strips the path (a temporary file's name) from an
// *os.PathError or *os.LinkError, keeping the cause.
func bareError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
