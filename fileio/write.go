package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Stdout is the output path that means standard output.
const Stdout = "-"

// OutputError is an output path chipgap must not write (a symbolic link,
// a directory, a device, two flags naming one file): the caller's
// mistake, a usage error. Its message names the flag and the path.
type OutputError struct{ msg string }

func (e *OutputError) Error() string { return e.msg }

func outputErrorf(format string, a ...any) error {
	return &OutputError{fmt.Sprintf(format, a...)}
}

// OutputDir checks an output directory a command will create or write
// into: an existing path must be a directory (not a file, a device or a
// link to one), and a new one is created only in an existing directory,
// as CheckOutput takes a new file only there (a mistyped parent is not
// created as a whole chain); else an *OutputError naming the flag.
func OutputDir(flag, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		parent := filepath.Dir(filepath.Clean(path))
		if pst, err := os.Stat(parent); err != nil || !pst.IsDir() {
			return outputErrorf("%s %s: want a directory that exists or a new one in an existing directory (%s is not one)", flag, path, parent)
		}
		return nil // created
	case err != nil:
		return err
	case !fi.IsDir():
		return outputErrorf("%s %s: not a directory; want a directory (existing, or a new name to create)", flag, path)
	}
	return nil
}

// Output is one output file: the flag that named it, its path (Stdout
// is standard output) and how to render it.
type Output struct {
	Flag   string
	Path   string
	Render func(io.Writer) error
}

// CheckOutput refuses, before any work, an output path chipgap must not
// replace: only a regular file or a new name in an existing directory
// is written ("" is none, Stdout is standard output). A symbolic link, a
// directory, a device, a FIFO or a socket is an *OutputError naming flag
// and path.
func CheckOutput(flag, path string) error {
	if path == "" || path == Stdout {
		return nil
	}
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if dst, err := os.Stat(dir); err != nil || !dst.IsDir() {
			return outputErrorf("%s %s: want a file in an existing directory (%s is not one)", flag, path, dir)
		}
		return nil
	case err != nil:
		return outputErrorf("%s %s: %v", flag, path, BareError(err))
	}
	if what := notRegular(st.Mode()); what != "" {
		return outputErrorf("%s %s: is %s; want a regular file or a new file name (- for standard output)", flag, path, what)
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

// CheckOutputs checks every output and refuses two naming the same path
// (or both standard output).
func CheckOutputs(outs []Output) error {
	seen := map[string]string{}
	for _, o := range outs {
		if o.Path == "" {
			continue
		}
		if prev, ok := seen[filepath.Clean(o.Path)]; ok {
			return outputErrorf("%s and %s both name %s: want two files, not the same file", prev, o.Flag, o.Path)
		}
		seen[filepath.Clean(o.Path)] = o.Flag
		if err := CheckOutput(o.Flag, o.Path); err != nil {
			return err
		}
	}
	return nil
}

// CheckNotInputs refuses an output that is one of the command's input
// files (the same file by any path): writing it would replace what the
// command read, such as a scenario with its own HTML report.
func CheckNotInputs(outs []Output, inputs ...string) error {
	for _, o := range outs {
		if o.Path == "" || o.Path == Stdout {
			continue
		}
		out, err := os.Stat(o.Path)
		if err != nil {
			continue // a new file is no input
		}
		for _, in := range inputs {
			if in == "" || in == Stdin {
				continue // standard input is no file an output replaces
			}
			if st, err := os.Stat(in); err == nil && os.SameFile(out, st) {
				return outputErrorf("%s %s is the input %s: want another file (writing it would replace what was read)", o.Flag, o.Path, in)
			}
		}
	}
	return nil
}

// WriteOutputs renders every output into memory, then writes Stdout to
// stdout and each file to a temporary file beside it, renaming them only
// when all are written: a failure leaves neither a partial set nor a
// temporary file. The paths are checked again first (something may have
// replaced them while chipgap computed). Errors name the flag and the
// path, never the temporary file.
func WriteOutputs(stdout io.Writer, outs []Output) error {
	if err := CheckOutputs(outs); err != nil {
		return err
	}
	ts := make([]target, len(outs))
	for i, o := range outs {
		var b bytes.Buffer
		if err := o.Render(&b); err != nil {
			return fmt.Errorf("%s %s: %w", o.Flag, o.Path, err)
		}
		ts[i] = target{o.Flag + " " + o.Path, o.Path, b.Bytes()}
	}
	return writeAll(stdout, ts)
}

// File is one file of a set Replace writes: its path and its bytes.
type File struct {
	Path string
	Data []byte
}

// Replace writes files as WriteOutputs does, each through a temporary
// file beside it, renamed into place in order only when all are written.
// A symbolic link, directory or other non-regular file at a path is
// refused before anything is written (an *OutputError). Errors name the path, never the
// temporary file.
func Replace(files ...File) error {
	ts := make([]target, len(files))
	for i, f := range files {
		if st, err := os.Lstat(f.Path); err == nil && !st.Mode().IsRegular() {
			return outputErrorf("%s: is %s; refusing to replace it", f.Path, notRegular(st.Mode()))
		}
		ts[i] = target{f.Path, f.Path, f.Data}
	}
	return writeAll(nil, ts)
}

// target is one file to write: what errors call it, its path (Stdout
// for standard output) and its bytes.
type target struct {
	label, path string
	data        []byte
}

// stdout reports whether t goes to stdout rather than a file (never
// without a stdout: Replace writes a file named "-").
func (t target) stdout(stdout io.Writer) bool { return stdout != nil && t.path == Stdout }

// writeAll stages every file beside its path, then, in order, renames
// each into place or writes Stdout's bytes to stdout (nil: none). Temporary files
// are removed whatever fails.
func writeAll(stdout io.Writer, ts []target) error {
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // the renamed ones are gone already
		}
	}()
	for _, t := range ts {
		tmp := ""
		if !t.stdout(stdout) {
			var err error
			if tmp, err = stageFile(t.path, t.data); err != nil {
				return fmt.Errorf("%s: %w", t.label, err)
			}
		}
		tmps = append(tmps, tmp)
	}
	for i, t := range ts {
		if t.stdout(stdout) {
			if _, err := stdout.Write(t.data); err != nil {
				return fmt.Errorf("%s: %w", t.label, err)
			}
			continue
		}
		if err := os.Rename(tmps[i], t.path); err != nil {
			return fmt.Errorf("%s: %w", t.label, BareError(err))
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
		return "", fmt.Errorf("cannot create a file in %s: %w", dir, BareError(err))
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
		return "", BareError(err)
	}
	return tmp.Name(), nil
}
