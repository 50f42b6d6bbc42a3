package calc

import (
	"errors"
	"strings"

	"chipgap/strictyaml"
)

// FileError is bad input inside a file a request carries (a scenario, a
// sweep grid): its message is the file's own one-line error (the file's
// name, line and field, as the command line shows it) and Field is that
// field's path in the request ("scenario.training.chips", "grid.sizes[1]"),
// as the API names it.
type FileError struct {
	Field string
	Err   error
}

func (e *FileError) Error() string { return e.Err.Error() }

// Unwrap returns the file's error (a *strictyaml.Error for a file that
// does not decode or check).
func (e *FileError) Unwrap() error { return e.Err }

// fileError names the request field that holds a file (field: "scenario",
// "grid") in err, an error about that file. A field of the file becomes
// field.path; an error about the whole document (it is not a mapping, it
// is not YAML) names the request field alone.
func fileError(field string, err error) error {
	if err == nil {
		return nil
	}
	path := field
	var se *strictyaml.Error
	if errors.As(err, &se) && se.Field != "" && !strings.HasPrefix(se.Field, "[") {
		path += "." + se.Field
	}
	return &FileError{Field: path, Err: err}
}
