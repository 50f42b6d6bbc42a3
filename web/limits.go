package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"time"

	"chipgap/calc"
	"chipgap/workq"
)

// Limits bounds what one client can make the server do. Every field has a
// default (DefaultLimits) and is documented in docs/api.md.
type Limits struct {
	// MaxBody is the largest request body accepted, in bytes (413 above).
	MaxBody int64
	// MaxDecoding is how many request bodies are read at once.
	MaxDecoding int
	// BodyTimeout bounds the time a request body may take to arrive once
	// the server starts reading it (holding one of MaxDecoding places),
	// within Timeout: a slower body is a 408, so slow clients cannot
	// hold the places for long.
	BodyTimeout time.Duration
	// MaxHeavy is how many computations (estimates, searches, curves,
	// simulations, sweeps, and every job, reports included) run at once;
	// further requests wait for a slot. A synchronous report takes one of
	// MaxReports instead (admission.go), not one of these.
	MaxHeavy int
	// MaxWaiting is how many requests may wait for a slot; beyond it the
	// server answers 503 at once, so a flood cannot pile up goroutines.
	MaxWaiting int
	// Timeout bounds one synchronous request from the start of its
	// handler, waiting for a place to read its body, reading it and
	// waiting for a computation slot included (504); a synchronous
	// report's computation is timed from the start of its work, and
	// admission control refuses (429) a report the queue ahead would not
	// leave time to finish.
	Timeout time.Duration
	// MaxReports is how many synchronous reports run at once.
	MaxReports int
	// JobTimeout bounds one asynchronous job (a search or a simulation).
	JobTimeout time.Duration
	// MaxJobs is how many asynchronous jobs the server keeps (running and
	// finished); finished jobs are dropped after JobTTL or when room is
	// needed.
	MaxJobs int
	JobTTL  time.Duration
	// MaxPlans caps the parallelism plans one search may evaluate,
	// counted before it starts over the space it tries: the stack's
	// restrictions applied (calc.TrainSetup.CountPlans).
	MaxPlans int
	// MaxSamples caps the Monte Carlo samples or simulated runs one
	// request may start.
	MaxSamples int
	// MaxCurvePoints caps the points of one inference curve.
	MaxCurvePoints int
	// MaxChips caps the cluster size of one request (the plan space and
	// the failure count grow with it).
	MaxChips int
	// MaxSimEvents caps a whole-run simulation's work: seeds × a bound on
	// the events one seed fires, interruptions and checkpoint cycles
	// (see goodput.EventBound).
	MaxSimEvents float64
	// The serving simulation's caps (POST /api/serve/simulate): requests
	// per rate, rates per sweep, chips per pool, requests × rates × mean
	// output tokens (the simulation steps every sequence once a token,
	// about 20 ns a token batched and 75 ns unbatched, so 10⁹ is at most
	// about 75 s) and requests × rates × replicas (the router looks at
	// every replica, about 2.3 ns each).
	MaxServeRequests int
	MaxServeRates    int
	MaxServeChips    int
	MaxServeTokens   float64
	MaxServeRouting  float64
	// The design-space sweep's caps (POST /api/sweep): cells of one grid,
	// and its time here as the CLI's budget estimates it
	// (calc.EstimateSweep over the server's cores). Larger grids belong
	// to `chipgap sweep`, sharded if need be.
	MaxSweepCells int
	MaxSweepTime  time.Duration
}

// DefaultLimits are the limits `chipgap web` runs with.
func DefaultLimits() Limits {
	return Limits{
		MaxBody:        1 << 20,
		MaxDecoding:    64,
		BodyTimeout:    5 * time.Second,
		MaxHeavy:       max(2, 2*runtime.GOMAXPROCS(0)),
		MaxWaiting:     1024,
		Timeout:        15 * time.Second,
		MaxReports:     max(1, runtime.GOMAXPROCS(0)/2),
		JobTimeout:     2 * time.Minute,
		MaxJobs:        16,
		JobTTL:         10 * time.Minute,
		MaxPlans:       500000,
		MaxSamples:     1000,
		MaxCurvePoints: 64,
		MaxChips:       262144,
		MaxSimEvents:   calc.MaxRunEvents,

		MaxServeRequests: 1_000_000,
		MaxServeRates:    12,
		MaxServeChips:    100_000,
		MaxServeTokens:   1e9,
		MaxServeRouting:  1e10,

		MaxSweepCells: 2000,
		MaxSweepTime:  time.Minute,
	}
}

// withDefaults fills each field that is not positive (zero, negative,
// NaN) from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d, v := reflect.ValueOf(DefaultLimits()), reflect.ValueOf(&l).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.CanInt() && f.Int() <= 0 || f.CanFloat() && !(f.Float() > 0) {
			f.Set(d.Field(i))
		}
	}
	return l
}

var errBusy = &Error{Status: http.StatusServiceUnavailable, Msg: "server busy: too many requests waiting; retry shortly"}

