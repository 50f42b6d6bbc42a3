package plot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n   int
	got strings.Builder
}

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.got.Len()+len(p) > f.n {
		return 0, errFull
	}
	return f.got.WriteString(string(p))
}

func TestErrWriterKeepsTheFirstError(t *testing.T) {
	dst := &failAfter{n: 5}
	ew := &ErrWriter{W: dst}
	fmt.Fprint(ew, "abc")
	fmt.Fprint(ew, "defg") // fails: 7 > 5
	fmt.Fprint(ew, "h")    // would fit, but is dropped after the failure
	if !errors.Is(ew.Err, errFull) {
		t.Fatalf("Err = %v, want %v", ew.Err, errFull)
	}
	if dst.got.String() != "abc" {
		t.Fatalf("written %q, want %q (nothing after the first failure)", dst.got.String(), "abc")
	}
}
