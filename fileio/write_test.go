package fileio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// text renders s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// noTemps fails when dir holds a temporary file.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".chipgap-") {
			t.Errorf("left a temporary file %s", e.Name())
		}
	}
}

// wantOutputError checks err is an *OutputError reading want.
func wantOutputError(t *testing.T, what string, err error, want string) {
	t.Helper()
	var oe *OutputError
	if !errors.As(err, &oe) || err.Error() != want {
		t.Errorf("%s: %v (%T); want *OutputError %q", what, err, err, want)
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.html")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.html")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", Stdout, target, filepath.Join(dir, "new.html")} {
		if err := CheckOutput("--html", path); err != nil {
			t.Errorf("CheckOutput(%q) = %v", path, err)
		}
	}
	const want = "; want a regular file or a new file name (- for standard output)"
	wantOutputError(t, "a symbolic link", CheckOutput("--html", link), "--html "+link+": is a symbolic link"+want)
	wantOutputError(t, "a directory", CheckOutput("--csv", dir), "--csv "+dir+": is a directory"+want)
	nodir := filepath.Join(dir, "no", "x.html")
	wantOutputError(t, "no directory", CheckOutput("--html", nodir),
		"--html "+nodir+": want a file in an existing directory ("+filepath.Join(dir, "no")+" is not one)")
	if _, err := os.Stat("/dev/null"); err == nil {
		wantOutputError(t, "a device", CheckOutput("--html", "/dev/null"), "--html /dev/null: is a device"+want)
	}
	if fifo, ok := makeFIFO(t, dir); ok {
		wantOutputError(t, "a FIFO", CheckOutput("--html", fifo), "--html "+fifo+": is a FIFO"+want)
	}
}

func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.html")
	wantOutputError(t, "one path twice", CheckOutputs([]Output{{Flag: "--html", Path: a}, {Flag: "--csv", Path: dir + "/./a.html"}}),
		"--html and --csv both name "+dir+"/./a.html: want two files, not the same file")
	wantOutputError(t, "stdout twice", CheckOutputs([]Output{{Flag: "--html", Path: Stdout}, {Flag: "--csv", Path: Stdout}}),
		"--html and --csv both name -: want two files, not the same file")
	if err := CheckOutputs([]Output{{Flag: "--html", Path: a}, {Flag: "--csv", Path: ""}, {Flag: "--x", Path: ""}}); err != nil {
		t.Errorf("unset outputs: %v", err)
	}
}

func TestWriteOutputs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.csv")
	os.WriteFile(b, []byte("old"), 0o600)
	var stdout bytes.Buffer
	err := WriteOutputs(&stdout, []Output{{"--html", a, text("A")}, {"--csv", b, text("B")}, {"--json", Stdout, text("C")}})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{a: "A", b: "B"} {
		got, _ := os.ReadFile(path)
		st, _ := os.Stat(path)
		if string(got) != want || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %q, mode %v; want %q, 0644", path, got, st.Mode().Perm(), want)
		}
	}
	if stdout.String() != "C" {
		t.Errorf("stdout = %q", stdout.String())
	}
	noTemps(t, dir)
}

// TestWriteOutputsRefuses: a path that became a symbolic link while
// chipgap computed is refused, nothing is written, the link is kept.
func TestWriteOutputsRefuses(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.html")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.html")
	os.Symlink(target, link)
	a := filepath.Join(dir, "a.csv")
	err := WriteOutputs(io.Discard, []Output{{"--csv", a, text("A")}, {"--html", link, text("B")}})
	wantOutputError(t, "a symbolic link", err, "--html "+link+": is a symbolic link; want a regular file or a new file name (- for standard output)")
	if _, err := os.Stat(a); err == nil {
		t.Errorf("%s was written", a)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
	noTemps(t, dir)
}

