package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/input"
	"chipgap/scenario"
)

// Error is what every failing API call returns, as JSON:
//
//	{"error": "training.tokens = -1: want a positive number", "field": "tokens"}
//
// Field names the request field at fault (a JSON path such as
// "cluster.chips") and is absent when no single field is to blame.
type Error struct {
	Status int    `json:"-"`
	Msg    string `json:"error"`
	Field  string `json:"field,omitempty"`
	// cancelled marks the error of work whose context was cancelled
	// (not timed out): a job that DELETE stopped (viewJob).
	cancelled bool
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// badField is a 400 naming the field at fault.
func badField(field, format string, a ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// notFound is a 404 naming the field whose id did not resolve.
func notFound(field string, err error) *Error {
	return &Error{Status: http.StatusNotFound, Field: field, Msg: err.Error()}
}

// apiFunc is an HTTP handler that returns its error instead of writing it,
// so that one adapter (Server.api) renders every failure the same way.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts h: errors become JSON bodies with a 4xx or 5xx status,
// panics become a logged 500, and the handler's latency is logged at
// debug level.
func (s *Server) api(h apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger().Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				writeJSON(w, http.StatusInternalServerError, &Error{Msg: "internal error"})
			}
		}()
		r = r.WithContext(context.WithValue(r.Context(), requestStart{}, time.Now()))
		err := checkQuery(r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			e := s.classify(r, err)
			writeJSON(w, e.Status, &Error{Status: e.Status, Msg: clientMessage(e.Msg), Field: clipEchoed(e.Field)})
		}
	})
}

// classify maps err to the status and body the client sees. Client
// mistakes (a field out of range, an unknown id, a plan that does not fit)
// are 4xx and carry the message; anything else is a 500 whose detail goes
// to the log only.
func (s *Server) classify(r *http.Request, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.Status == 0 {
			e.Status = http.StatusBadRequest
		}
		if e.Status >= 500 {
			s.logger().Error("request failed", "path", r.URL.Path, "status", e.Status, "err", e.Msg)
		}
		return e
	}
	if field, ok := fieldOf(err); ok {
		status := http.StatusBadRequest
		if errors.Is(err, catalog.ErrNotFound) {
			status = http.StatusNotFound // an id the catalog does not have
		}
		return &Error{Status: status, Field: field, Msg: calc.Unlabelled(err).Error()} // the field is apart
	}
	s.logger().Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	return &Error{Status: http.StatusInternalServerError, Msg: "internal error (logged on the server)"}
}

// fieldOf finds the first field-naming error in err's chain: the
// *input.Error every estimator returns for bad input, a file a request
// carries (*calc.FileError), a scenario file's *scenario.Error, or this
// package's *Error.
func fieldOf(err error) (string, bool) {
	for _, e := range unwrapAll(err) {
		switch e := e.(type) {
		case *calc.FileError: // before the file's own error, which names no request field
			return e.Field, true
		case *input.Error:
			return e.Field, true
		case *scenario.Error:
			return e.Field, true
		case *Error:
			return e.Field, true
		}
	}
	return "", false
}

// unwrapAll lists err and every error it wraps, depth first.
func unwrapAll(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// writeJSON writes v with status. v is encoded before the status is sent: a value that cannot be encoded
// (a NaN or an infinity from an estimator) panics, which Server.api
// turns into a logged 500, rather than a 200 with an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding the answer: %v", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeError turns a failed decode into a 4xx that names the field
// where it can: the body limit is a 413, calc.DecodeJSON's own errors
// keep their message with the field apart.
func decodeError(err error, limit int64) *Error {
	var mbe *http.MaxBytesError
	var ie *input.Error
	switch {
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Field: "body",
			Msg: fmt.Sprintf("request body over the %d-byte limit", limit)}
	case errors.Is(err, calc.ErrDecode) && errors.As(err, &ie):
		return badField(ie.Field, "%s", ie.Want)
	}
	if field, ok := fieldOf(err); ok {
		return badField(field, "%v", err)
	}
	return badField("body", "cannot decode request: %v", err)
}

// maxMessage bounds the error message a client gets, in bytes: a
// message may quote a value the request carried (a string of a
// megabyte); a longer one keeps its head and its tail (what was wrong,
// and what is wanted). maxEchoed bounds, in characters, a path or id
// this package quotes.
const (
	maxMessage = 2000
	maxEchoed  = 100
)

// clientMessage is msg as a client sees it: bounded (maxMessage), with
// no Go type names.
func clientMessage(msg string) string {
	if len(msg) > maxMessage {
		head, tail := runeStart(msg, 1200), runeStart(msg, len(msg)-600)
		msg = msg[:head] + fmt.Sprintf(" … (%d bytes left out) … ", tail-head) + msg[tail:]
	}
	return scrubTypes(msg)
}

// runeStart is i, moved back to the first byte of the character it is in.
func runeStart(s string, i int) int {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// clipEchoed is s cut to maxEchoed characters, with an ellipsis when it
// was longer: for a path or an id quoted in a message.
func clipEchoed(s string) string {
	n := 0
	for i := range s {
		if n == maxEchoed {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// logger returns the server's logger, or a discarding one.
func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// checkQuery rejects a query string that does not parse (net/url would
// drop the bad pair and the handler would answer for defaults silently).
func checkQuery(r *http.Request) error {
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return badField("query", "%v", err)
	}
	return nil
}
