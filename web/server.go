package web

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"chipgap/catalog"
	"chipgap/workq"
)

// DefaultAddr is where `chipgap web` listens unless told otherwise:
// loopback only, since the server has no authentication.
const DefaultAddr = "127.0.0.1:8080"

//go:embed static
var staticFS embed.FS

// Server serves the chipgap page and its JSON API. Set the exported fields,
// then call Handler (tests) or Listen and Serve (the CLI). A Server must not
// be copied after first use.
type Server struct {
	// Addr is the TCP address to listen on; empty means DefaultAddr.
	Addr string
	// Catalog is the data the API serves; nil means the embedded catalog
	// (catalog.Load).
	Catalog *catalog.Catalog
	// Logger receives request failures, panics and server lifecycle
	// messages; nil discards them.
	Logger *slog.Logger
	// Limits bound the work one request may start; zero fields take
	// their DefaultLimits value.
	Limits Limits
	// AllowHosts are the host names (besides IP literals, localhost and
	// the host of Addr) a request's Host header may give; "*" allows
	// any. See guard.
	AllowHosts []string

	once   sync.Once
	limits Limits
	gate   *workq.Gate
	// decoding bounds the request bodies read at once.
	decoding chan struct{}
	jobs     *workq.Jobs
	// admission queues synchronous reports; metrics feeds GET /metrics.
	admission *workq.Admission
	metrics   *metrics
	handler   http.Handler
}

// init builds the handler and the shared limiters once.
func (s *Server) init() {
	s.once.Do(func() {
		s.limits = s.Limits.withDefaults()
		s.gate = workq.NewGate(s.limits.MaxHeavy, s.limits.MaxWaiting)
		s.decoding = make(chan struct{}, s.limits.MaxDecoding)
		s.jobs = workq.NewJobs(s.limits.MaxJobs, s.limits.JobTTL)
		s.metrics = newMetrics(s)
		s.admission = newAdmission(s.limits.MaxReports, s.limits.Timeout, s.metrics)
		s.handler = s.routes()
	})
}

// Handler returns the server's http.Handler: the page under / and the
// API under /api/.
func (s *Server) Handler() http.Handler {
	s.init()
	return s.handler
}

// routes is the one table of everything the server answers.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	routes := s.apiRoutes()
	for _, rt := range routes {
		h := rt.h
		if strings.HasPrefix(rt.pattern, http.MethodPost+" ") {
			h = requireJSON(h)
		}
		mux.Handle(rt.pattern, s.api(strictQuery(rt, h)))
	}
	methods := newMethodsByPath(routes)
	unrouted := s.api(func(w http.ResponseWriter, r *http.Request) error {
		if allow, path := methods.allow(r); allow != nil {
			labelRoute(r, path) // the endpoint, not "/api/": its path, so the labels stay the route table's
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return &Error{Status: http.StatusMethodNotAllowed, Field: "method", Msg: clipEchoed(r.Method) + " " + clipEchoed(r.URL.Path) + ": this endpoint answers " + strings.Join(allow, ", ") + " (see GET /api)"}
		}
		return &Error{Status: http.StatusNotFound, Field: "path", Msg: "no API endpoint " + clipEchoed(r.Method) + " " + clipEchoed(r.URL.Path) + " (see GET /api)"}
	})
	// "/api" too, for every method: without it ServeMux redirects a
	// POST /api to /api/ (a 307 with no body) instead of a 405.
	mux.Handle("/api", unrouted)
	mux.Handle("/api/", unrouted)
	mux.Handle("/", staticHandler(http.HandlerFunc(serveStatic)))
	mux.Handle("GET /metrics", s.api(strictQuery(route{pattern: "GET /metrics", query: noQuery}, func(w http.ResponseWriter, r *http.Request) error {
		s.metrics.handler().ServeHTTP(w, r)
		return nil
	})))
	mux.Handle("/metrics", s.api(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", "GET, HEAD")
		return &Error{Status: http.StatusMethodNotAllowed, Field: "method", Msg: clipEchoed(r.Method) + " /metrics: the Prometheus metrics answer only GET and HEAD (see docs/api.md)"}
	}))
	return s.metrics.observe(s.guard(mux))
}

// staticHandler serves the embedded page; it never touches the disk.
func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, &Error{Field: "method", Msg: clipEchoed(r.Method) + " " + clipEchoed(r.URL.Path) + ": the page's files answer only GET and HEAD (the API is under /api, see GET /api)"})
			return
		}
		if !utf8.ValidString(r.URL.Path) {
			writeJSON(w, http.StatusNotFound, &Error{Field: "path", Msg: "no such page: the path is not UTF-8 (the API is under /api, see GET /api)"})
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// The page loads nothing from another host (it works offline);
		// the policy makes that a rule the browser enforces. Inline
		// styles are allowed for the <style> inside plot's SVGs.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
		h.ServeHTTP(&jsonErrorWriter{ResponseWriter: w}, r)
	})
}

// Listen opens the server's address, so the caller can print the real
// one (with port 0) before serving.
func (s *Server) Listen() (net.Listener, error) {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	return net.Listen("tcp", addr)
}

// Serve answers requests on ln until ctx ends, then shuts down
// gracefully (in-flight requests get up to five seconds).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.init()
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.limits.Timeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger().Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.jobs.CancelAll()
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
