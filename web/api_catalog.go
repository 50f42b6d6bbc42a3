package web

import (
	"errors"
	"net/http"

	"chipgap/calc"
	"chipgap/catalog"
)

// catalogOf returns the server's catalog: Server.Catalog, else the
// embedded one.
func (s *Server) catalogOf() (*catalog.Catalog, error) {
	if s.Catalog != nil {
		return s.Catalog, nil
	}
	return catalog.Load()
}

// lookupError maps a catalog lookup failure to a 404 naming field (the
// catalog's message already lists the closest ids).
func lookupError(field string, err error) error {
	if errors.Is(err, catalog.ErrNotFound) {
		return notFound(field, err)
	}
	return err
}

// handleChips is GET /api/chips (every chip id with its name and vendor)
// and GET /api/chips/{id} (calc.ChipDetail).
func (s *Server) handleChips(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	v, err := calc.Chips(cat, calc.ChipsRequest{ID: r.PathValue("id")})
	switch {
	case err != nil:
		return err
	case v.Detail != nil:
		writeJSON(w, http.StatusOK, v.Detail)
		return nil
	}
	out := []calc.ChipSummary{}
	for _, c := range v.List {
		out = append(out, calc.Summarize(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"chips": out})
	return nil
}

// handleChip is GET /api/chips/{id}: handleChips reads the id.
func (s *Server) handleChip(w http.ResponseWriter, r *http.Request) error { return s.handleChips(w, r) }

// handleModels is GET /api/models (the model presets) and
// GET /api/models/{id} (one, calc.ModelView).
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	req := calc.NewModelsRequest()
	req.ID = r.PathValue("id")
	v, err := calc.Models(cat, req)
	switch {
	case err != nil:
		return err
	case v.Detail != nil:
		writeJSON(w, http.StatusOK, calc.ViewModel(v.Detail.Model))
		return nil
	}
	out := []calc.ModelView{}
	for _, m := range v.List {
		out = append(out, calc.ViewModel(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out})
	return nil
}

// handleModel is GET /api/models/{id}: handleModels reads the id.
func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) error {
	return s.handleModels(w, r)
}

// handleSystems is GET /api/systems: systems and network tiers.
func (s *Server) handleSystems(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, calc.Systems(cat))
	return nil
}

// handleSources is GET /api/sources: every source, by key.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": calc.Sources(cat)})
	return nil
}

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	src, err := cat.Source(r.PathValue("key"))
	if err != nil {
		return lookupError("key", err)
	}
	writeJSON(w, http.StatusOK, src)
	return nil
}
