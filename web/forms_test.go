package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chipgap/calc"
)

// TestForms: GET /api/forms/{job} serves each job's described request;
// train's answer is the one it was before the table (the request name and
// calc.DescribeTrain, byte for byte); an unknown job is a 404 naming the
// jobs there are.
func TestForms(t *testing.T) {
	srv := httptest.NewServer((&Server{}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/forms/train")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, _ := json.Marshal(struct {
		Request string       `json:"request"`
		Fields  []calc.Field `json:"fields"`
	}{"calc.TrainRequest", calc.DescribeTrain()})
	if string(got) != string(want)+"\n" {
		t.Errorf("GET /api/forms/train changed:\n%s\nwant\n%s", got, want)
	}
	for job, c := range map[string]struct {
		request string
		fields  []calc.Field
		omitted []string
	}{
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
		}
		if strings.Join(omitted, ",") != strings.Join(c.omitted, ",") {
			t.Errorf("%s: the page leaves out %v, want %v", job, omitted, c.omitted)
		}
	}
	var e Error
	if st := do(t, "GET", srv.URL+"/api/forms/serve-estimate", "", &e); st != http.StatusNotFound || e.Field != "job" || !strings.Contains(e.Msg, "infer, run, simulate, train") {
		t.Errorf("unknown form: %d %+v, want a 404 naming the jobs", st, e)
	}
}
