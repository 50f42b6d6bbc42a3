//go:build !unix

package main

import "io"

// terminalWidth: no terminal size outside unix; output stays full width.
func terminalWidth(io.Writer) int { return 0 }
