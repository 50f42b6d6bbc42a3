package web

import (
	"maps"
	"mime"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// The local server's defences against the pages a user's browser visits
// (docs/api.md, "Threat model"): a page on another site can make the
// browser send requests to 127.0.0.1 but, without CORS, cannot read the
// answers, and can send only "simple" requests (a form post:
// Content-Type text/plain, urlencoded or multipart). So:
//
//   - every POST must say Content-Type: application/json, which a
//     simple request cannot, so a cross-site form cannot start work;
//   - every request's Host must be an IP literal, a localhost name, the
//     name the server was bound to or a name given with --allow-host,
//     so a DNS-rebinding page (its own name resolving to 127.0.0.1)
//     is refused and cannot read answers;
//   - every answer says X-Content-Type-Options: nosniff and
//     Referrer-Policy: no-referrer.

// guard wraps the whole handler: headers on every answer, then the Host
// check.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if !s.hostAllowed(r.Host) {
			// Clipped: a 60 KB Host was one 60 KB log line (QA).
			s.logger().Warn("refused Host", "host", clipEchoed(r.Host), "path", clipEchoed(r.URL.Path))
			if mux, ok := h.(*http.ServeMux); ok { // counted by the endpoint it went to, not "other"
				if _, pattern := mux.Handler(r); pattern != "" {
					labelRoute(r, pattern)
				}
			}
			writeJSON(w, http.StatusForbidden, &Error{Field: "host", Msg: "Host " + clipEchoed(r.Host) +
				" is not this server's: use http://127.0.0.1 or localhost, or start chipgap web with --allow-host " + clipEchoed(hostOnly(r.Host))})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostOnly is the host part of a Host header, without port or brackets.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.ToLower(strings.Trim(host, "[]"))
}

// hostAllowed reports whether a request's Host header names this server:
// empty (HTTP/1.0), an IP literal (a rebinding page cannot send one: its
// Host is its own name), localhost or *.localhost, the host of Addr, or
// one of AllowHosts ("*" allows any).
func (s *Server) hostAllowed(hostport string) bool {
	host := hostOnly(hostport)
	switch {
	case host == "", net.ParseIP(host) != nil, host == "localhost", strings.HasSuffix(host, ".localhost"):
		return true
	case host == hostOnly(s.Addr):
		return true
	}
	return slices.ContainsFunc(s.AllowHosts, func(a string) bool { a = strings.ToLower(a); return a == "*" || a == host })
}

// requireJSON refuses a POST whose Content-Type is not application/json
// (415), before its body is read.
func requireJSON(h apiFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return &Error{Status: http.StatusUnsupportedMediaType, Field: "Content-Type",
				Msg: "POST bodies must be sent with Content-Type: application/json (got " + quoteOrNone(r.Header.Get("Content-Type")) + ")"}
		}
		return h(w, r)
	}
}

// strictQuery refuses, before h runs, a query parameter rt does not take
// (its queryRule): a 400 naming it, as an unknown field of a JSON body
// is. On an endpoint with a job mode async is exactly one of 1 (a job)
// or 0 (wait for the answer); elsewhere it is refused. Before, such a
// parameter was ignored: ?async=true ran synchronously and
// /api/train/estimate?async=1 silently waited.
func strictQuery(rt route, h apiFunc) apiFunc {
	if rt.query == ownQuery {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		for _, k := range slices.Sorted(maps.Keys(q)) {
			field := clipEchoed(k)
			switch {
			case k == "_" && (r.Method == http.MethodGet || r.Method == http.MethodHead): // a client's cache-buster
			case k == "async" && rt.query == asyncQuery:
				if len(q[k]) > 1 {
					return badField(field, "%s given %d times: want it once", field, len(q[k]))
				}
				if v := q.Get(k); v != "0" && v != "1" {
					return badField(field, "async = %q: want 1 (answer 202 with a job to poll) or 0 (wait for the answer, as without it)", clipEchoed(v))
				}
			case k == "async":
				return badField(field, "%s has no asynchronous mode: it answers within the request timeout (leave async out)", rt.pattern)
			case rt.query == asyncQuery:
				return badField(field, "unknown query parameter %q: %s takes only async (1 or 0)", field, rt.pattern)
			default:
				return badField(field, "unknown query parameter %q: %s takes none", field, rt.pattern)
			}
		}
		return h(w, r)
	}
}

// isAsync says r asks for a job (?async=1; strictQuery has checked it).
func isAsync(r *http.Request) bool { return r.URL.Query().Get("async") == "1" }

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return `"` + s + `"`
}

// methodsByPath answers, for a path no route matched with its method,
// the methods the API does answer there (nil when none: a 404).
type methodsByPath struct {
	mux     *http.ServeMux
	allowed map[string][]string // path pattern → methods
}

func newMethodsByPath(routes []route) *methodsByPath {
	m := &methodsByPath{mux: http.NewServeMux(), allowed: map[string][]string{}}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if _, ok := m.allowed[path]; !ok {
			m.mux.Handle(path, http.NotFoundHandler())
		}
		m.allowed[path] = append(m.allowed[path], method)
		if method == http.MethodGet {
			m.allowed[path] = append(m.allowed[path], http.MethodHead)
		}
	}
	return m
}

// allow lists the methods r's path answers, or nil, and the path
// pattern of the endpoint that answers them ("/api/chips/{id}").
func (m *methodsByPath) allow(r *http.Request) ([]string, string) {
	_, pattern := m.mux.Handler(r)
	return m.allowed[pattern], pattern
}

// goTypeName matches a Go type name such as web.reportRequest or
// scenario.Scenario, which a client should never see. Packages parallel,
// training and inference share their names with request paths
// (parallel.tp, a scenario's training.chips and inference.tpot) and
// their types reach a client exported only, so only a capital after the
// dot marks one of theirs.
var goTypeName = regexp.MustCompile(`(?:\[\])?\*?\b(?:(?:main|web|calc|scenario|catalog|serve|llm|units|hardware|runs|report|goodput|sim|econ|fab|uncertain)\.[A-Za-z_]|(?:parallel|training|inference)\.[A-Z])\w*`)

// scrubTypes replaces Go type names in a message meant for a client.
func scrubTypes(msg string) string {
	return goTypeName.ReplaceAllString(msg, "the expected value")
}

// jsonErrorWriter turns an error status written by a handler that is not
// ours (the file server's plain-text 404 or 500) into the API's JSON
// error.
type jsonErrorWriter struct {
	http.ResponseWriter
	swallow bool
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if code < 400 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.swallow = true
	w.Header().Del("Content-Length")
	msg := http.StatusText(code)
	if code == http.StatusNotFound {
		msg = "no such page (the API is under /api, see GET /api)"
	}
	writeJSON(w.ResponseWriter, code, &Error{Field: "path", Msg: msg})
}

func (w *jsonErrorWriter) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}
