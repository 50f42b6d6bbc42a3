package calc

import (
	"errors"
	"testing"

	"chipgap/catalog"
	"chipgap/input"
)

// A stated window lays over the model: over a run without one (a
// published-runs file cannot state it) --window 4096 makes every layer
// local; over a preset with one, --window replaces the width and keeps
// its pattern. A pattern without a window, a negative window or
// global_every 1 is a bad input naming the field.
func TestWindowApply(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	llama, err := cat.Model("llama3.1-8b")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Window{Window: 4096}.apply(llama)
	if err != nil || m.Window != 4096 || m.GlobalLayers() != 0 {
		t.Errorf("window 4096 on llama3.1-8b: window %d, %d global layers, err %v; want 4096, 0", m.Window, m.GlobalLayers(), err)
	}
	gemma, err := cat.Model("gemma-2-9b")
	if err != nil {
		t.Fatal(err)
	}
	if m, err = (Window{Window: 1024}).apply(gemma); err != nil || m.Window != 1024 || m.GlobalEvery != 2 {
		t.Errorf("window 1024 on gemma-2-9b: %d every %d, err %v; want 1024 every 2", m.Window, m.GlobalEvery, err)
	}
	if m, err = (Window{}).apply(gemma); err != nil || m.Window != 4096 {
		t.Errorf("no stated window on gemma-2-9b: %d, err %v; want the preset's 4096", m.Window, err)
	}
	for _, c := range []struct {
		w     Window
		field string
	}{{Window{GlobalEvery: 2}, "global_every"}, {Window{Window: -1}, "window"}, {Window{Window: 4096, GlobalEvery: 1}, "global_every"}} {
		var ie *input.Error
		if _, err := c.w.apply(llama); !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%+v on llama3.1-8b: %v; want a bad %s", c.w, err, c.field)
		}
	}
}

// Stated on a serving request, the window reaches the deployment's
// model (package inference prices it; its tests work the figures).
func TestServeWindowed(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := ServeDeployment{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 1, Precision: "bf16", Parallel: ServeParallel{PP: 1}}
	full, _, err := base.resolve(cat)
	if err != nil {
		t.Fatal(err)
	}
	base.Window = Window{Window: 4096}
	win, _, err := base.resolve(cat)
	if err != nil {
		t.Fatal(err)
	}
	if full.Model.Window != 0 || win.Model.Window != 4096 {
		t.Errorf("deployments' windows %d and %d, want 0 and 4096", full.Model.Window, win.Model.Window)
	}
}
