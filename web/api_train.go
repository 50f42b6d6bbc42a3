package web

import (
	"context"
	"errors"
	"net/http"

	"chipgap/calc"
	"chipgap/training"
)

// trainRequest is the body of POST /api/train/estimate and
// /api/train/search: calc.TrainRequest (its charts the API's alone).
type trainRequest struct {
	calc.TrainRequest
}

// trainSetup decodes a request and resolves it, within the server's
// limits.
func (s *Server) trainSetup(w http.ResponseWriter, r *http.Request) (trainRequest, calc.TrainSetup, error) {
	var req trainRequest
	if err := s.decode(w, r, &req); err != nil {
		return req, calc.TrainSetup{}, err
	}
	if err := capInt("chips", req.Chips, s.limits.MaxChips); err != nil {
		return req, calc.TrainSetup{}, err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return req, calc.TrainSetup{}, err
	}
	st, err := req.Setup(cat)
	return req, st, err
}

func (s *Server) handleTrainEstimate(w http.ResponseWriter, r *http.Request) error {
	req, st, err := s.trainSetup(w, r)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (calc.TrainView, error) {
		e, err := calc.Train(st)
		if nf := (*training.NotFitError)(nil); errors.As(err, &nf) {
			return calc.TrainView{}, badField("plan", "%v", nf)
		}
		return e.View(req.Charts), err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// trainSearch is POST /api/train/search's answer.
type trainSearch struct {
	training.SearchResult
	Best *calc.TrainView `json:"best"`
}

func (s *Server) handleTrainSearch(w http.ResponseWriter, r *http.Request) error {
	req, st, err := s.trainSetup(w, r)
	if err != nil {
		return err
	}
	if err := capInt("top", req.Top, 20); err != nil {
		return err
	}
	if n := st.CountPlans(s.limits.MaxPlans); n > s.limits.MaxPlans {
		return badField("plan", "the search space holds more than %d plans, over this server's limit of %d (see docs/api.md): fix some degrees (tp, pp, microbatch) in plan",
			s.limits.MaxPlans, s.limits.MaxPlans)
	}
	return respondJobOrWait(s, w, r, "train-search", func(ctx context.Context, p *Progress) (trainSearch, error) {
		p.Set("plan shapes", 0)
		sr, err := calc.Search(st, calc.SearchOptions{Top: req.Top, Progress: p.Count})
		if errors.Is(err, training.ErrNoPlan) {
			return trainSearch{}, badField("plan", "%v in the searched space: add chips, shorten seq or global_batch, or use a narrower precision", err)
		}
		out := trainSearch{SearchResult: sr.SearchResult}
		if sr.Best != nil {
			best := sr.Best.View(req.Charts)
			out.Best = &best
		}
		return out, err
	})
}
