package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Size limits on the files the CLI reads, named in each command's --help.
const (
	// MaxConfigBytes bounds a scenario file or a published-runs file: the
	// largest checked-in one is 44 KB (validation/holdout-runs.yaml).
	MaxConfigBytes = 4 << 20
	// MaxTraceBytes bounds a request trace (CSV or JSONL): about a
	// million requests at ~30 bytes a line.
	MaxTraceBytes = 64 << 20
)

// Stdin is the input path that means standard input, as Stdout is the
// output path for standard output. ReadFile and Open take a file's path;
// a caller that lets "-" name standard input reads it with ReadFrom or
// OpenFrom, under the same limits and with the same errors.
const Stdin = "-"

// TooLargeError is a read past its limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than the %s limit on input files", e.Path, limitText(e.Limit))
}

// limitText is how errors say a size limit.
func limitText(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// ReadFile reads the file at path, refusing one larger than limit (a
// regular file by its size, before reading; anything else, such as
// /dev/zero or a pipe, after limit bytes) and a directory. Errors are
// one line naming path.
func ReadFile(path string, limit int64) ([]byte, error) {
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
			return nil, &TooLargeError{path, limit}
		}
	}
	b, err := io.ReadAll(limitReader(fh, path, limit))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ReadFrom reads r (standard input, named Stdin) to its end as ReadFile
// reads a file: more than limit bytes is a *TooLargeError, and errors
// are one line naming name.
func ReadFrom(r io.Reader, name string, limit int64) ([]byte, error) {
	return io.ReadAll(limitReader(r, name, limit))
}

// OpenFrom is Open for a stream already open (standard input, named
// Stdin): a read past limit fails with a *TooLargeError naming name.
// Closing it leaves r open.
func OpenFrom(r io.Reader, name string, limit int64) io.ReadCloser {
	return io.NopCloser(limitReader(r, name, limit))
}

// Open opens the file at path for a streaming read that fails with a
// *TooLargeError once it yields more than limit bytes. Errors are one
// line naming path.
func Open(path string, limit int64) (io.ReadCloser, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		fh.Close()
		return nil, fmt.Errorf("%s: is a directory; want a file", path)
	}
	return struct {
		io.Reader
		io.Closer
	}{limitReader(fh, path, limit), fh}, nil
}

// limitReader returns r, failing with a *TooLargeError once it yields
// more than limit bytes.
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
		return 0, &TooLargeError{b.path, b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left <= 0 {
		return n, &TooLargeError{b.path, b.limit}
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

// BareError strips the path (a temporary file's name, or one the caller
// names itself) from an *os.PathError or *os.LinkError, keeping the
// cause.
func BareError(err error) error {
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
