package calc

import (
	"fmt"
	"slices"
	"strings"
)

// formJob is one job whose request the page builds a form from: the
// request struct's name, its fields (Describe over the struct and
// its constructor's defaults) and the fields the page leaves out, with
// why (fields the API refuses or the page's endpoint does not read).
type formJob struct {
	request string
	fields  func() []Field
	omit    map[string]string
	rules   []fieldRule
}

// formJobs is the table behind Form (GET /api/forms/{job}).
var formJobs = map[string]formJob{
	"train": {request: "calc.TrainRequest", fields: DescribeTrain, omit: map[string]string{
		"charts": "the page always asks for the charts it draws",
	}},
	"infer": {request: "calc.ServeRequest", fields: DescribeServe, rules: specRules, omit: map[string]string{
		"name":   "labels a deployment in a scenario file's comparison (chipgap serve-estimate --scenario)",
		"batch":  "POST /api/infer/estimate's one batch; the page draws the curve over batches",
		"region": "the owned cost's region: the curve has no cost (chipgap serve-estimate prices the best point)",
	}},
	"simulate": {request: "calc.SimulateRequest", fields: DescribeSimulate, rules: simulateRules, omit: map[string]string{
		"workload.trace": "a file the CLI reads (chipgap simulate --trace); the API reads no files",
	}},
	"run": {request: "calc.RunRequest", fields: DescribeRun, omit: map[string]string{
		"vs":       "the API simulates one cluster: compare with chipgap run --vs",
		"vs_chips": "the API simulates one cluster: compare with chipgap run --vs",
		"vs_mfu":   "the API simulates one cluster: compare with chipgap run --vs",
	}},
}

// FormField is a described field, where the page's form leaves it out
// why, and the conditions it applies under (the page leaves it out of a
// request where they fail, as the API would refuse it: the rules
// SimulateRequest.Unused and ServeDeployment's check refuse by).
type FormField struct {
	Field
	Omit  string `json:"omit,omitempty"`
	Needs Needs  `json:"needs,omitempty"`
}

// FormView is a job's form: its request struct's name and fields, each
// with why the page leaves it out where it does.
type FormView struct {
	Request string      `json:"request"`
	Fields  []FormField `json:"fields"`
}

// Form describes the request of job (train, infer, simulate, run) for the
// page's form; an unknown job names the known ones.
func Form(job string) (FormView, error) {
	j, ok := formJobs[job]
	if !ok {
		jobs := make([]string, 0, len(formJobs))
		for k := range formJobs {
			jobs = append(jobs, k)
		}
		slices.Sort(jobs)
		return FormView{}, fmt.Errorf("no form %q: want one of %s", job, strings.Join(jobs, ", "))
	}
	v := FormView{Request: j.request}
	needs := needsOf(j.rules)
	for _, f := range j.fields() {
		v.Fields = append(v.Fields, FormField{f, j.omit[f.Name], needs[f.Name]})
	}
	return v, nil
}
