package sweep

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// measureCells are the training cells behind Measured's TrainPlan and
// MoEPlan (docs/sweeps.md, "The budget"): chip, size, model, global
// batch (0: the default 2,048), whole run.
var measureCells = []string{
	"h100-sxm 64 llama3.1-8b 0 0",
	"h100-sxm 1024 llama3.1-70b 0 0",
	"h100-sxm 16384 llama3.1-405b 0 0",
	"h100-sxm 16384 llama3.1-405b 16384 0",
	"ascend-910c 8192 llama3.1-70b 0 0",
	"ascend-910c 8192 llama3.1-70b 65536 0",
	"h100-sxm 65536 llama3.1-405b 65536 1",
	"h100-sxm 1024 deepseek-v3 0 0",
	"h100-sxm 1024 deepseek-v3 16384 0",
	"h100-sxm 1024 mixtral-8x7b 0 0",
	"h100-sxm 1000 qwen3-235b-a22b 3000 0",
	"h100-sxm 2048 gpt-oss-120b 0 0",
	"h100-sxm 4096 qwen3-235b-a22b 0 0",
	"ascend-910c 65536 deepseek-v3 0 0",
	"ascend-910c 65536 deepseek-v3 0 1",
	"ascend-910c 65536 deepseek-v3 65536 1",
	// examples/sweep-small.yaml's training cells: most plans, or all, out
	// of memory.
	"h100-sxm 16 deepseek-v3 512 1",
	"h100-sxm 64 deepseek-v3 512 1",
	"b200 64 deepseek-v3 512 1",
	"ascend-910c 16 deepseek-v3 512 1",
	"ascend-910c 64 deepseek-v3 512 1",
	"h100-sxm 64 llama3.1-70b 512 1",
	"ascend-910c 64 llama3.1-70b 512 1",
}

// TestMeasureTrainCells times each of measureCells (CHIPGAP_MEASURE=1;
// CHIPGAP_MEASURE_CELLS, cells separated by ";", replaces the list) on
// one worker, the best of two runs, wall and CPU time (the process's,
// garbage collection included: on a shared machine the wall time
// counts other work too), beside the plans SearchPlans counts and
// Measured's estimate.
func TestMeasureTrainCells(t *testing.T) {
	if os.Getenv("CHIPGAP_MEASURE") != "1" {
		t.Skip("measurement: set CHIPGAP_MEASURE=1")
	}
	cells := measureCells
	if s := os.Getenv("CHIPGAP_MEASURE_CELLS"); s != "" {
		cells = strings.Split(s, ";")
	}
	for _, spec := range cells {
		var chip, model string
		var size, gb, whole int
		if _, err := fmt.Sscan(spec, &chip, &size, &model, &gb, &whole); err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		src := fmt.Sprintf("format: chipgap-sweep/v1\nchips: [%s]\nsizes: [%d]\nmodels: [%s]\nprecisions: [bf16]\ntraining: {tokens: 20e12, global_batch: %d, whole_run: %v}\n",
			chip, size, model, gb, whole == 1)
		g, err := Parse("grid", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		e, err := newEvaluator(g)
		if err != nil {
			t.Fatal(err)
		}
		plans, _ := e.searchPlans(g.Cells()[0], planCache{plans: map[string]int{}, refused: map[string]bool{}})
		costs, err := g.CellCosts(g.Cells())
		if err != nil {
			t.Fatal(err)
		}
		est := Spread(costs, 1)
		wall, cpu := time.Duration(1<<62), time.Duration(1<<62)
		for range 2 {
			w, c := timed(func() {
				if _, err := Run(context.Background(), g, g.Cells(), Options{Workers: 1}); err != nil {
					t.Fatal(err)
				}
			})
			wall, cpu = min(wall, w), min(cpu, c)
		}
		fmt.Printf("%-11s %6d %-15s batch %6d whole %d: %9d plans, estimate %6.2f s, wall %6.2f s, CPU %6.2f s, CPU %.2f µs a plan\n",
			chip, size, model, g.Training.GlobalBatch, whole, plans, est.Seconds(), wall.Seconds(), cpu.Seconds(), cpu.Seconds()*1e6/float64(max(plans, 1)))
	}
}

// timed is f's wall time and the process's CPU time over it.
func timed(f func()) (wall, cpu time.Duration) {
	var a, b syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &a)
	start := time.Now()
	f()
	wall = time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &b)
	cpu = time.Duration(syscall.TimevalToNsec(b.Utime) - syscall.TimevalToNsec(a.Utime) + syscall.TimevalToNsec(b.Stime) - syscall.TimevalToNsec(a.Stime))
	return wall, cpu
}
