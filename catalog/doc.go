// Package catalog is chipgap's hardware catalog: every accelerator chip,
// network tier, system and model preset, embedded as YAML under data/ with
// the provenance of each number, and the lookups and cluster builder the
// estimators and commands use.
//
// Reading guide: catalog.go (Load, lookups, Suggest), decode.go (strict
// YAML), check.go (ranges and provenance), cluster.go (Cluster),
// metrics.go (ratios with ranges). Data: data/chips.yaml, networks.yaml,
// systems.yaml, sources.yaml, models.yaml; other files of this package
// decode and check their own data (stacks-*.yaml, fab.yaml, ...), each
// called once from loadFrom.
//
// # Data and provenance
//
// The chip, network and system data were converted from the compiled
// research catalog (research-catalog.yaml, 2026-11-29). Every quantity is
// a hardware.Value written as unit strings ("989.4TFLOPS", "3.35TB/s",
// "80GB", "700W", "$30000", "$2.35/h"), parsed by the units package's
// UnmarshalText. Typ is the best estimate; Min and Max bound it where
// sources disagree (absent = Typ). Every value cites source keys that
// resolve to titled entries of sources.yaml, or is marked derived (computed
// by us from sourced inputs) or assumed (nobody published it); a value
// that cites no source must carry a note saying where it comes from. Load rejects data that breaks these rules, unknown fields,
// dangling ids and min > typ > max, naming the file, line or entry and the
// field.
//
// Peaks are dense (no 2:4 sparsity) matrix throughput per precision. The
// ascend-910b entry carries the family figures quoted for "the 910B" (in
// practice the common 910B3); ascend-910b1..b4 are per-variant entries
// whose peaks are derived from AI-core counts (cores × 4096 MAC × 2 ×
// 1.8 GHz) because Huawei publishes no per-variant figure.
//
// # What the cluster tiers mean
//
// Cluster(chipID, n, opts) returns a hardware.Cluster of n chips in nodes
// of ChipsPerNode (opts, else the chip's chips_per_node: 8 for HGX-class
// servers, 72 for GB200 NVL72, 384 for the 910C in CloudMatrix 384, the
// ICI slice for TPUs), capped at n: a job smaller than a node spans only
// its own chips. The TPU ICI and Unified Bus "nodes" are the whole
// scale-up domain (a torus or a switched optical fabric), not one server.
//
//   - ScaleUp.Bandwidth: bytes per second ONE chip can send (and, at the
//     same time, receive) over the scale-up fabric, i.e. half the vendor's
//     aggregate bidirectional figure (H100: 900 GB/s quoted → 450 GB/s).
//     It is the chip's total over all its links, not per peer.
//   - ScaleUp.Latency: the typ latency of one collective step on the
//     chip's scale-up network entry (mostly assumed, see networks.yaml).
//   - ScaleUp.Size: ChipsPerNode, the chips joined at that bandwidth.
//   - ScaleOut.Bandwidth: the chip's share of the scale-out NIC, each way
//     (H100: one 400 Gbit/s NDR port per GPU → 50 GB/s), or
//     opts.ScaleOut / 8 bytes when given.
//   - ScaleOut.Latency: typ step latency of the chip's scale-out network.
//   - ScaleOut.Size: 0, the whole cluster.
//
// Only Typ values feed the cluster; callers that sweep uncertainty take
// ranges from the Chip itself.
//
// # Metrics
//
// ChipMetrics gives BF16 ridge point (peak FLOP/s over HBM B/s),
// TFLOP/s per watt, per $1,000 of price and per mm² of compute die. Ratio
// propagates ranges conservatively: min = a.Min/b.Max, max = a.Max/b.Min.
//
// Load decodes every embedded file once per process (sync.OnceValues) into
// an immutable Catalog; its accessors (Econ, Fab, Reliability, ...) return
// what Load decoded. This is a layer-5 package and may read its embedded
// files.
package catalog
