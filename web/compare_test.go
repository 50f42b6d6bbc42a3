package web

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"chipgap/calc"
)

// TestCompareQueryIsTheRequest: GET /api/compare's query decodes into
// calc.CompareRequest by its JSON names; other parameters are ignored.
func TestCompareQueryIsTheRequest(t *testing.T) {
	var got calc.CompareRequest
	decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=h100-sxm,%20b200&model=llama3.1-8b&precision=fp8&foo=1", nil), &got)
	want := calc.CompareRequest{Chips: []string{"h100-sxm", " b200"}, Model: "llama3.1-8b", Precision: "fp8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	got = calc.CompareRequest{}
	decodeQuery(httptest.NewRequest("GET", "/api/compare?chips=&model=", nil), &got)
	if !reflect.DeepEqual(got, calc.CompareRequest{}) {
		t.Errorf("empty parameters decoded to %+v, want the zero request (the defaults)", got)
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
