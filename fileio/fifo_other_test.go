//go:build !unix

package fileio

import "testing"

func makeFIFO(t *testing.T, dir string) (string, bool) { return "", false }
