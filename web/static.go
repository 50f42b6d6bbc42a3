package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"chipgap/plot"
)

// staticFile is one file of the page, held in memory with its gzipped
// form and their ETags (a hash of the content; the gzipped form's ends
// in -gz: the two are different bytes, so a cache must not take one for
// the other), computed once.
type staticFile struct {
	body, gz    []byte
	ctype       string
	etag, gzTag string
}

// staticFiles are the page's files: web/static at /, and the charting
// library (package plot's Lib: uPlot and charts.js) at /lib/.
var staticFiles = sync.OnceValue(func() map[string]*staticFile {
	files := map[string]*staticFile{}
	add := func(fsys fs.FS, root, prefix string) {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			files[prefix+strings.TrimPrefix(p, root+"/")] = newStaticFile(p, b)
			return nil
		})
		if err != nil {
			panic(err) // embedded: cannot fail
		}
	}
	add(staticFS, "static", "/")
	add(plot.Lib(), "lib", "/lib/")
	files["/"] = files["/index.html"]
	return files
})

func newStaticFile(name string, b []byte) *staticFile {
	sum := sha256.Sum256(b)
	f := &staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: mime.TypeByExtension(path.Ext(name))}
	switch {
	case path.Ext(name) == ".md":
		f.ctype = "text/markdown; charset=utf-8"
	case f.ctype == "":
		f.ctype = "text/plain; charset=utf-8" // the licence
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(b)
	w.Close()
	if z.Len() < len(b) {
		f.gz = z.Bytes()
		f.gzTag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
	}
	return f
}

// serveStatic answers GET and HEAD for the page's files: gzip when the
// client takes it, an ETag (each encoding its own) and 304 Not Modified
// for a copy it has.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	f := staticFiles()[r.URL.Path]
	if f == nil {
		writeJSON(w, http.StatusNotFound, &Error{Field: "path", Msg: "no such page (the API is under /api, see GET /api)"})
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Vary", "Accept-Encoding")
	body, etag := f.body, f.etag
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body, etag = f.gz, f.gzTag
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, e := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if name, q, _ := strings.Cut(strings.TrimSpace(e), ";"); strings.TrimSpace(name) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
