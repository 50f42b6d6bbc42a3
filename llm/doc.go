// Package llm describes decoder-only transformer architectures (Model) and
// the pure formulas every estimator uses: parameter counts, FLOPs per token,
// the GEMMs of each layer, weight bytes and KV-cache bytes.
//
// Reading guide: model.go (the architecture and its validation), params.go
// (Params: where the weights sit), flops.go (FLOPs per token, training FLOPs,
// Megatron's eq. 2 and 3), gemm.go (LayerGEMMs and AttentionGEMMs: M, N, K
// for size-dependent efficiency), memory.go (weight and KV-cache bytes),
// window.go (sliding-window attention: the keys a query reads and the KV
// cache a sequence holds, averaged over local and global layers).
//
// Model: L layers of attention + MLP, hidden h, vocabulary V.
//   - Attention: MHA/GQA project h → (heads + 2·kv_heads)·head_dim and back;
//     MLA (DeepSeek-V2, arXiv 2405.04434; V3, arXiv 2412.19437) compresses
//     queries through q_lora_rank and keys/values through kv_lora_rank, with a
//     shared rotary key of qk_rope_head_dim; per head, keys are
//     qk_nope+qk_rope wide and values v_head_dim.
//   - MLP: GeLU has 2 matrices (h×ffn, ffn×h), SwiGLU 3.
//   - MoE: the first moe.dense_layers layers are dense; the rest have a router
//     (h×experts), moe.experts routed experts of expert_ffn, moe.active of
//     them per token, and moe.shared always-on experts; moe.groups and
//     moe.group_topk state group-limited routing (DeepSeek's node-limited
//     routing), and moe.routing: contiguous a benchmark's fixed balanced
//     gate (token i takes experts i·k … i·k+k−1): both narrow the nodes a
//     token's experts reach (MoEConfig.ShardsHit) and nothing else.
//   - Norms: LayerNorm (2h: scale and bias) by default for GeLU models,
//     RMSNorm (h) for SwiGLU; two per layer plus a final one. Linear biases
//     default on with LayerNorm (GPT-3, Megatron GPT), off with RMSNorm.
//   - DeepSeek-V3's MTP module (arXiv 2412.19437 §2.2) is counted apart:
//     "671B" excludes it; the 685B of the released checkpoint adds one MTP
//     module (~11.6B of its own) and a second stored copy of embedding and head.
//
// Assumptions: FLOPs count multiply-adds as 2; the forward pass's FLOPs are
// the weight GEMMs (2 × active matmul parameters, logit layer once, no
// embedding lookup) plus attention's Q·Kᵀ and P·V; the backward pass costs
// twice the forward; full recompute adds one forward of the transformer
// layers (not the head). Attention over a sequence of s tokens uses a mean
// context of s (full, Megatron's convention) or (s+1)/2 (causal); a local
// layer under a window of w keys, w − w(w−1)/(2s) (causal, s > w). MoE GEMMs
// assume balanced routing. Biases, norms, softmax and activations are not
// counted as FLOPs (under 0.1 % here).
//
// Units: parameter counts are exact int64; FLOPs are units.FLOP, bytes
// units.Bytes. Precision is passed as bytes per element (float64) so that
// llm stays independent of package hardware.
//
// Sources: Narayanan et al. 2021 (arXiv 2104.04473) eq. 2 and 3;
// Kaplan et al. 2020 (arXiv 2001.08361) for 2N FLOPs per token; DeepSeek-V2
// and V3 technical reports for MLA, MoE and MTP.
package llm
