package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chipgap/calc"
)

// TestForms: GET /api/forms/{job} serves each job's described request,
// every field a body may carry (train's API-only charts included: the
// audit found it missing) with the default an absent field takes (a
// plain bool's is false: run's ranges had none); an unknown job is a 404
// naming the jobs there are.
func TestForms(t *testing.T) {
	srv := httptest.NewServer((&Server{}).Handler())
	defer srv.Close()
	seen := 0
	for job, c := range map[string]struct {
		request string
		fields  []calc.Field
		omitted []string
	}{
		"train":    {"calc.TrainRequest", calc.DescribeTrain(), []string{"charts"}},
		"infer":    {"calc.ServeRequest", calc.DescribeServe(), []string{"name", "batch", "region"}},
		"simulate": {"calc.SimulateRequest", calc.DescribeSimulate(), []string{"workload.trace"}},
		"run":      {"calc.RunRequest", calc.DescribeRun(), []string{"vs", "vs_chips", "vs_mfu"}},
	} {
		var form struct {
			Request string
			Fields  []struct {
				Name, Kind, Omit string
				Default          any
			}
		}
		if st := do(t, "GET", srv.URL+"/api/forms/"+job, "", &form); st != http.StatusOK {
			t.Fatalf("GET /api/forms/%s: %d", job, st)
		}
		if form.Request != c.request || len(form.Fields) != len(c.fields) {
			t.Errorf("%s: request %s with %d fields, want %s with %d", job, form.Request, len(form.Fields), c.request, len(c.fields))
			continue
		}
		var omitted []string
		for i, f := range form.Fields {
			if f.Name != c.fields[i].Name || f.Kind != c.fields[i].Kind {
				t.Errorf("%s field %d: %s (%s), want %s (%s)", job, i, f.Name, f.Kind, c.fields[i].Name, c.fields[i].Kind)
			}
			if f.Omit != "" {
				omitted = append(omitted, f.Name)
			}
			want, ok := map[string]any{"train charts": false, "train ranges": true, "run ranges": false}[job+" "+f.Name]
			if ok {
				seen++
			}
			if ok && f.Default != want {
				t.Errorf("%s field %s: default %v, want %v", job, f.Name, f.Default, want)
			}
		}
		if strings.Join(omitted, ",") != strings.Join(c.omitted, ",") {
			t.Errorf("%s: the page leaves out %v, want %v", job, omitted, c.omitted)
		}
	}
	if seen != 3 {
		t.Errorf("the forms list %d of train's charts and ranges and run's ranges, want all 3", seen)
	}
	var e Error
	if st := do(t, "GET", srv.URL+"/api/forms/serve-estimate", "", &e); st != http.StatusNotFound || e.Field != "job" || !strings.Contains(e.Msg, "infer, run, simulate, train") {
		t.Errorf("unknown form: %d %+v, want a 404 naming the jobs", st, e)
	}
}
