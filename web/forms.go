package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"chipgap/calc"
)

// formJob is one job whose request the page builds a form from: the
// request struct's name, its fields (calc.Describe over the struct and
// its constructor's defaults) and the fields the page leaves out, with
// why (fields the API refuses or the page's endpoint does not read).
type formJob struct {
	request string
	fields  func() []calc.Field
	omit    map[string]string
}

// formJobs is the table behind GET /api/forms/{job}.
var formJobs = map[string]formJob{
	"train": {request: "calc.TrainRequest", fields: calc.DescribeTrain},
	"infer": {request: "calc.ServeRequest", fields: calc.DescribeServe, omit: map[string]string{
		"name":   "labels a deployment in a scenario file's comparison (chipgap serve-estimate --scenario)",
		"batch":  "POST /api/infer/estimate's one batch; the page draws the curve over batches",
		"region": "the owned cost's region: the curve has no cost (chipgap serve-estimate prices the best point)",
	}},
	"simulate": {request: "calc.SimulateRequest", fields: calc.DescribeSimulate, omit: map[string]string{
		"workload.trace": "a file the CLI reads (chipgap simulate --trace); the API reads no files",
	}},
	"run": {request: "calc.RunRequest", fields: calc.DescribeRun, omit: map[string]string{
		"vs":       "the API simulates one cluster: compare with chipgap run --vs",
		"vs_chips": "the API simulates one cluster: compare with chipgap run --vs",
		"vs_mfu":   "the API simulates one cluster: compare with chipgap run --vs",
	}},
}

// formField is a described field and, where the page's form leaves it
// out, why.
type formField struct {
	calc.Field
	Omit string `json:"omit,omitempty"`
}

// handleForm is GET /api/forms/{job}: the fields of the job's request
// struct (the body of its endpoints and the flags of its command), so the
// page builds its forms from the one definition.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("job")
	job, ok := formJobs[name]
	if !ok {
		jobs := make([]string, 0, len(formJobs))
		for k := range formJobs {
			jobs = append(jobs, k)
		}
		slices.Sort(jobs)
		return &Error{Status: http.StatusNotFound, Field: "job", Msg: "no form " + strconv.Quote(name) + ": want one of " + strings.Join(jobs, ", ")}
	}
	var fields []formField
	for _, f := range job.fields() {
		fields = append(fields, formField{f, job.omit[f.Name]})
	}
	writeJSON(w, http.StatusOK, struct {
		Request string      `json:"request"`
		Fields  []formField `json:"fields"`
	}{job.request, fields})
	return nil
}
