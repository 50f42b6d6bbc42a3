// Package input holds the one error type for bad input: Error names the
// field at fault (its path, as the caller's input spells it), the value
// given and what is allowed. Every package that checks its inputs returns
// it; cmd/chipgap maps it to exit code 2 and web to a 400 naming the field.
//
// It is a layer-0 package: no chipgap imports, no I/O.
package input
