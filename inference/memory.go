package inference

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/parallel"
	"chipgap/units"
)

// Memory is a device's memory budget under a deployment.
type Memory struct {
	// Capacity is the device's HBM.
	Capacity units.Bytes `json:"capacity"`
	// Weights per device, Reserved for activations/workspace, and the KV
	// cache space left.
	Weights  units.Bytes `json:"weights"`
	Reserved units.Bytes `json:"reserved"`
	KVSpace  units.Bytes `json:"kv_space"`
}

// KV is the KV cache capacity of one instance.
type KV struct {
	// BytesPerToken is the KV cache one token of context costs on each
	// device holding it (all the stage's layers).
	BytesPerToken units.Bytes `json:"bytes_per_token"`
	// Tokens the instance can hold (all its attention groups together).
	Tokens int `json:"tokens"`
	// Blocks of BlockTokens tokens (paged attention).
	Blocks      int `json:"blocks"`
	BlockTokens int `json:"block_tokens"`
	// Groups is the number of attention groups (DP attention) that each
	// hold Tokens/Groups; a sequence lives in one group.
	Groups int `json:"groups"`
}

// weightsPerDevice is the parameters' bytes on the busiest device.
func (l *layout) weightsPerDevice() float64 {
	s, tp := l.sh, float64(l.tp)
	stage := 1 / float64(l.pp)
	w := (s.attn*s.layers + s.denseMLP*s.denseLayers + s.shared*s.moeLayers) / tp * stage
	if s.moeLayers > 0 {
		copies := math.Max(s.experts, float64(l.ep)) / float64(l.ep)
		w += copies * s.expert / float64(l.etp) * s.moeLayers * stage
	}
	emb := float64(l.m.Vocab) * s.hidden
	if l.pp == 1 {
		w += (emb + s.head) / tp
	} else {
		w += s.head / tp
	}
	return w * l.wBytes
}

// kvPerToken is the KV bytes one context token costs a device that holds
// it: the stage's layers, split over TP by KV heads (MLA's latent is not
// split).
func (l *layout) kvPerToken() float64 {
	split := math.Min(float64(l.tp), l.sh.kvHeads)
	return l.sh.kvElems * l.kvBytes * math.Ceil(l.sh.layers/float64(l.pp)) / math.Max(split, 1)
}

// decodeKVLoads is how many times a decode step's attention kernel reads
// each KV element a device holds: once, or, where the engine's kernel
// loads K and V per query head (Profile.DecodeKVPerQueryHead), once for
// each of the device's query heads that share a KV head: the device's
// heads/tp query heads over its kv_heads/min(tp, kv_heads) KV heads (a
// KV head replicated over TP ranks serves fewer query heads on each).
func (l *layout) decodeKVLoads() float64 {
	if !l.d.Profile.DecodeKVPerQueryHead || l.sh.kvHeads <= 0 || l.sh.heads <= l.sh.kvHeads {
		return 1
	}
	tp := float64(l.tp)
	return l.sh.heads * math.Min(tp, l.sh.kvHeads) / (tp * l.sh.kvHeads)
}

func (l *layout) memory() Memory {
	w := l.weightsPerDevice()
	res := float64(l.d.Profile.Reserved)
	kv := max(l.mem-w-res, 0) * l.d.Profile.MemoryFraction
	if l.d.Profile.MemoryOfTotal {
		kv = max(l.mem*l.d.Profile.MemoryFraction-w-res, 0)
	}
	return Memory{Capacity: units.Bytes(l.mem), Weights: units.Bytes(w),
		Reserved: units.Bytes(res), KVSpace: units.Bytes(kv)}
}

// kv works out the KV capacity, or ErrDoesNotFit when the weights leave no
// room for the cache.
func (l *layout) kv() (KV, error) {
	m := l.memory()
	if m.KVSpace <= 0 {
		return KV{}, l.weightsRefusal(m)
	}
	per := l.kvPerToken()
	perGroup := int(float64(m.KVSpace) / per)
	bt := l.d.Profile.BlockTokens
	perGroup -= perGroup % bt
	return KV{BytesPerToken: units.Bytes(per), Tokens: perGroup * l.adp, Blocks: perGroup / bt * l.adp,
		BlockTokens: bt, Groups: l.adp}, nil
}

// MemoryUse reports a device's memory budget under d.
func MemoryUse(d Deployment) (Memory, error) {
	l, err := resolve(d)
	if err != nil {
		return Memory{}, err
	}
	return l.memory(), nil
}

