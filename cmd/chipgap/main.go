// Command chipgap models what AI accelerators and the clusters built from
// them really do: fab → chip → cluster → workload → time, cost, energy.
// Run "chipgap help" for the commands.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