// TestWriteOutputsPartialFailure: a failure while rendering, staging
// or renaming leaves no temporary file and names the flag and path,
// never the temporary file; before any rename, nothing is replaced.
func TestWriteOutputsPartialFailure(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("old"), 0o644)

	err := WriteOutputs(io.Discard, []Output{{"--html", a, text("A")}, {"--csv", b, func(io.Writer) error { return errors.New("no figures") }}})
	if err == nil || err.Error() != "--csv "+b+": no figures" {
		t.Errorf("render failure: %v", err)
	}

	// b's directory goes away while a renders: staging b fails.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	c := filepath.Join(sub, "c.csv")
	rmSub := func(w io.Writer) error { os.Remove(sub); return text("A")(w) }
	err = WriteOutputs(io.Discard, []Output{{"--html", a, rmSub}, {"--csv", c, text("C")}})
	if err == nil || err.Error() != "--csv "+c+": cannot create a file in "+sub+": no such file or directory" {
		t.Errorf("staging failure: %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Errorf("%s replaced before every file was staged: %q", a, got)
	}

	// b becomes a directory once checked: the rename onto it fails.
	mkB := func(w io.Writer) error { os.Mkdir(b, 0o755); return text("A")(w) }
	err = WriteOutputs(io.Discard, []Output{{"--html", a, mkB}, {"--csv", b, text("B")}})
	if err == nil || !strings.HasPrefix(err.Error(), "--csv "+b+": ") || strings.Contains(err.Error(), ".chipgap-") {
		t.Errorf("rename failure: %v; want it to name --csv %s, not the temporary file", err, b)
	}
	noTemps(t, dir)
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "sweep.csv"), filepath.Join(dir, "sweep.parquet")
	os.WriteFile(b, []byte("old"), 0o600)
	// "-" is a file name here, not stdout.
	dash := filepath.Join(dir, "-")
	if err := Replace(File{a, []byte("A")}, File{b, []byte("B")}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{a: "A", b: "B"} {
		got, _ := os.ReadFile(path)
		st, _ := os.Stat(path)
		if string(got) != want || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %q, mode %v; want %q, 0644", path, got, st.Mode().Perm(), want)
		}
	}
	t.Chdir(dir)
	if err := Replace(File{"-", []byte("D")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dash); string(got) != "D" {
		t.Errorf("Replace(-) wrote %q to the file -", got)
	}

	link := filepath.Join(dir, "link.parquet")
	os.Symlink(b, link)
	err := Replace(File{a, []byte("X")}, File{link, []byte("Y")})
	if err == nil || err.Error() != link+": is a symbolic link; refusing to replace it" {
		t.Errorf("Replace(a symbolic link) = %v", err)
	}
	// A directory said "not a regular file (d---------)" of a drwxr-xr-x
	// one (QA): the mode string is named in words, and the error is the
	// caller's (an *OutputError: exit 2).
	sub := filepath.Join(dir, "sub.csv")
	os.Mkdir(sub, 0o755)
	err = Replace(File{sub, []byte("Z")})
	var oe *OutputError
	if err == nil || err.Error() != sub+": is a directory; refusing to replace it" || !errors.As(err, &oe) {
		t.Errorf("Replace(a directory) = %v; want an *OutputError saying it is a directory", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "A" {
		t.Errorf("%s written though %s was refused: %q", a, link, got)
	}
	nodir := filepath.Join(dir, "no", "sweep.parquet")
	if err := Replace(File{nodir, nil}); err == nil || strings.Contains(err.Error(), ".chipgap-") || !strings.HasPrefix(err.Error(), nodir+": ") {
		t.Errorf("Replace(no directory) = %v", err)
	}
	noTemps(t, dir)
}

// TestOutputDirNeedsItsParent: a new output directory is made only in
// an existing directory (sweep --out created a whole missing chain); an
// existing directory and a new name in one pass; a file is refused.
func TestOutputDirNeedsItsParent(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{dir, filepath.Join(dir, "new")} {
		if err := OutputDir("--out", ok); err != nil {
			t.Errorf("%s: %v, want accepted", ok, err)
		}
	}
	miss := filepath.Join(dir, "no", "such", "x")
	wantOutputError(t, "missing parent", OutputDir("--out", miss), "--out "+miss+": want a directory that exists or a new one in an existing directory ("+filepath.Join(dir, "no", "such")+" is not one)")
	wantOutputError(t, "under a file", OutputDir("--out", filepath.Join(file, "x")), "--out "+filepath.Join(file, "x")+": want a directory that exists or a new one in an existing directory ("+file+" is not one)")
	wantOutputError(t, "a file", OutputDir("--out", file), "--out "+file+": not a directory; want a directory (existing, or a new name to create)")
}
