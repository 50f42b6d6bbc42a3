package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chipgap/fileio"
)

// badInput is one bad invocation: the exit code and a part of the one
// line chipgap must print on stderr.
type badInput struct {
	args []string
	code int
	want string
}

// checkBadInputs runs every case and checks the contract for bad input:
// the exit code, exactly one line on stderr naming the problem, no
// stack trace or panic, and an answer within a few seconds.
func checkBadInputs(t *testing.T, cases []badInput) {
	t.Helper()
	for _, c := range cases {
		start := time.Now()
		code, _, errs := runCmd(t, c.args...)
		took := time.Since(start)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("chipgap %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
		if n := strings.Count(errs, "\n"); n != 1 || !strings.HasSuffix(errs, "\n") {
			t.Errorf("chipgap %s: stderr has %d lines, want one: %q", strings.Join(c.args, " "), n, errs)
		}
		for _, bad := range []string{"goroutine ", "panic", ".chipgap-"} {
			if strings.Contains(errs, bad) {
				t.Errorf("chipgap %s: stderr shows %q: %s", strings.Join(c.args, " "), bad, errs)
			}
		}
		if took > 5*time.Second {
			t.Errorf("chipgap %s: took %v, want a fast refusal", strings.Join(c.args, " "), took)
		}
	}
}

// TestBadInputFiles: every file chipgap reads is bounded; /dev/zero and
// /dev/urandom (endless) used to end in "fatal error: out of memory".
func TestBadInputFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, fileio.MaxConfigBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	const limit = "larger than the 4 MiB limit"
	checkBadInputs(t, []badInput{
		{[]string{"report", "/dev/zero"}, exitFailure, "/dev/zero: " + limit},
		{[]string{"report", "/dev/urandom"}, exitFailure, "/dev/urandom: " + limit},
		{[]string{"report", big}, exitFailure, limit},
		{[]string{"report", dir}, exitFailure, "is a directory"},
		{[]string{"train", "--file", "/dev/zero"}, exitFailure, limit},
		{[]string{"validate", "/dev/zero"}, exitFailure, limit},
		{[]string{"run", "--scenario", "/dev/zero"}, exitFailure, limit},
		{[]string{"serve-estimate", "--scenario", "/dev/zero"}, exitFailure, limit},
		{[]string{"simulate", "--scenario", "/dev/zero"}, exitFailure, limit},
		{[]string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--trace", "/dev/zero"}, exitFailure, "/dev/zero"},
	})
}

// TestBadOutputFiles: an output path must be a regular file or a new
// name; anything else is refused before any work, with one line naming
// the path, and is left as it was. Before: --html replaced a device node,
// a symbolic link or a FIFO with a regular file, and errors named the
// hidden temporary file after the whole computation.
func TestBadOutputFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.html")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.html")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	cases := []badInput{
		{[]string{"report", "--html", link}, exitUsage, "--html " + link + ": is a symbolic link"},
		{[]string{"report", "--csv", dir}, exitUsage, "--csv " + dir + ": is a directory"},
		{[]string{"report", "--html", filepath.Join(dir, "no", "x.html")}, exitUsage, "want a file in an existing directory"},
		{[]string{"report", "--html", "-", "--csv", "-"}, exitUsage, "both name -"},
		{[]string{"report", "--html", "-", "--json"}, exitUsage, "both want stdout"},
		{[]string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chart", "-"}, exitUsage, "--chart -"},
		{[]string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chart", link[:len(link)-5]}, exitUsage, "is a symbolic link"},
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		cases = append(cases, badInput{[]string{"report", "--html", "/dev/null"}, exitUsage, "--html /dev/null: is a device"})
	}
	if fifo, ok := makeFIFO(t, dir); ok {
		cases = append(cases, badInput{[]string{"report", "--html", fifo}, exitUsage, "is a FIFO"})
		defer func() {
			if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the FIFO was replaced: %v", err)
			}
		}()
	}
	// --chart PREFIX writes PREFIX-queue.svg: make that name the link.
	os.Symlink(target, link[:len(link)-5]+"-queue.svg")
	checkBadInputs(t, cases)
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".chipgap-") {
			t.Errorf("left a temporary file %s", e.Name())
		}
	}
}

// TestOutputStdout: --csv - writes the CSV on stdout instead of the summary.
func TestOutputStdout(t *testing.T) {
	code, out, errs := runCmd(t, "report", "--samples", "10", "--csv", "-")
	if code != 0 || !strings.HasPrefix(out, "section,subject,figure,unit,") {
		t.Errorf("report --csv -: exit %d, stderr %q, stdout starts %q", code, errs, out[:min(len(out), 60)])
	}
}

// TestBadArguments: arguments a command does not take are usage errors.
// Before: help nosuch, version extra and version --bogus exited 0.
func TestBadArguments(t *testing.T) {
	checkBadInputs(t, []badInput{
		{[]string{"help", "nosuch"}, exitUsage, `unknown command "nosuch"`},
		{[]string{"help", "report", "extra"}, exitUsage, "at most one command"},
		{[]string{"version", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"version", "--bogus"}, exitUsage, `unexpected argument "--bogus"`},
	})
}

