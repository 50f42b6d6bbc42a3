package serve

import "time"

// Batch is what one engine step computes: chunks of prompts being
// prefilled and sequences being decoded, the shape a per-step time model
// needs.
type Batch struct {
	// PrefillTokens is the number of prompt tokens computed this step, over
	// PrefillSeqs sequences.
	PrefillTokens int
	PrefillSeqs   int
	// PrefillContext is the number of tokens already in the KV cache before
	// this step's chunks, summed over the prefilling sequences (chunked
	// prefill attends to them).
	PrefillContext int
	// DecodeSeqs is the number of sequences generating this step, each
	// computing DecodeTokens/DecodeSeqs tokens (1, or 1 + drafts with
	// speculative decoding).
	DecodeSeqs   int
	DecodeTokens int
	// DecodeContext is the KV-cache tokens the decoding sequences read,
	// summed over them.
	DecodeContext int
	// Chunks lists the prefill chunks (valid only during a StepTime call:
	// the engine reuses the slice).
	Chunks []Chunk
}

// Chunk is one sequence's share of a step's prefill: Tokens computed on
// top of Cached tokens already in its KV cache.
type Chunk struct {
	Tokens int
	Cached int
	// Seq is the request's arrival number: a step model with attention
	// data parallelism places the request on group Seq mod groups (the
	// round-robin dispatch of TensorRT-LLM's baseline ADP scheduler).
	Seq int
}

// Tokens is the number of tokens the step computes.
func (b Batch) Tokens() int { return b.PrefillTokens + b.DecodeTokens }

// StepModel gives the wall time of one engine step on one replica. It
// must be a pure function of the batch and return a positive duration.
type StepModel interface {
	StepTime(Batch) time.Duration
}

// StepFunc adapts a function to StepModel.
type StepFunc func(Batch) time.Duration

// StepTime calls f.
func (f StepFunc) StepTime(b Batch) time.Duration { return f(b) }
