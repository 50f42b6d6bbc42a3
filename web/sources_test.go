package web

import (
	"net/http"
	"testing"

	"chipgap/catalog"
)

// citedKeys walks a decoded JSON answer and returns every key of every
// "sources" array of strings in it, by the path it sits at.
func citedKeys(v any, path string, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if arr, ok := e.([]any); ok && k == "sources" {
				for _, s := range arr {
					if s, ok := s.(string); ok {
						out[s] = path + ".sources"
					}
				}
				continue
			}
			citedKeys(e, path+"."+k, out)
		}
	case []any:
		for _, e := range v {
			citedKeys(e, path+"[]", out)
		}
	}
}

// Every key a catalog answer cites, wherever it sits, is in GET
// /api/sources, and every key a chip's entry cites is in that chip's
// resolved sources (the audit: exp_rate's fa3_sfu and
// cuda_arith_throughput were in neither).
func TestCatalogSourcesResolveEveryCitedKey(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var all struct{ Sources map[string]any }
	if st := do(t, "GET", srv.URL+"/api/sources", "", &all); st != http.StatusOK {
		t.Fatalf("GET /api/sources = %d", st)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/chips", "/api/models", "/api/systems"}
	for _, c := range cat.Chips() {
		paths = append(paths, "/api/chips/"+c.ID)
	}
	for _, p := range paths {
		var got map[string]any
		if st := do(t, "GET", srv.URL+p, "", &got); st != http.StatusOK {
			t.Fatalf("GET %s = %d", p, st)
		}
		cited := map[string]string{}
		citedKeys(got, "", cited)
		own, _ := got["sources"].(map[string]any)
		for k, at := range cited {
			if all.Sources[k] == nil {
				t.Errorf("GET %s cites %q at %s; GET /api/sources lacks it", p, k, at)
			}
			if own != nil && own[k] == nil {
				t.Errorf("GET %s cites %q at %s; its sources lack it", p, k, at)
			}
		}
	}
}

// Every key POST /api/report's answer cites, in its results (the
// scenario's economics and engineering blocks included) or its layout,
// is in the answer's sources (the audit: the regions' PUE sources and
// the engineering blocks' were not).
func TestReportSourcesResolveEveryCitedKey(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gap report engine")
	}
	srv, _ := newTestServer(t, Limits{})
	var got map[string]any
	if st := do(t, "POST", srv.URL+"/api/report", `{"samples":20}`, &got); st != http.StatusOK {
		t.Fatalf("POST /api/report = %d", st)
	}
	own, _ := got["sources"].(map[string]any)
	cited := map[string]string{}
	citedKeys(got, "", cited)
	if len(own) == 0 || len(cited) == 0 {
		t.Fatalf("the answer has %d sources and cites %d keys", len(own), len(cited))
	}
	for k, at := range cited {
		if own[k] == nil {
			t.Errorf("the report cites %q at %s; its sources lack it", k, at)
		}
	}
}
