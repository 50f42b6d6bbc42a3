package web

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"chipgap/calc"
)

// TestCompareQueryIsTheRequest: GET /api/compare's query decodes into
// calc.CompareRequest by its JSON names, as strictly as a JSON body: an
// unknown parameter, one given twice or an empty list entry is a 400
// naming it (they were ignored until session 79's QA pass).
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
	if err := decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=&model=", nil), &got); err != nil || !reflect.DeepEqual(got, calc.CompareRequest{}) {
		t.Errorf("empty parameters decoded to %+v, %v; want the zero request (the defaults)", got, err)
	}
	if err := decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=h100-sxm&_=1712345678", nil), &got); err != nil {
		t.Errorf("a cache-buster _: %v, want it ignored", err)
	}
	for q, field := range map[string]string{"chips=h100-sxm&foo=1": "foo", "chips=h100-sxm&chips=b200": "chips", "chips=h100-sxm,,b200": "chips"} {
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
