package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"chipgap/calc"
)

// TestCompareQueryIsTheRequest: GET /api/compare's query decodes into
// calc.CompareRequest by its JSON names, as strictly as a JSON body: an
// unknown parameter, one given twice, an empty list entry or an empty
// list (chips=, which compared the default chips, as compare-chips ""
// does not) is a 400 naming it (they were ignored until session 79's QA
// pass); an empty string parameter takes its default.
func TestCompareQueryIsTheRequest(t *testing.T) {
	var got calc.CompareRequest
	if err := decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=h100-sxm,%20b200&model=llama3.1-8b&precision=fp8", nil), &got); err != nil {
		t.Fatal(err)
	}
	want := calc.CompareRequest{Chips: []string{"h100-sxm", " b200"}, Model: "llama3.1-8b", Precision: "fp8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	got = calc.CompareRequest{}
	if err := decodeQuery(httptest.NewRequest("GET", "/api/compare?model=&precision=", nil), &got); err != nil || !reflect.DeepEqual(got, calc.CompareRequest{}) {
		t.Errorf("empty parameters decoded to %+v, %v; want the zero request (the defaults)", got, err)
	}
	if err := decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=h100-sxm&_=1712345678", nil), &got); err != nil {
		t.Errorf("a cache-buster _: %v, want it ignored", err)
	}
	for q, field := range map[string]string{"chips=h100-sxm&foo=1": "foo", "chips=h100-sxm&chips=b200": "chips", "chips=h100-sxm,,b200": "chips", "chips=&model=": "chips"} {
		err := decodeQuery(httptest.NewRequest("GET", "/api/compare?"+q, nil), &got)
		if e, ok := err.(*Error); !ok || e.Status != http.StatusBadRequest || e.Field != field {
			t.Errorf("?%s: %v, want a 400 naming %s", q, err, field)
		}
	}
}

// TestUnknownIDMessage: an unknown id is a 404 naming the field apart,
// with the catalog's own message (no "chips: " before it).
func TestUnknownIDMessage(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for url, field := range map[string]string{"/api/compare?chips=h100-sxm,h101": "chips", "/api/chips/h101": "id", "/api/models/llama9": "id"} {
		var e Error
		if st := do(t, "GET", srv.URL+url, "", &e); st != http.StatusNotFound || e.Field != field || e.Msg[:8] != "unknown " {
			t.Errorf("GET %s = %d %+v, want 404 naming %s with the catalog's message", url, st, e, field)
		}
	}
}

// TestLongValuesEchoed: an unknown id of 60,000 bytes in a path, or of a
// megabyte in a body, is a 404 (or 400) whose message quotes its first
// 100 characters: the answer stays small and the fuzzy matching is
// skipped. Before: 0.74 s of CPU and the whole id sent back (a 1 MB
// body's "model" took 1 s and came back as 1 MB of error).
func TestLongValuesEchoed(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	id := strings.Repeat("a", 60000)
	mb := strings.Repeat("a", 1<<20-200)
	for _, c := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"GET", "/api/sources/" + id, "", 404, "key"},
		{"GET", "/api/chips/" + id, "", 404, "id"},
		{"GET", "/api/compare?chips=" + id, "", 404, "chips"},
		{"GET", "/api/jobs/" + id, "", 404, "id"},
		{"GET", "/api/forms/" + id, "", 404, "job"},
		{"GET", "/api/nosuch/" + id, "", 404, "path"},
		{"POST", "/api/train/estimate", `{"chip":"h100-sxm","chips":8,"model":"` + mb + `"}`, 404, "model"},
		{"POST", "/api/infer/curve", `{"chip":"` + mb + `","model":"llama3.1-8b"}`, 404, "chip"},
		// Messages made outside the catalog are bounded as a whole.
		{"POST", "/api/train/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","precision":"` + mb + `"}`, 400, "precision"},
		{"POST", "/api/train/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","stack":"` + mb + `"}`, 404, "stack"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e Error
		name := fmt.Sprintf("%s %.40s… %.60s…", c.method, c.path, c.body)
		if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != c.status || e.Field != c.field {
			t.Errorf("%s = %d field %q (%v), want %d naming %s", name, resp.StatusCode, e.Field, err, c.status, c.field)
		}
		if len(b) > 2100 || !strings.Contains(e.Msg, "aaaa…") && !strings.Contains(e.Msg, "bytes left out") {
			t.Errorf("%s: a %d-byte answer %.300q, want the value cut short", name, len(b), b)
		}
	}
}
