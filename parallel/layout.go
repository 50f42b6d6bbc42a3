package parallel

import (
	"fmt"
	"strings"
)

// VirtualLayers is each pipeline stage's transformer layers by virtual
// stage, where the interleaving does not divide a stage's layers evenly
// (20 layers in 7 virtual stages: 3,3,3,3,3,3,2): Megatron-LM refuses such
// a plan unless the split is stated (Layout). nil where VPP is 1 or
// divides every stage's layers, which Megatron splits itself. A stage's
// first virtual stages take the remainder.
func (p Plan) VirtualLayers(layers int) [][]int {
	if p.VPP <= 1 {
		return nil
	}
	stages := p.Stages(layers)
	even := true
	for _, n := range stages {
		even = even && n%p.VPP == 0
	}
	if even {
		return nil
	}
	out := make([][]int, len(stages))
	for i, n := range stages {
		out[i] = make([]int, p.VPP)
		for v := range out[i] {
			out[i][v] = n / p.VPP
			if v < n%p.VPP {
				out[i][v]++
			}
		}
	}
	return out
}

// Layout is VirtualLayers as Megatron-Core's --pipeline-model-parallel-layout
// (pipeline_model_parallel_layout) states it: the PP·VPP virtual stages in
// order (virtual stage v of pipeline stage i is the (v·PP+i)-th), split by
// "|", "t" a transformer layer, "E" the embedding in the first, the mtp
// modules "m" and the loss "L" in the last, runs written "(…|)*n" and
// "t*n". "" where VirtualLayers is nil.
func (p Plan) Layout(layers, mtp int) string {
	vl := p.VirtualLayers(layers)
	if vl == nil {
		return ""
	}
	pp := len(vl)
	chunks := make([]string, 0, pp*p.VPP)
	for k := range pp * p.VPP {
		var c strings.Builder
		if k == 0 {
			c.WriteString("E")
		}
		switch n := vl[k%pp][k/pp]; {
		case n > 3:
			fmt.Fprintf(&c, "t*%d", n)
		default:
			c.WriteString(strings.Repeat("t", n))
		}
		if k == pp*p.VPP-1 {
			c.WriteString(strings.Repeat("m", mtp) + "L")
		}
		chunks = append(chunks, c.String())
	}
	var b strings.Builder
	for i := 0; i < len(chunks); {
		j := i
		for j < len(chunks) && chunks[j] == chunks[i] {
			j++
		}
		n, last := j-i, j == len(chunks)
		switch {
		case n == 1 && last:
			b.WriteString(chunks[i])
		case n == 1:
			b.WriteString(chunks[i] + "|")
		case last && n == 2:
			b.WriteString(chunks[i] + "|" + chunks[i])
		case last:
			fmt.Fprintf(&b, "(%s|)*%d%s", chunks[i], n-1, chunks[i])
		default:
			fmt.Fprintf(&b, "(%s|)*%d", chunks[i], n)
		}
		i = j
	}
	return b.String()
}
