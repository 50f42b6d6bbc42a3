//go:build !unix

package main

import "testing"

func makeFIFO(t *testing.T, dir string) (string, bool) { return "", false }