// TestBadNumbers: every float flag refuses NaN and ±Inf, durations are
// bounded before they become a time.Duration, and parallel degrees go
// through the training plan's rules in serve-estimate too. Before: train
// --tokens NaN exited 0, --tpot 1e300s printed a 300-digit duration,
// simulate --ttft 1e12s reported a negative duration, models --seq
// 99999999999999 printed 13,107,200 TB, and serve-estimate took --tp 3
// and --ep 7 on Mixtral.
func TestBadNumbers(t *testing.T) {
	dir := t.TempDir()
	nan := filepath.Join(dir, "nan.yaml")
	os.WriteFile(nan, []byte("simulate:\n  model: llama3.1-8b\n  chip: h100-sxm\n  rate: .nan\n"), 0o644)
	nanReport := filepath.Join(dir, "nan-report.yaml")
	os.WriteFile(nanReport, []byte("format: chipgap-scenario/v1\ntraining:\n  tokens: .nan\n"), 0o644)
	train := []string{"train", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "8", "--global-batch", "64", "--seq", "4096"}
	serve := []string{"serve-estimate", "--model", "mixtral-8x7b", "--chip", "h100-sxm", "--chips", "8"}
	sim := []string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm"}
	checkBadInputs(t, []badInput{
		{append(train, "--tokens", "NaN"), exitUsage, "--tokens NaN: want a finite number"},
		{append(train, "--tokens", "Inf"), exitUsage, "--tokens +Inf: want a finite number"},
		{append(train, "--scale-out-gbps", "NaN"), exitUsage, "--scale-out-gbps NaN"},
		{append(serve, "--tpot", "1e300s"), exitUsage, "--tpot = 1e+300 s: want 0 (no bound) to 86400 s"},
		{append(serve, "--tpot", "NaN"), exitUsage, "--tpot = NaN"},
		{append(serve, "--spec-acceptance", "-Inf"), exitUsage, "--spec-acceptance -Inf"},
		{append(serve, "--tp", "3"), exitUsage, "--tp = 3: must divide the 32 attention heads"},
		{append(serve, "--ep", "7"), exitUsage, "--ep = 7: must divide the 8 routed experts"},
		{append(sim, "--ttft", "1e12s"), exitUsage, "--ttft = 1e+12 s: want 0 (no bound) to 86400 s"},
		{append(sim, "--rate", "NaN"), exitUsage, "--rate NaN"},
		{[]string{"simulate", "--scenario", nan}, exitUsage, "workload.rate = NaN: want a positive request rate per second"},
		{[]string{"report", nanReport}, exitUsage, `field training.tokens: invalid count ".nan"`},
		{[]string{"models", "llama3.1-8b", "--seq", "99999999999999"}, exitUsage, "--seq = 99999999999999: want 1 to 10000000"},
		{[]string{"fab", "--die-area", "NaN"}, exitUsage, "--die-area = NaN"},
		{[]string{"run", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "8", "--days", "1", "--interval", "1e300s"}, exitUsage, "interval"},
	})
}

// An output that is one of the command's inputs is refused before any
// work (exit 2) and the input is left as it was: `report ep.yaml --html
// ep.yaml` replaced the scenario with its report (session 77's QA pass).
func TestOutputIsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "ep.yaml")
	const body = "format: chipgap-scenario/v1\nsamples: 10\n"
	if err := os.WriteFile(sc, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--html", "--csv"} {
		code, _, stderr := runCLI("report", sc, flag, filepath.Join(dir, ".", "ep.yaml"))
		if got, _ := os.ReadFile(sc); code != exitUsage || !strings.Contains(stderr, "is the input") || string(got) != body {
			t.Errorf("report %s %s naming its scenario: exit %d, %q; scenario now %q", sc, flag, code, stderr, got)
		}
	}
}

// A trace line that does not parse or check is bad input (exit 2); a
// trace that cannot be read is exit 1 (README, "Exit codes"). Before,
// both were 1.
func TestTraceExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "t.csv")
	os.WriteFile(bad, []byte("arrival_s,prompt_tokens,output_tokens\n0.5,100,10\n0.2,200,20\n"), 0o644)
	sim := []string{"simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--tp", "1", "--trace"}
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{bad, exitUsage, "trace line 3: arrival 0.2 s is before"},
		{dir, exitFailure, "is a directory"},
	} {
		if code, _, stderr := runCLI(append(sim, tc.path)...); code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("simulate --trace %s: exit %d, %q; want %d mentioning %q", tc.path, code, stderr, tc.code, tc.want)
		}
	}
}

// `run` bounds its cluster (10⁷ chips ran past a minute with no output)
// and its checkpoint bandwidth (1 B/s blamed an internal interval).
func TestRunBounds(t *testing.T) {
	base := []string{"run", "--model", "llama3.1-405b", "--chip", "h100-sxm", "--days", "5", "--mfu", "0.4", "--seeds", "2"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--chips", "10000000"}, "--chips = 10000000: want 1 to 1048576"},
		{[]string{"--chips", "1024", "--storage-bw", "1"}, "--storage-bw = 1 B/s: want 0 (the catalog's default) or at least 1MB/s"},
	} {
		if code, _, stderr := runCLI(append(base, tc.args...)...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("run %v: exit %d, %q; want 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}
