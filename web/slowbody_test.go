package web

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// stalledPost opens a connection to srv and sends a POST to path whose
// headers promise 100,000 bytes of body but whose body is only "{".
func stalledPost(t *testing.T, srvURL, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(srvURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answerOf reads the answer on c, waiting at most wait.
func answerOf(t *testing.T, c net.Conn, wait time.Duration) (int, Error, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, Error{}, err
	}
	defer resp.Body.Close()
	var e Error
	err = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e, err
}

// postTimed posts body to url, giving up after wait, and says how long
// the answer took.
func postTimed(t *testing.T, url, body string, wait time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := (&http.Client{Timeout: wait}).Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Errorf("POST %s: %v after %v", url, err, time.Since(start))
		return 0, time.Since(start)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// TestSlowBodies: clients that send headers and then stall their body
// hold a place to read bodies only for body_timeout_s (then a 408 whose
// message names no socket), so other requests are answered meanwhile.
// Before: the places were held until the server's 30 s ReadTimeout (here
// without one: for ever), every other POST waited for them, and the
// stalled ones got a 400 quoting "read tcp 127.0.0.1:…->…: i/o timeout".
func TestSlowBodies(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxDecoding: 2, BodyTimeout: 200 * time.Millisecond, Timeout: 5 * time.Second})
	var stalled []net.Conn
	for range 3 { // two hold the places, the third waits for one
		stalled = append(stalled, stalledPost(t, srv.URL, "/api/train/estimate"))
	}
	time.Sleep(50 * time.Millisecond)
	const est = `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","ranges":false}`
	if st, took := postTimed(t, srv.URL+"/api/train/estimate", est, 3*time.Second); st != http.StatusOK || took > time.Second {
		t.Errorf("an estimate beside stalled bodies: %d after %v, want 200 once a stalled body's 200 ms are up", st, took)
	}
	for i, c := range stalled {
		st, e, err := answerOf(t, c, 3*time.Second)
		if err != nil || st != http.StatusRequestTimeout || e.Field != "body" || !strings.Contains(e.Msg, "body_timeout_s") {
			t.Errorf("stalled body %d: %d %+v (%v), want 408 naming body and body_timeout_s", i, st, e, err)
		}
		for _, leak := range []string{"127.0.0.1", "tcp", "i/o timeout"} {
			if strings.Contains(e.Msg, leak) {
				t.Errorf("stalled body %d: message %q shows %q", i, e.Msg, leak)
			}
		}
	}
}

// TestBodyWaitCountsAgainstTimeout: the request timeout runs from the
// start of the handler, waiting for a place to read the body and reading
// it included. A stalled body holding the only place is cut off at the
// request timeout (body_timeout_s being longer), and a request waiting
// behind it is answered within its own timeout. Before: both waited for
// ever (the server's ReadTimeout, 30 s, aside).
func TestBodyWaitCountsAgainstTimeout(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxDecoding: 1, BodyTimeout: time.Minute, Timeout: 300 * time.Millisecond})
	start := time.Now()
	c := stalledPost(t, srv.URL, "/api/run/simulate")
	time.Sleep(50 * time.Millisecond)
	st, took := postTimed(t, srv.URL+"/api/train/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","ranges":false}`, 3*time.Second)
	if (st != http.StatusOK && st != http.StatusGatewayTimeout) || took > time.Second {
		t.Errorf("an estimate behind a stalled body: %d after %v, want 200 or 504 within its 300 ms timeout", st, took)
	}
	code, e, err := answerOf(t, c, 3*time.Second)
	if err != nil || code != http.StatusRequestTimeout || e.Field != "body" || time.Since(start) > time.Second {
		t.Errorf("the stalled body: %d %+v (%v) after %v, want 408 at the 300 ms request timeout", code, e, err, time.Since(start))
	}
}
