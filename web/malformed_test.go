package web

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// TestMalformedCorpusNo5xx fires 1,000 malformed requests, built from a
// seeded generator, at every endpoint: truncated and corrupted JSON, wrong
// types in every field of a valid body, extreme and non-finite numbers,
// nulls, arrays for objects, deep nesting, junk paths, query strings and
// methods. None may answer 5xx, and every error answer is JSON (issue 14).
func TestMalformedCorpusNo5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 requests")
	}
	srv, logs := newTestServer(t, Limits{})
	valid := map[string]string{
		"/api/train/estimate": `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","plan":{"tp":8},"ranges":false}`,
		"/api/train/search":   `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","plan":{"tp":8,"pp":1,"microbatch":1}}`,
		"/api/infer/estimate": `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"batch":8}`,
		"/api/infer/curve":    `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10}}`,
		"/api/serve/simulate": `{"chip":"h100-sxm","chips":1,"model":"llama3.1-8b","workload":{"rate":5,"requests":50}}`,
		"/api/run/simulate":   `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","days":1,"mfu":0.4,"seeds":2}`,
		"/api/report":         `{"samples":20}`,
	}
	junk := []string{"", "null", "[]", "[1,2]", "true", "0", `"x"`, "{", "}", "{{}", `{"a":}`, "\x00\xff\xfe", strings.Repeat("[", 5000),
		`{"chip":1e400}`, `{"chips":-1}`, `{"chips":1.5}`, `{"chips":"NaN"}`, `{"model":{}}`, `{"plan":[]}`, `{"plan":{"tp":1e308}}`,
		`{"workload":null}`, `{"samples":-5}`, `{"top":-1}`, "\ufeff{}", `{"chip":"` + strings.Repeat("a", 100000) + `"}`}
	values := []string{"null", "-1", "0", "1e308", "-1e308", "1e-320", `"NaN"`, `"Infinity"`, "[]", "{}", `""`, "true", `"\u0000"`, "3.5", "99999999999999999999"}
	rng := rand.New(rand.NewPCG(14, 1000))
	paths := make([]string, 0, len(valid))
	for p := range valid {
		paths = append(paths, p)
	}
	client := srv.Client()
	bad := 0
	statuses := map[int]int{}
	for i := 0; i < 1000; i++ {
		method, path, body, ctype := "POST", paths[rng.IntN(len(paths))], "", "application/json"
		switch k := rng.IntN(10); {
		case k < 3: // junk body
			body = junk[rng.IntN(len(junk))]
		case k < 6: // a valid body with one field's value replaced
			v := valid[path]
			if path == "/api/report" {
				v = `{"samples":20,"seed":1}`
			}
			fields := strings.Split(v, ":")
			j := 1 + rng.IntN(len(fields)-1)
			rest := fields[j]
			cut := strings.IndexAny(rest, ",}")
			if cut < 0 {
				cut = len(rest)
			}
			fields[j] = values[rng.IntN(len(values))] + rest[cut:]
			body = strings.Join(fields, ":")
		case k < 8: // a valid body cut short or with a byte flipped
			b := []byte(valid[path])
			if rng.IntN(2) == 0 {
				b = b[:rng.IntN(len(b))]
			} else {
				b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
			}
			body = string(b)
		case k < 9: // wrong method, junk path or query
			method = []string{"GET", "PUT", "DELETE", "PATCH"}[rng.IntN(4)]
			path = []string{path, "/api/%ff", "/api/chips/%00", "/api/compare?chips=" + strings.Repeat("h100-sxm,", 300), "/api/compare?%zz", "/api/jobs/../../etc", "/api/models/" + strings.Repeat("x", 5000)}[rng.IntN(7)]
		default: // wrong content type
			body, ctype = valid[path], []string{"text/plain", "", "application/x-www-form-urlencoded", "application/json; charset=utf-16"}[rng.IntN(4)]
		}
		if path == "/api/report" && (strings.HasPrefix(body, `{"samples":20`) || body == "{}") {
			body = "{" // keep the corpus from running full reports
		}
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := client.Do(req)
		if err != nil {
			if strings.Contains(path, "%") { // the client itself refuses some raw paths
				continue
			}
			t.Fatalf("request %d %s %s: %v", i, method, path, err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
		if resp.StatusCode >= 500 {
			bad++
			if bad <= 5 {
				t.Errorf("request %d: %s %s %.200q → %d %.300s", i, method, path, body, resp.StatusCode, out)
			}
		}
		if resp.StatusCode >= 400 && !strings.HasPrefix(strings.TrimSpace(string(out)), "{") {
			t.Errorf("request %d: %s %s → %d with a non-JSON body %.200q", i, method, path, resp.StatusCode, out)
		}
	}
	if bad > 0 {
		t.Errorf("%d of 1000 malformed requests answered 5xx", bad)
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("the server logged a panic:\n%.2000s", logs.String())
	}
	t.Logf("1000 malformed requests, statuses %v", statuses)
}
