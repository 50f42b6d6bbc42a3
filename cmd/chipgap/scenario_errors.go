package main

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"chipgap/catalog"
)

var unknownIn = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (.+)$`)

// scenarioError rewrites catalog.Decode's error for a scenario file of
// flag names (simulate, serve-estimate) on one line, as a usage error: an
// unknown field gets the close names and the allowed ones. types maps the
// Go type names yaml.v3 reports ("main.simSpec") to their structs.
func scenarioError(path string, err error, types ...reflect.Type) error {
	byName := map[string]reflect.Type{}
	for _, t := range types {
		byName[t.String()] = t
	}
	msg := strings.TrimPrefix(err.Error(), "catalog: ")
	msg = strings.TrimPrefix(msg, filepath.Base(path)+": ")
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if m := unknownIn.FindStringSubmatch(l); m != nil {
			l = fmt.Sprintf("line %s: unknown field %s", m[1], m[2])
			if t, ok := byName[m[3]]; ok {
				names := yamlFieldNames(t)
				l += fmt.Sprintf("%s (allowed here: %s)", catalog.Suggest(m[2], names), strings.Join(names, ", "))
			}
		}
		out = append(out, l)
	}
	return usagef("scenario %s: %s", path, strings.Join(out, "; "))
}

// yamlFieldNames are a struct's YAML field names, in order.
func yamlFieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}
