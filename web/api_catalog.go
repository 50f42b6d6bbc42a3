package web

import (
	"errors"
	"net/http"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
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

// chipSummary is one line of GET /api/chips.
type chipSummary struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Vendor     string   `json:"vendor"`
	LaunchYear int      `json:"launch_year"`
	Precisions []string `json:"precisions"`
	Stack      string   `json:"stack"`
}

func summarize(c *hardware.Chip) chipSummary {
	s := chipSummary{ID: c.ID, Name: c.Name, Vendor: c.Vendor, LaunchYear: c.LaunchYear, Stack: c.Stack}
	for _, p := range hardware.Precisions() {
		if _, ok := c.PeakFor(p); ok {
			s.Precisions = append(s.Precisions, string(p))
		}
	}
	return s
}

// handleChips is GET /api/chips: every chip id with its name and vendor.
func (s *Server) handleChips(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	out := []chipSummary{}
	for _, c := range cat.Chips() {
		out = append(out, summarize(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"chips": out})
	return nil
}

// chipDetail is GET /api/chips/{id}: the catalog entry, its derived
// metrics and every source it cites, resolved.
type chipDetail struct {
	Chip    *hardware.Chip             `json:"chip"`
	Metrics catalog.Metrics            `json:"metrics"`
	Sources map[string]hardware.Source `json:"sources"`
}

func (s *Server) handleChip(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	c, err := cat.Chip(r.PathValue("id"))
	if err != nil {
		return lookupError("id", err)
	}
	d := chipDetail{Chip: c, Metrics: catalog.ChipMetrics(c), Sources: map[string]hardware.Source{}}
	for _, k := range chipSourceKeys(c) {
		if src, err := cat.Source(k); err == nil {
			d.Sources[k] = *src
		}
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// modelView is a model preset with its parameter counts.
type modelView struct {
	llm.Model
	TotalParams  int64 `json:"total_params"`
	ActiveParams int64 `json:"active_params"`
}

func viewModel(m llm.Model) modelView {
	p := m.Params()
	return modelView{Model: m, TotalParams: p.Total, ActiveParams: p.Active}
}

// handleModels is GET /api/models: the model presets.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	out := []modelView{}
	for _, m := range cat.Models() {
		out = append(out, viewModel(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out})
	return nil
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	m, err := cat.Model(r.PathValue("id"))
	if err != nil {
		return lookupError("id", err)
	}
	writeJSON(w, http.StatusOK, viewModel(m))
	return nil
}

// handleSystems is GET /api/systems: systems and network tiers.
func (s *Server) handleSystems(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"systems": cat.Systems(), "networks": cat.Networks()})
	return nil
}

// handleSources is GET /api/sources: every source, by key.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": allSources(cat)})
	return nil
}

// allSources resolves every source key any chip, system or network
// cites, plus the model presets' sources.
func allSources(cat *catalog.Catalog) map[string]hardware.Source {
	out := map[string]hardware.Source{}
	add := func(keys []string) {
		for _, k := range keys {
			if src, err := cat.Source(k); err == nil {
				out[k] = *src
			}
		}
	}
	for _, c := range cat.Chips() {
		add(chipSourceKeys(c))
	}
	for _, sy := range cat.Systems() {
		add(sy.Power.Sources)
		add(sy.Price.Sources)
	}
	for _, n := range cat.Networks() {
		add(n.Bandwidth.Sources)
		add(n.Latency.Sources)
		add(n.DomainSize.Sources)
	}
	for _, m := range cat.Models() {
		add(m.Sources)
	}
	return out
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

// chipSourceKeys lists every source key a chip cites.
func chipSourceKeys(c *hardware.Chip) []string {
	keys := append([]string(nil), c.Process.Sources...)
	for _, p := range hardware.Precisions() {
		keys = append(keys, c.Peak[p].Sources...)
	}
	for _, v := range [][]string{
		c.DieArea.Sources, c.HBM.Capacity.Sources, c.HBM.Bandwidth.Sources, c.HBM.Stacks.Sources,
		c.SRAM.Sources, c.TDP.Sources, c.ScaleUp.Bandwidth.Sources, c.ScaleUp.DomainSize.Sources,
		c.ScaleUp.Latency.Sources, c.ScaleOut.Bandwidth.Sources, c.Price.Sources, c.Rental.Sources,
	} {
		keys = append(keys, v...)
	}
	return keys
}
