package catalog

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"

	"chipgap/input"
	"chipgap/training"
)

// TrainingStack is one training software-stack profile as stored in
// data/stacks-training.yaml: the efficiencies (training.Profile), the
// hardware stack it runs on, the framework names published runs use for
// it, and whether it is that stack's default.
type TrainingStack struct {
	training.Profile `yaml:",inline"`
	Stack            string   `yaml:"stack" json:"stack"`
	Frameworks       []string `yaml:"frameworks,omitempty" json:"frameworks,omitempty"`
	// FrameworkParams are parameters a framework of the stack sets
	// differently in its published practice (e.g. NVIDIA's NeMo and
	// Megatron-Bridge performance recipes reduce gradients in 16 bits,
	// where Megatron-LM's training script keeps them in fp32): applied
	// when a run or request names that framework.
	FrameworkParams map[string]map[string]training.Param `yaml:"framework_params,omitempty" json:"framework_params,omitempty"`
	Default         bool                                 `yaml:"default,omitempty" json:"default,omitempty"`
	Note            string                               `yaml:"note,omitempty" json:"note,omitempty"`
}

// TrainingStacks returns data/stacks-training.yaml as Load decoded and
// checked it (a copy of the list): every parameter has a basis, sourced
// ones cite keys of the catalog's sources, each hardware stack has
// exactly one default profile.
func (c *Catalog) TrainingStacks() ([]TrainingStack, error) { return slices.Clone(c.training), nil }

func (c *Catalog) trainingStacksFrom(fsys fs.FS) ([]TrainingStack, error) {
	var doc struct {
		Stacks []TrainingStack `yaml:"stacks"`
	}
	if err := decodeFile(fsys, "stacks-training.yaml", &doc); err != nil {
		return nil, err
	}
	defaults := map[string]int{}
	seen := map[string]bool{}
	for _, s := range doc.Stacks {
		if seen[s.ID] {
			return nil, fmt.Errorf("catalog: stacks-training.yaml: duplicate id %q", s.ID)
		}
		seen[s.ID] = true
		if !slices.Contains(Stacks(), s.Stack) {
			return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: stack %q: want one of %v", s.ID, s.Stack, Stacks())
		}
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("catalog: stacks-training.yaml: %w", err)
		}
		for _, fw := range s.Frameworks {
			if fw != strings.ToLower(fw) {
				return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: framework %q: want lower case (names are matched so)", s.ID, fw)
			}
		}
		for fw, params := range s.FrameworkParams {
			if !slices.Contains(s.Frameworks, fw) {
				return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: framework_params: %q is not one of its frameworks %v", s.ID, fw, s.Frameworks)
			}
			p, err := s.Profile.With(params)
			if err == nil {
				err = p.Check()
			}
			if err != nil {
				return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: framework_params %s: %w", s.ID, fw, err)
			}
			for name, q := range params {
				for _, k := range q.Sources {
					if _, err := c.Source(k); err != nil {
						return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: framework_params %s: %s: source %w", s.ID, fw, name, err)
					}
				}
			}
		}
		if err := c.checkStackRefs(s); err != nil {
			return nil, fmt.Errorf("catalog: stacks-training.yaml: %s: %w", s.ID, err)
		}
		if s.Default {
			defaults[s.Stack]++
		}
	}
	if err := checkTransfers(doc.Stacks); err != nil {
		return nil, fmt.Errorf("catalog: stacks-training.yaml: %w", err)
	}
	for _, st := range Stacks() {
		if defaults[st] != 1 {
			return nil, fmt.Errorf("catalog: stacks-training.yaml: stack %s has %d default profiles, want 1", st, defaults[st])
		}
	}
	return doc.Stacks, nil
}

// checkTransfers checks every parameter that takes over another
// profile's value (training.Param.From): the profile exists, its value of
// the same parameter is calibrated, and the two are equal, so a refit of
// the source cannot leave a stale copy behind.
func checkTransfers(stacks []TrainingStack) error {
	byID := map[string]TrainingStack{}
	for _, s := range stacks {
		byID[s.ID] = s
	}
	for _, s := range stacks {
		params := s.Params()
		for _, name := range slices.Sorted(maps.Keys(params)) {
			p := params[name]
			if p.From == "" {
				continue
			}
			src, ok := byID[p.From]
			if !ok {
				return fmt.Errorf("%s: %s.from = %q: no such training stack", s.ID, name, p.From)
			}
			switch q := src.Params()[name]; {
			case q.Basis != training.Calibrated:
				return fmt.Errorf("%s: %s.from = %q: its %s is %s, want calibrated", s.ID, name, p.From, name, q.Basis)
			case q.Value != p.Value:
				return fmt.Errorf("%s: %s = %g takes over %s's value, which is %g", s.ID, name, p.Value, p.From, q.Value)
			}
		}
	}
	return nil
}

