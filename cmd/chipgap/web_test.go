package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+/)`)

// TestWebServes starts "chipgap web" on a free loopback port, reads the
// printed address, lists the chips over the API and stops it by
// cancelling the context: exit 0.
func TestWebServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"web", "--addr", "127.0.0.1:0", "--quiet"}, strings.NewReader(""), &stdout, &stderr)
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("chipgap web printed no address; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	resp, err := http.Get(base + "api/chips")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Chips []struct{ ID string } }
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(got.Chips) == 0 {
		t.Fatalf("GET %sapi/chips = %d, %d chips, %v", base, resp.StatusCode, len(got.Chips), err)
	}
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("chipgap web after cancel exited %d, want 0; stderr %q", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chipgap web did not stop after its context was cancelled")
	}
}

func TestWebUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"web", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"web", "--timeout", "0s"}, exitUsage, "--timeout"},
		{[]string{"web", "--addr", "256.0.0.1:bad"}, exitUsage, `--addr "256.0.0.1:bad": want a port`},
		{[]string{"web", "--addr", "nope"}, exitUsage, `--addr "nope": want host:port`},
		{[]string{"web", "--addr", "127.0.0.1:99999"}, exitUsage, "want a port 0 to 65535"},
		{[]string{"web", "--addr", "256.0.0.1:0"}, exitFailure, "listen on 256.0.0.1:0"},
		{[]string{"web", "--help"}, exitOK, ""},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		got := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if got != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("chipgap %v = %d, stderr %q; want %d mentioning %q", tc.args, got, stderr.String(), tc.code, tc.msg)
		}
	}
}
