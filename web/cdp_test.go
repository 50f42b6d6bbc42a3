package web

// A minimal Chrome DevTools Protocol client over a websocket, stdlib only,
// for the browser test: enough to open a page, evaluate JavaScript (which
// clicks and reads the DOM) and take a screenshot. It speaks RFC 6455
// text frames; the browser's frames are unmasked and ours are masked.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"time"
)

// wsConn is one client websocket connection.
type wsConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialWS(ctx context.Context, rawURL string) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		c.Close()
		return nil, fmt.Errorf("websocket handshake with %s: %s", rawURL, resp.Status)
	}
	return &wsConn{c: c, br: br}, nil
}

// writeText sends one masked text frame.
func (w *wsConn) writeText(p []byte) error {
	var hdr []byte
	hdr = append(hdr, 0x81) // FIN, text
	switch n := len(p); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	hdr = append(hdr, mask[:]...)
	body := make([]byte, len(p))
	for i := range p {
		body[i] = p[i] ^ mask[i%4]
	}
	_, err := w.c.Write(append(hdr, body...))
	return err
}

// readMessage returns the next text or binary message, joining
// continuation frames and skipping control frames.
func (w *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(w.br, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if n > 256<<20 {
			return nil, fmt.Errorf("websocket frame of %d bytes", n)
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(w.br, p); err != nil {
			return nil, err
		}
		if op == 8 {
			return nil, io.EOF
		}
		if op >= 8 {
			continue // ping/pong: the browser does not require answers here
		}
		msg = append(msg, p...)
		if fin {
			return msg, nil
		}
	}
}

// browser is a headless Chromium with one page open over CDP.
type browser struct {
	cmd  *exec.Cmd
	ws   *wsConn
	next int
	dir  string
}

var devtoolsRE = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startBrowser launches bin headless and attaches to its first page.
func startBrowser(ctx context.Context, bin string) (*browser, error) {
	dir, err := os.MkdirTemp("", "chipgap-chromium-")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
		"--remote-debugging-port=0", "--user-data-dir="+dir, "--window-size=1280,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b := &browser{cmd: cmd, dir: dir}
	wsURL, err := scanDevtools(ctx, stderr)
	if err != nil {
		b.close()
		return nil, err
	}
	if err := b.attach(ctx, wsURL); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// scanDevtools reads the browser's stderr until it prints its websocket
// address, then drains the rest in the background.
func scanDevtools(ctx context.Context, r io.Reader) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			if m := devtoolsRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			return "", errors.New("chromium exited without opening DevTools")
		}
		return u, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// attach finds the page target and opens its websocket.
func (b *browser) attach(ctx context.Context, browserWS string) error {
	u, _ := url.Parse(browserWS)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+u.Host+"/json/list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		return err
	}
	for _, t := range targets {
		if t.Type == "page" {
			b.ws, err = dialWS(ctx, t.WebSocketDebuggerURL)
			return err
		}
	}
	return errors.New("no page target in chromium")
}

func (b *browser) close() {
	if b.ws != nil {
		b.ws.c.Close()
	}
	if b.cmd.Process != nil {
		_ = b.cmd.Process.Kill()
		_ = b.cmd.Wait()
	}
	os.RemoveAll(b.dir)
}

// call sends one CDP command and waits for its answer, skipping events.
func (b *browser) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	b.next++
	id := b.next
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if dl, ok := ctx.Deadline(); ok {
		_ = b.ws.c.SetDeadline(dl)
	}
	if err := b.ws.writeText(msg); err != nil {
		return nil, err
	}
	for {
		raw, err := b.ws.readMessage()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		var r struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &r) != nil || r.ID != id {
			continue
		}
		if r.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		return r.Result, nil
	}
}

// eval runs a JavaScript expression in the page (awaiting a promise) and
// decodes its JSON-able value into dst.
func (b *browser) eval(ctx context.Context, expr string, dst any) error {
	res, err := b.call(ctx, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true,
	})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("javascript %q: %s %s", expr, e.Text, e.Exception.Description)
	}
	if dst == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, dst)
}

// waitFor polls a boolean JavaScript expression until it is true.
func (b *browser) waitFor(ctx context.Context, expr string) error {
	for {
		var ok bool
		if err := b.eval(ctx, "!!("+expr+")", &ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// navigate opens u in the page.
func (b *browser) navigate(ctx context.Context, u string) error {
	_, err := b.call(ctx, "Page.navigate", map[string]any{"url": u})
	return err
}

// screenshot saves a PNG of the whole page (up to 6000 px tall) to path.
func (b *browser) screenshot(ctx context.Context, path string) error {
	var size struct{ W, H float64 }
	if err := b.eval(ctx, `({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})`, &size); err != nil {
		return err
	}
	clip := map[string]any{"x": 0, "y": 0, "width": size.W, "height": min(size.H, 6000), "scale": 1}
	res, err := b.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true, "clip": clip})
	if err != nil {
		return err
	}
	var r struct{ Data string }
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
