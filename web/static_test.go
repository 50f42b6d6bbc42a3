package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStaticFiles: the page's files come gzipped with an ETag, a copy the
// browser has is 304 Not Modified, the favicon exists, the policy stays
// strict, and everything the page loads weighs under 300 KB gzipped,
// the charting library included.
func TestStaticFiles(t *testing.T) {
	srv := httptest.NewServer((&Server{}).Handler())
	defer srv.Close()
	get := func(path string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// The transport would add and undo gzip itself: ask explicitly.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("/", map[string]string{"Accept-Encoding": "gzip"})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || etag == "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("GET / with gzip: %s, encoding %q, ETag %q, Vary %q", resp.Status, resp.Header.Get("Content-Encoding"), etag, resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self';") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q: want scripts from this server only", csp)
	}
	if r := get("/", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag: %s, want 304", r.Status)
	}
	// The plain copy is other bytes: its own ETag, so a cache holding
	// the gzipped one does not get a 304 for it (before: one strong tag
	// for both).
	plain := get("/", nil)
	if plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("ETag") == etag || plain.Header.Get("ETag") == "" || plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("GET / without gzip: encoding %q, ETag %q (gzipped: %q), Vary %q; want no encoding, another ETag, Vary: Accept-Encoding",
			plain.Header.Get("Content-Encoding"), plain.Header.Get("ETag"), etag, plain.Header.Get("Vary"))
	}
	if r := get("/", map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusOK {
		t.Errorf("GET / without gzip, with the gzipped copy's ETag: %s, want 200", r.Status)
	}
	if r := get("/", map[string]string{"If-None-Match": plain.Header.Get("ETag")}); r.StatusCode != http.StatusNotModified {
		t.Errorf("GET / without gzip, with its own ETag: %s, want 304", r.Status)
	}
	if r := get("/favicon.svg", nil); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %s %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := get("/nope.js", nil); r.StatusCode != 404 {
		t.Errorf("a missing file: %s", r.Status)
	}
	// The page's own files: what index.html links, and the glossary it
	// opens.
	links := regexp.MustCompile(`(?:src|href)="([^"?#:]+)"`).FindAllStringSubmatch(string(page), -1)
	total := len(body)
	seen := map[string]bool{}
	for _, m := range links {
		p := "/" + m[1]
		if seen[p] || p == "/api" || strings.HasPrefix(p, "/api/") {
			continue
		}
		seen[p] = true
		r := get(p, map[string]string{"Accept-Encoding": "gzip"})
		n, _ := io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("%s: %s", p, r.Status)
		}
		total += int(n)
	}
	for _, want := range []string{"/lib/uplot.min.js", "/lib/charts.js", "/app.js", "/style.css", "/favicon.svg", "/glossary.md"} {
		if !seen[want] {
			t.Errorf("index.html does not link %s", want)
		}
	}
	t.Logf("the page's static weight: %d bytes gzipped (%d files)", total, len(seen)+1)
	if total > 300<<10 {
		t.Errorf("the page weighs %d bytes gzipped, want under 300 KB", total)
	}
}

// TestGlossaryCopy: the page serves docs/glossary.md (its "?" links open
// it); web/static holds a copy, kept identical.
func TestGlossaryCopy(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "glossary.md"))
	if err != nil {
		t.Fatal(err)
	}
	served, err := staticFS.ReadFile("static/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, served) {
		t.Error("web/static/glossary.md differs from docs/glossary.md: cp docs/glossary.md web/static/glossary.md")
	}
}
