// Package parallel describes how a training job is split over devices:
// a Plan gives the tensor (TP), pipeline (PP), data (DP), context (CP) and
// expert (EP) parallel degrees, the virtual pipeline stages per device
// (VPP, interleaved 1F1B), the micro-batch size, activation recompute,
// the ZeRO stage and sequence parallelism.
//
// Devices = TP·PP·DP·CP. Expert parallelism is carved out of the data- and
// context-parallel ranks (Megatron-Core's convention): EP divides DP·CP.
// Rank order is TP innermost, then CP, then DP, then PP, so a TP group is
// consecutive devices (one node when TP ≤ devices per node) and PP stages
// are the outermost, farthest-apart groups.
//
// Validate checks a plan against a model, a device count and a global
// batch and returns a *input.Error naming the field; Enumerate lists every
// valid plan of a Space.
package parallel
