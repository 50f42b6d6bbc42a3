package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Browser test of QA's page defect: an older job's answer replacing a
// newer run's, the older job left running.

// jobOf is the job id a tab's status shows progress of, once it has one
// other than not.
func jobOf(ctx context.Context, t *testing.T, b *browser, tab, not string) string {
	t.Helper()
	js := `(document.querySelector('#` + tab + `-status').dataset.job || "")`
	if err := b.waitFor(ctx, js+` && `+js+` !== "`+not+`"`); err != nil {
		t.Fatalf("%s: no job started: %v (%s)", tab, err, statusOf(ctx, t, b, tab))
	}
	var id string
	pageState(ctx, t, b, js, &id)
	return id
}

// waitJobState waits until GET /api/jobs/{id} says one of states.
func waitJobState(t *testing.T, base, id string, states ...string) string {
	t.Helper()
	var j struct {
		State string `json:"state"`
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		getJSON(t, base+"/api/jobs/"+id, &j)
		for _, s := range states {
			if j.State == s {
				return s
			}
		}
	}
	t.Errorf("job %s is %s, want one of %v", id, j.State, states)
	return j.State
}

// TestBrowserNewerRunWins: QA's case. A serving simulation of 1,000,000
// requests, then, while it runs, one of 500: the page ends on the 500
// (not "1000000 of 1000000 requests completed" under a form and a link
// saying 500), and the first job is cancelled on the server, not left
// holding a slot. The same for a whole-run simulation and a plan search
// that an estimate supersedes (either may finish before the newer run
// starts: then only the page's answer is checked).
func TestBrowserNewerRunWins(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#serve")
	st := stampOf(ctx, t, b, "serve")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#serve-form').elements;
		f.model.value = "llama3.1-8b"; f["workload.rate"].value = "20"; f["workload.requests"].value = "1000000";
		document.querySelector('#serve-go').click(); })()`, nil)
	first := jobOf(ctx, t, b, "serve", "")
	pageState(ctx, t, b, `(() => { document.querySelector('#serve-form').elements["workload.requests"].value = "500";
		document.querySelector('#serve-go').click(); })()`, nil)
	second := jobOf(ctx, t, b, "serve", first)
	waitResult(ctx, t, b, "serve", st)
	waitJobState(t, base, first, "cancelled")
	time.Sleep(600 * time.Millisecond) // the old loop's next poll would have landed by now
	s := statusOf(ctx, t, b, "serve")
	if !strings.Contains(s, "500 of 500 requests completed") {
		t.Errorf("serve status after the newer run: %q, want the 500-request run's", s)
	}
	var hash string
	pageState(ctx, t, b, `location.hash`, &hash)
	if q, _ := url.ParseQuery(strings.SplitN(hash, "?", 2)[1]); q.Get("workload.requests") != "500" {
		t.Errorf("share link %q, want workload.requests=500", hash)
	}
	if s := waitJobState(t, base, second, "done"); s != "done" {
		t.Errorf("the newer job: %s", s)
	}

	// Whole run: 1,000 seeds of a long run, then 10.
	pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="run"]').click()`, nil)
	st = stampOf(ctx, t, b, "run")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#run-form').elements; f.seeds.value = "1000"; f.tokens.value = "15e12";
		document.querySelector('#run-go').click(); })()`, nil)
	first = jobOf(ctx, t, b, "run", "")
	pageState(ctx, t, b, `(() => { document.querySelector('#run-form').elements.seeds.value = "10"; document.querySelector('#run-go').click(); })()`, nil)
	waitResult(ctx, t, b, "run", st)
	if s := waitJobState(t, base, first, "cancelled", "done"); s == "done" {
		t.Logf("the 1,000-seed run finished before it was superseded: its cancellation is not checked")
	}
	time.Sleep(600 * time.Millisecond)
	if s := statusOf(ctx, t, b, "run"); !strings.Contains(s, "10 runs simulated") {
		t.Errorf("run status after the newer run: %q, want the 10-seed run's", s)
	}

	// A search superseded by an estimate (an edit): the search's job is
	// cancelled and its answer never shown.
	pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="train"]').click()`, nil)
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements;
		f.model.value = "deepseek-v3"; f.chips.value = "2048"; f["plan.tp"].value = ""; f["plan.pp"].value = "8"; f["plan.microbatch"].value = "1";
		document.querySelector('#train-search').click(); })()`, nil)
	first = jobOf(ctx, t, b, "train", "")
	st = stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f["plan.tp"].value = "8"; f["plan.ep"].value = "8";
		document.querySelector('#train-go').click(); })()`, nil)
	waitResult(ctx, t, b, "train", st)
	if s := waitJobState(t, base, first, "cancelled", "done"); s == "done" {
		t.Logf("the search finished before it was superseded: its cancellation is not checked")
	}
	time.Sleep(600 * time.Millisecond)
	if s := statusOf(ctx, t, b, "train"); !strings.Contains(s, "estimate for the plan above") {
		t.Errorf("train status after an estimate superseded the search: %q", s)
	}
}
