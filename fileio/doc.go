// Package fileio owns every file chipgap reads or writes: input is read
// with a size limit (a regular file by its size, anything endless such as
// /dev/zero after the limit), an output path is checked before any work
// starts (only a regular file or a new name in an existing directory is
// written), and output is written through temporary files beside the
// targets, renamed into place only when all are written. Errors are one
// line naming the path the caller gave, never a temporary file.
//
// It is a layer-5 package: it does file I/O and imports nothing of
// chipgap's.
package fileio
