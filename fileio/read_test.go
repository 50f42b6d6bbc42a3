package fileio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	os.WriteFile(small, []byte("abc"), 0o644)
	if b, err := ReadFile(small, 3); err != nil || string(b) != "abc" {
		t.Errorf("ReadFile(3 bytes, limit 3) = %q, %v", b, err)
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, make([]byte, 2<<20+1), 0o644)
	_, err := ReadFile(big, 2<<20)
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != big+": larger than the 2 MiB limit on input files" {
		t.Errorf("ReadFile(over the limit) = %v", err)
	}
	if _, err := ReadFile(dir, 1<<20); err == nil || err.Error() != dir+": is a directory; want a file" {
		t.Errorf("ReadFile(a directory) = %v", err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	if _, err := ReadFile(missing, 1<<20); err == nil || err.Error() != missing+": no such file or directory" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v; want the path once, no operation", err)
	}
}

// TestReadFileEndless: /dev/zero has size 0 and never ends; it is
// refused after the limit, not read until memory runs out.
func TestReadFileEndless(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ReadFile("/dev/zero", 1<<20)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != "/dev/zero" || err.Error() != "/dev/zero: larger than the 1 MiB limit on input files" {
		t.Errorf("ReadFile(/dev/zero) = %v", err)
	}
}

func TestOpen(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		r, err := Open("/dev/zero", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		r.Close()
		var tl *TooLargeError
		if !errors.As(err, &tl) || n != 1<<20+1 {
			t.Errorf("reading /dev/zero: %d bytes, %v; want a *TooLargeError just past the limit", n, err)
		}
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "trace.csv")
	os.WriteFile(f, []byte("0,1,2\n"), 0o644)
	r, err := Open(f, 6)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || string(b) != "0,1,2\n" {
		t.Errorf("Open(6 bytes, limit 6): %q, %v", b, err)
	}
	missing := filepath.Join(dir, "missing.csv")
	if _, err := Open(missing, 1); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("Open(missing) = %v", err)
	}
	// A directory is refused as ReadFile refuses it (it opened, and the
	// read's error surfaced as "trace line 1: ...: is a directory").
	if _, err := Open(dir, 1); err == nil || err.Error() != dir+": is a directory; want a file" {
		t.Errorf("Open(a directory) = %v", err)
	}
}

func TestBareError(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), ".chipgap-123"))
	if got := BareError(err); strings.Contains(got.Error(), ".chipgap-") || !errors.Is(got, os.ErrNotExist) {
		t.Errorf("BareError(%v) = %v", err, got)
	}
	err = os.Rename(filepath.Join(t.TempDir(), ".chipgap-1"), filepath.Join(t.TempDir(), "x"))
	if got := BareError(err); strings.Contains(got.Error(), ".chipgap-") {
		t.Errorf("BareError(%v) = %v", err, got)
	}
}

// TestReadFrom: standard input (a stream) is read under the limit a
// file of the same kind has, with the same errors naming it.
func TestReadFrom(t *testing.T) {
	if b, err := ReadFrom(strings.NewReader("abc"), Stdin, 3); err != nil || string(b) != "abc" {
		t.Errorf("ReadFrom(3 bytes, limit 3) = %q, %v", b, err)
	}
	_, err := ReadFrom(strings.NewReader(strings.Repeat("x", 2<<20+1)), Stdin, 2<<20)
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != "-: larger than the 2 MiB limit on input files" {
		t.Errorf("ReadFrom(over the limit) = %v", err)
	}
	r := OpenFrom(strings.NewReader(strings.Repeat("x", 1<<20+1)), Stdin, 1<<20)
	if _, err := io.ReadAll(r); !errors.As(err, &tl) || err.Error() != "-: larger than the 1 MiB limit on input files" {
		t.Errorf("OpenFrom(over the limit) read: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("OpenFrom close: %v", err)
	}
}

// TestCheckNotInputsStdin: an input "-" is standard input, not the file
// named "-" that an output may be ("./-").
func TestCheckNotInputsStdin(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("-", []byte("x"), 0o644)
	if err := CheckNotInputs([]Output{{Flag: "--html", Path: "./-"}}, Stdin); err != nil {
		t.Errorf("--html ./- beside the input - (standard input): %v; want no refusal", err)
	}
	if err := CheckNotInputs([]Output{{Flag: "--html", Path: "./-"}}, "./-"); err == nil {
		t.Error("--html ./- beside the input file it is: want a refusal")
	}
}