// KVCapacity is the KV cache one instance holds, in tokens and blocks;
// ErrDoesNotFit when the weights alone overflow a device.
func KVCapacity(d Deployment) (KV, error) {
	l, err := resolve(d)
	if err != nil {
		return KV{}, err
	}
	return l.kv()
}

// weightsRefusal is the refusal of weights that leave a device no room
// for a KV cache (m): it names the degree to raise, of tp, ep (a MoE
// model), attention_dp (where stated) and pp, the one parallel.Blame
// picks among those that raised alone, the others as stated, to a
// divisor of the deployment's devices would make the weights fit (the
// largest), and says the least such value of each; where none would, it
// names the largest degree and asks for more chips or a narrower
// precision. A stated dp is left free in the probe (dp does not change a
// device's weights) and the advice says where it must drop ("with dp
// 1"); an unstated tp follows ep/attention_dp in it, as it would in the
// request so changed.
func (l *layout) weightsRefusal(m Memory) error {
	p := l.d.Parallel
	what := fmt.Sprintf("weights need %v per device plus %v reserved, more than the %v a device holds (tp %d, pp %d, ep %d)",
		m.Weights, m.Reserved, m.Capacity, l.tp, l.pp, l.ep)
	type degree struct {
		name  string
		value int
		set   func(*Parallel, int)
	}
	degrees := []degree{{"tp", l.tp, func(q *Parallel, v int) { q.TP = v }}}
	if l.m.MoE != nil {
		degrees = append(degrees, degree{"ep", l.ep, func(q *Parallel, v int) { q.EP = v }})
	}
	if p.AttentionDP > 0 {
		degrees = append(degrees, degree{"attention_dp", p.AttentionDP, func(q *Parallel, v int) { q.AttentionDP = v }})
	}
	degrees = append(degrees, degree{"pp", l.pp, func(q *Parallel, v int) { q.PP = v }})
	divisors := divisorsOf(l.devices)
	var ds []parallel.Degree
	var alts []string
	for _, d := range degrees {
		least, most := l.leastFitting(d.value, divisors, func(v int) Parallel { q := p; q.DP = 0; d.set(&q, v); return q })
		ds = append(ds, parallel.Degree{Name: d.name, Value: d.value, Fixes: least > 0})
		if least > 0 {
			alts = append(alts, fmt.Sprintf("%s at least %d", d.name, least)+fewerInstances(p.DP, most))
		}
	}
	want := what + fmt.Sprintf(", and no one degree raised alone makes them fit on the deployment's devices (%d): want more chips or a narrower precision", l.devices)
	if len(alts) > 0 {
		want = what + ": want " + strings.Join(alts, ", or ") + fmt.Sprintf(" (each the least divisor of the deployment's %d devices that fits)", l.devices)
	}
	i, _ := parallel.Blame(ds)
	return &input.Error{Field: "parallel." + ds[i].Name, Value: ds[i].Value, Want: want, Err: ErrDoesNotFit}
}

// leastFitting is the least of vs (ascending) above from at which a
// degree (with: the deployment's degrees with it set to a value, dp
// free) gives a layout that splits within the deployment's devices and
// leaves a device room for a KV cache, and the most instances that
// layout has; 0 for none. A value whose instance outgrows the devices
// ends the search: a larger one outgrows them too.
func (l *layout) leastFitting(from int, vs []int, with func(int) Parallel) (least, instances int) {
	for _, v := range vs {
		if v <= from {
			continue
		}
		c := *l
		err := c.split(with(v))
		if errors.Is(err, ErrInstanceTooLarge) {
			return 0, 0
		}
		if err == nil && c.memory().KVSpace > 0 {
			return v, c.instances
		}
	}
	return 0, 0
}

// fewerInstances is what a fix of the weights asks of a stated dp (0:
// none) that its layout's instances (most) cannot hold: dp 1, or at
// most most; "" where dp may stay.
func fewerInstances(dp, most int) string {
	switch {
	case dp <= most:
		return ""
	case most == 1:
		return " with dp 1"
	}
	return fmt.Sprintf(" with dp at most %d", most)
}

// divisorsOf is n's divisors, ascending (a few thousand at most for the
// deployments a request may state, found in √n steps).
func divisorsOf(n int) []int {
	var lo, hi []int
	for d := 1; d*d <= n; d++ {
		if n%d == 0 {
			lo = append(lo, d)
			if d*d != n {
				hi = append(hi, n/d)
			}
		}
	}
	slices.Reverse(hi)
	return append(lo, hi...)
}