// checkStackRefs checks that every parameter of a stack, its own and its
// dated versions', cites sources the catalog has, and that a per-chip
// scale (chip_tensor.<id>) names a catalog chip.
func (c *Catalog) checkStackRefs(s TrainingStack) error {
	check := func(at, name string, p training.Param) error {
		for _, k := range p.Sources {
			if _, err := c.Source(k); err != nil {
				return fmt.Errorf("%s%s: source %w", at, name, err)
			}
		}
		if id, ok := strings.CutPrefix(name, "chip_tensor."); ok {
			if _, err := c.Chip(id); err != nil {
				return fmt.Errorf("%s%s: %w", at, name, err)
			}
		}
		return nil
	}
	for name, p := range s.Params() {
		if err := check("", name, p); err != nil {
			return err
		}
	}
	for _, v := range s.Versions {
		for name, p := range v.Params {
			if err := check("version "+v.Tag+": ", name, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// TrainingFrameworks are the framework names the training profiles list,
// every hardware stack's, sorted.
func (c *Catalog) TrainingFrameworks() []string {
	var names []string
	for _, s := range c.training {
		for _, fw := range s.Frameworks {
			if !slices.Contains(names, fw) {
				names = append(names, fw)
			}
		}
	}
	sort.Strings(names)
	return names
}

// CheckTrainingFramework refuses a framework name a user gave (a flag, an
// API field, a scenario file) that no training profile lists, with or
// without a release after it: TrainingProfile would quietly take the
// stack's default profile for a typo. Published runs name their software
// freely and keep that fallback (they do not call this). A name that
// another hardware stack's profile lists passes: on this stack it falls
// back to the default, and the note says so. The error is field
// framework's, naming the known names and the closest.
func (c *Catalog) CheckTrainingFramework(framework string) error {
	name, _ := frameworkName(framework)
	known := c.TrainingFrameworks()
	if name == "" || slices.Contains(known, name) {
		return nil
	}
	return unknownFramework("training", framework, name, known, "'megatron-bridge 25.09'")
}

// unknownFramework is the error for a framework name no profile of kind
// (training, serving) knows: the known names, how a release is written,
// and the closest names (Suggest).
func unknownFramework(kind, framework, name string, known []string, release string) error {
	return &input.Error{Field: "framework", Value: framework, Want: fmt.Sprintf("unknown %s framework (known: %s; a release may follow the name, as in %s)%s",
		kind, strings.Join(known, ", "), release, Suggest(name, known))}
}

// TrainingProfileOn returns the training profile with the given id where
// it runs on hardware stack stack (chip's, for the error): a profile of
// another stack (Ascend's cann-mindspeed on an H100) is refused, naming
// the profiles that run there. An unknown id is TrainingProfileByID's
// error.
func (c *Catalog) TrainingProfileOn(id, stack, chip string) (training.Profile, error) {
	prof, err := c.TrainingProfileByID(id)
	if err != nil {
		return prof, err
	}
	var on string
	var here []string
	for _, s := range c.training {
		if s.ID == id {
			on = s.Stack
		}
		if s.Stack == stack {
			here = append(here, s.ID)
		}
	}
	if on == stack {
		return prof, nil
	}
	sort.Strings(here)
	return training.Profile{}, fmt.Errorf("training stack %s runs on %s, not on %s's %s: want one of %s", id, on, chip, stack, strings.Join(here, ", "))
}

// TrainingProfile picks the profile for a chip's stack and a framework
// name: the profile listing the framework for that stack, else the
// stack's default (unknown or foreign framework names fall back, as
// published runs need: a user's name is checked first,
// CheckTrainingFramework). A
// release after the name ("megatron-bridge 25.09") picks the stack's
// version of that tag, or for a calendar release no version has, the
// state at its date (training.Profile.AtRelease). It returns the profile
// and a line saying what was assumed.
func (c *Catalog) TrainingProfile(stack, framework string) (training.Profile, string, error) {
	all, err := c.TrainingStacks()
	if err != nil {
		return training.Profile{}, "", err
	}
	name, tag := frameworkName(framework)
	if s := namedStack(all, stack, name); s != nil {
		prof := s.Profile
		if fp := s.FrameworkParams[name]; fp != nil {
			if prof, err = prof.With(fp); err != nil { // checked at load
				return training.Profile{}, "", err
			}
		}
		if tag == "" {
			return prof, fmt.Sprintf("stack %s (%s)", s.ID, name), nil
		}
		if tagged, ok := prof.AtTag(tag); ok {
			return tagged, fmt.Sprintf("stack %s (%s %s)", s.ID, name, tag), nil
		}
		if dated, ok := prof.AtRelease(tag); ok {
			return dated, fmt.Sprintf("stack %s (%s %s; no version has that tag: the state at the release's date)", s.ID, name, tag), nil
		}
		return prof, fmt.Sprintf("stack %s (%s; release %q has no dated version: the current state)", s.ID, name, tag), nil
	}
	var def *TrainingStack
	for i := range all {
		if all[i].Stack == stack && all[i].Default {
			def = &all[i]
		}
	}
	if def == nil {
		return training.Profile{}, "", fmt.Errorf("stack %q: want one of %v", stack, Stacks())
	}
	why := fmt.Sprintf("stack %s (the %s default)", def.ID, stack)
	if on := frameworkPlatforms(all, name); framework != "" && len(on) > 0 {
		why = fmt.Sprintf("stack %s (the %s default; framework %q runs on %s, not on %s)", def.ID, stack, framework, strings.Join(on, ", "), stack)
	} else if framework != "" {
		why = fmt.Sprintf("stack %s (the %s default; framework %q has no profile of its own)", def.ID, stack, framework)
	}
	return unnamed(def.Profile), why, nil
}

// frameworkPlatforms are the hardware stacks (cuda, cann...) whose
// profiles list a framework name, sorted.
func frameworkPlatforms(all []TrainingStack, name string) []string {
	var on []string
	for _, s := range all {
		if name != "" && slices.Contains(s.Frameworks, name) && !slices.Contains(on, s.Stack) {
			on = append(on, s.Stack)
		}
	}
	sort.Strings(on)
	return on
}

// unnamed is a default stack's profile for a job that names no framework
// of it: its efficiencies, without the feature limits of the framework it
// stands for that other frameworks lift (sharding_excludes_pp: Megatron's
// FSDP cannot pipeline, PyTorch FSDP and Meta's Llama 3 stack can).
func unnamed(p training.Profile) training.Profile {
	if p.ShardingExcludesPP.Value >= 0.5 {
		p.ShardingExcludesPP = training.Param{Value: 0, Basis: training.Assumed,
			Note: "no framework named: " + p.ID + "'s own limit (ZeRO 2-3 only without PP) is not applied"}
	}
	return p
}

// FrameworkParams returns the parameters the named framework (a release
// tag, if any, is ignored) sets differently within the profile of stack
// it selects (framework_params), or nil; validation/fit applies them on
// top of each grid point, as validate predicts the run.
func (c *Catalog) FrameworkParams(stack, framework string) map[string]training.Param {
	name, _ := frameworkName(framework)
	if s := namedStack(c.training, stack, name); s != nil {
		return s.FrameworkParams[name]
	}
	return nil
}

// namedStack is the profile of hardware stack stack that lists framework
// name (no release tag), or nil.
func namedStack(all []TrainingStack, stack, name string) *TrainingStack {
	for i := range all {
		if s := &all[i]; name != "" && s.Stack == stack && slices.Contains(s.Frameworks, name) {
			return s
		}
	}
	return nil
}

// frameworkName is a framework name as the catalog lists it, lower
// case, and its release (SplitRelease): sources write "Megatron-LM" and
// "NeMo 2.0" for megatron-lm and nemo at release 2.0. The one place a
// training framework name is matched (TrainingProfile, FrameworkParams).
func frameworkName(framework string) (name, tag string) {
	name, tag = SplitRelease(framework)
	return strings.ToLower(name), tag
}

// SplitRelease splits a framework name that names its release, "name
// tag" or "name@tag" (e.g. "mindformers v1.1.0"), into the two; a plain
// name has no tag.
func SplitRelease(framework string) (name, tag string) {
	framework = strings.TrimSpace(framework)
	if i := strings.LastIndexAny(framework, " @"); i > 0 {
		return strings.TrimSpace(framework[:i]), strings.TrimSpace(framework[i+1:])
	}
	return framework, ""
}

// CalibratedTrainingProfile returns, for hardware stack stack, the first
// profile in the catalog's order, other than the one with id except,
// whose large-GEMM efficiency (matmul_max) was fitted on published runs,
// and why it was chosen; ok is false where the stack has none. It lets a
// figure resting on an assumed profile (cann-mindspeed) be read beside
// the one profile of the same hardware that published runs ground
// (mindformers).
func (c *Catalog) CalibratedTrainingProfile(stack, except string) (prof training.Profile, why string, ok bool) {
	for _, s := range c.training {
		if s.Stack == stack && s.ID != except && s.MatmulMax.Basis == training.Calibrated {
			return s.Profile, fmt.Sprintf("stack %s (the %s profile whose GEMM efficiency was fitted on published runs)", s.ID, stack), true
		}
	}
	return training.Profile{}, "", false
}

// TrainingProfileByID returns the profile with the given id.
func (c *Catalog) TrainingProfileByID(id string) (training.Profile, error) {
	all, err := c.TrainingStacks()
	if err != nil {
		return training.Profile{}, err
	}
	var ids []string
	for _, s := range all {
		if s.ID == id {
			return s.Profile, nil
		}
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	hint := Suggest(id, ids)
	if hint == "" {
		hint = " (want one of " + strings.Join(ids, ", ") + ")"
	}
	return training.Profile{}, &notFound{fmt.Sprintf("training stack %s not found%s", quoteID(id), hint)}
}