// timeoutError is the 504 (or 499-like 503 when the client left) for a
// request whose context ended.
func timeoutError(ctx context.Context) error {
	return endedError(errors.Is(ctx.Err(), context.DeadlineExceeded))
}

func endedError(timedOut bool) *Error {
	if timedOut {
		return &Error{Status: http.StatusGatewayTimeout, Msg: "request timed out (see limits in docs/api.md)"}
	}
	return &Error{Status: http.StatusServiceUnavailable, Msg: "request cancelled", cancelled: true}
}

// queueError words package workq's refusals in HTTP: a full waiting room
// is a 503 at once, work whose context ended a 504 (a 503 when the client
// left); any other error passes as it is.
func queueError(err error) error {
	if err == workq.ErrWaitingFull {
		return errBusy
	}
	if ie, ok := err.(*workq.Interrupted); ok {
		return endedError(ie.Timeout())
	}
	return err
}

// requestStart is the context key of the time a request's handler
// started (Server.api): its timeout counts from then.
type requestStart struct{}

// deadline is when the request of ctx times out: Timeout after its
// handler started (from now for work with no request, as in tests).
func (s *Server) deadline(ctx context.Context) time.Time {
	start, ok := ctx.Value(requestStart{}).(time.Time)
	if !ok {
		start = time.Now()
	}
	return start.Add(s.limits.Timeout)
}

// compute runs fn holding a gate slot, within what is left of the
// request's timeout (workq.Do): a timeout answers the client at once,
// while the slot is held until fn really returns, so abandoned work
// still counts against MaxHeavy and cannot pile up. A panic is a logged
// 500.
func compute[T any](ctx context.Context, s *Server, fn func(ctx context.Context) (T, error)) (T, error) {
	left := time.Until(s.deadline(ctx))
	if left <= 0 { // spent waiting for the body
		var zero T
		return zero, endedError(true)
	}
	v, err := workq.Do(ctx, s.gate, left, fn, func(p *workq.Panic) {
		s.logger().Error("panic in computation", "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
	})
	if _, ok := err.(*workq.Panic); ok {
		return v, &Error{Status: http.StatusInternalServerError, Msg: "internal error (logged on the server)"}
	}
	return v, queueError(err)
}

// decode reads one JSON object from r's body into dst (calc.DecodeJSON:
// strictly, unknown fields are errors, nothing may follow the object),
// the body capped at MaxBody.
//
// At most MaxDecoding bodies are read at once (others wait), so request
// bodies hold at most MaxDecoding × MaxBody bytes however many clients
// connect. The wait and the read count against the request's timeout
// (504 when the wait outlasts it), and a body must arrive within
// BodyTimeout of its read starting (a 408), so a slow client holds its
// place only that long.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	deadline := s.deadline(r.Context())
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	select {
	case s.decoding <- struct{}{}:
		defer func() { <-s.decoding }()
	case <-ctx.Done():
		return timeoutError(ctx)
	}
	if by := time.Now().Add(s.limits.BodyTimeout); by.Before(deadline) {
		deadline = by
	}
	rc := http.NewResponseController(w)
	limited := rc.SetReadDeadline(deadline) == nil // not on a test's recorder
	body := &bodyReader{r: http.MaxBytesReader(w, r.Body, s.limits.MaxBody)}
	err := calc.DecodeJSON(body, dst)
	if body.err != nil {
		return s.readError(w, body.err)
	}
	if limited { // read to its end: left set, the server's next read of the connection would fail and end r's context
		_ = rc.SetReadDeadline(time.Time{})
	}
	if err != nil {
		return decodeError(err, s.limits.MaxBody)
	}
	return nil
}

// bodyReader reads a request body, keeping its read error (not io.EOF):
// the connection's failure, not the JSON's.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// readError answers a body that could not be read: too large (413),
// too slow (408), or cut off. The message names no socket address, and
// the connection closes after the answer (what is left of the body
// would be read as the next request).
func (s *Server) readError(w http.ResponseWriter, err error) error {
	w.Header().Set("Connection", "close")
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return decodeError(err, s.limits.MaxBody)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{Status: http.StatusRequestTimeout, Field: "body", Msg: fmt.Sprintf(
			"the request body did not arrive in time: a body must arrive within %s of the server starting to read it (body_timeout_s) and within the %s request timeout (request_timeout_s; see docs/api.md)",
			s.limits.BodyTimeout, s.limits.Timeout)}
	}
	return badField("body", "the request body could not be read: the connection failed before all of it arrived")
}

// sampleCap is max_samples as calc checks it: a report's samples and a
// run's seeds are refused with this server's bound, not the CLI's.
func (s *Server) sampleCap() calc.Cap {
	return calc.Cap{N: s.limits.MaxSamples, Name: "this server's max_samples, see docs/api.md"}
}

// capInt rejects n above limit, naming field.
func capInt(field string, n, limit int) error {
	if n > limit {
		return badField(field, "%d is over this server's limit of %d (see docs/api.md)", n, limit)
	}
	return nil
}
