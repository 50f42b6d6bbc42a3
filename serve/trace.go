package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"chipgap/input"
)

// Trace column names (CSV header) and keys (JSONL), with accepted aliases.
var (
	arrivalNames = []string{"arrival_s", "arrival", "timestamp", "time_s"}
	promptNames  = []string{"prompt_tokens", "input_tokens", "input_length", "prompt"}
	outputNames  = []string{"output_tokens", "output_length", "output"}
)

// ParseTrace reads a request trace: CSV with a header naming the columns
// arrival_s, prompt_tokens and output_tokens (aliases: arrival, timestamp,
// time_s; input_tokens, input_length, prompt; output_length, output), or
// JSON Lines with those keys. Arrival times are seconds from any origin,
// in non-decreasing order; they are shifted so that the first is 0.
// Blank lines and lines starting with # are skipped. A malformed line is a
// *TraceError naming it. At most MaxRequests requests are read.
func ParseTrace(r io.Reader) ([]Request, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var (
		out    []Request
		cols   []int // CSV: column index of arrival, prompt, output; nil until the header
		isJSON bool
		line   int
	)
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		if cols == nil && !isJSON {
			if text[0] == '{' {
				isJSON = true
			} else {
				c, err := csvHeader(string(text))
				if err != nil {
					return nil, &TraceError{Line: line, Err: err}
				}
				cols = c
				continue
			}
		}
		req, err := parseTraceLine(text, cols, isJSON)
		if err == nil {
			err = checkOrder(req, out)
		}
		if err != nil {
			return nil, &TraceError{Line: line, Err: err}
		}
		if len(out) == MaxRequests {
			return nil, &TraceError{Line: line, Err: fmt.Errorf("more than %d requests", MaxRequests)}
		}
		out = append(out, req)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line of more than %d bytes: want one request per line (CSV or JSON Lines)", 1<<20)
		}
		return nil, &TraceError{Line: line + 1, Err: err, Read: true}
	}
	if len(out) == 0 {
		return nil, ErrEmptyTrace
	}
	t0 := out[0].Arrival
	for i := range out {
		out[i].Arrival -= t0
	}
	return out, nil
}

func parseTraceLine(text []byte, cols []int, isJSON bool) (Request, error) {
	if isJSON {
		return jsonLine(text)
	}
	return csvLine(string(text), cols)
}

func checkOrder(req Request, prev []Request) error {
	if n := len(prev); n > 0 && req.Arrival < prev[n-1].Arrival {
		return fmt.Errorf("arrival %.6g s is before the previous request's %.6g s: want times in non-decreasing order",
			req.Arrival.Seconds(), prev[n-1].Arrival.Seconds())
	}
	return nil
}

// csvHeader maps the header's names to the column of each field.
func csvHeader(h string) ([]int, error) {
	names := strings.Split(h, ",")
	find := func(want []string) int {
		for i, n := range names {
			for _, w := range want {
				if strings.EqualFold(strings.TrimSpace(n), w) {
					return i
				}
			}
		}
		return -1
	}
	cols := []int{find(arrivalNames), find(promptNames), find(outputNames)}
	for i, c := range cols {
		if c < 0 {
			return nil, fmt.Errorf("CSV header %q lacks a %s column", h, [][]string{arrivalNames, promptNames, outputNames}[i][0])
		}
	}
	return cols, nil
}

func csvLine(s string, cols []int) (Request, error) {
	f := strings.Split(s, ",")
	need := max(cols[0], cols[1], cols[2]) + 1
	if len(f) < need {
		return Request{}, fmt.Errorf("%d fields, want at least %d", len(f), need)
	}
	at, err := seconds(arrivalNames[0], strings.TrimSpace(f[cols[0]]))
	if err != nil {
		return Request{}, err
	}
	p, err := tokens(promptNames[0], strings.TrimSpace(f[cols[1]]))
	if err != nil {
		return Request{}, err
	}
	o, err := tokens(outputNames[0], strings.TrimSpace(f[cols[2]]))
	return Request{Arrival: at, Prompt: p, Output: o}, err
}

func jsonLine(b []byte) (Request, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return Request{}, fmt.Errorf("invalid JSON: %v", err)
	}
	get := func(names []string) (string, error) {
		for _, n := range names {
			if v, ok := m[n]; ok {
				return strings.Trim(string(v), `"`), nil
			}
		}
		return "", fmt.Errorf("missing key %s", names[0])
	}
	var vals [3]string
	for i, names := range [][]string{arrivalNames, promptNames, outputNames} {
		v, err := get(names)
		if err != nil {
			return Request{}, err
		}
		vals[i] = v
	}
	at, err := seconds(arrivalNames[0], vals[0])
	if err != nil {
		return Request{}, err
	}
	p, err := tokens(promptNames[0], vals[1])
	if err != nil {
		return Request{}, err
	}
	o, err := tokens(outputNames[0], vals[2])
	return Request{Arrival: at, Prompt: p, Output: o}, err
}

func seconds(field, s string) (time.Duration, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1e9 {
		return 0, fmt.Errorf("%s = %q: want seconds, a number in [0, 1e9]", field, s)
	}
	return time.Duration(math.Round(v * 1e9)), nil
}

func tokens(field, s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > input.MaxRequestTokens {
		return 0, fmt.Errorf("%s = %q: want a whole number of tokens in [1, %d]", field, s, input.MaxRequestTokens)
	}
	return v, nil
}
