package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is a deterministic slice of a grid's cells: cell i belongs to
// shard i mod Count, so cheap and expensive cells spread evenly.
type Shard struct {
	Index, Count int
}

// All is the whole grid, no shard stated (the zero Shard). A stated
// shard of one, 0/1, holds every cell too but is a shard: it writes its
// shard file for merge, as any i/n does.
func All() Shard { return Shard{} }

// Sharded reports whether s is a stated shard (i/n, 0/1 included), not
// the whole grid run unsharded.
func (s Shard) Sharded() bool { return s.Count > 0 }

func (s Shard) String() string {
	if !s.Sharded() {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// File is the shard's file name in an output directory: sweep.parquet
// for the whole grid, shard-IIIII-of-NNNNN.parquet for a stated shard
// (0/1 included: merge joins shard files only).
func (s Shard) File() string {
	if !s.Sharded() {
		return DataFile
	}
	return fmt.Sprintf("shard-%05d-of-%05d.parquet", s.Index, s.Count)
}

// Output files.
const (
	DataFile = "sweep.parquet"
	CSVFile  = "sweep.csv"
)

// MaxShards bounds the shard count.
const MaxShards = 100_000

// ParseShard reads "i/n" (0 ≤ i < n).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT, e.g. 0/4", s)
	}
	return newShard(strings.TrimSpace(a), strings.TrimSpace(b), "shard index", "shard count")
}

func newShard(index, count, indexName, countName string) (Shard, error) {
	i, err := strconv.Atoi(index)
	if err != nil {
		return Shard{}, fmt.Errorf("%s %q: want a whole number", indexName, index)
	}
	n, err := strconv.Atoi(count)
	if err != nil {
		return Shard{}, fmt.Errorf("%s %q: want a whole number", countName, count)
	}
	if n < 1 || n > MaxShards {
		return Shard{}, fmt.Errorf("%s %d: want 1 to %d", countName, n, MaxShards)
	}
	if i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%s %d: want 0 to %d (≥ 0 and < the %s %d)", indexName, i, n-1, countName, n)
	}
	return Shard{i, n}, nil
}

// Environment variables the batch engines set for an array of tasks.
// Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX but not the count:
// the Job spec passes its .spec.completions as JOB_COMPLETIONS (see
// deploy/kubernetes/sweep-job.yaml). Slurm job arrays set both; a
// --array=0-N range counts N+1 tasks.
const (
	EnvK8sIndex    = "JOB_COMPLETION_INDEX"
	EnvK8sCount    = "JOB_COMPLETIONS"
	EnvSlurmIndex  = "SLURM_ARRAY_TASK_ID"
	EnvSlurmCount  = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmOffset = "SLURM_ARRAY_TASK_MIN"
)

// ShardFromEnv reads the shard from the batch engine's variables
// (getenv is os.Getenv): Kubernetes first, then Slurm. ok is false when
// neither is set; a half-set or out-of-range pair is an error.
func ShardFromEnv(getenv func(string) string) (s Shard, ok bool, err error) {
	if i := getenv(EnvK8sIndex); i != "" {
		n := getenv(EnvK8sCount)
		if n == "" {
			return Shard{}, false, fmt.Errorf("%s=%s is set but %s is not: set it to the Job's completions", EnvK8sIndex, i, EnvK8sCount)
		}
		s, err = newShard(i, n, EnvK8sIndex, EnvK8sCount)
		return s, err == nil, err
	}
	if i := getenv(EnvSlurmIndex); i != "" {
		n := getenv(EnvSlurmCount)
		if n == "" {
			return Shard{}, false, fmt.Errorf("%s=%s is set but %s is not", EnvSlurmIndex, i, EnvSlurmCount)
		}
		if off := getenv(EnvSlurmOffset); off != "" {
			// --array=1-4: task ids start at the minimum.
			a, e1 := strconv.Atoi(i)
			b, e2 := strconv.Atoi(off)
			if e1 == nil && e2 == nil {
				i = strconv.Itoa(a - b)
			}
		}
		s, err = newShard(i, n, EnvSlurmIndex, EnvSlurmCount)
		return s, err == nil, err
	}
	return All(), false, nil
}

// Of returns the shard's cells of all.
func (s Shard) Of(all []Cell) []Cell {
	if s.Count <= 1 {
		return all
	}
	var out []Cell
	for i := s.Index; i < len(all); i += s.Count {
		out = append(out, all[i])
	}
	return out
}
