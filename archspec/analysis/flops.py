"""Forward FLOPs per token at a sequence length, from the spec alone.

Convention (the one torch.utils.flop_counter.FlopCounterMode uses, so the two compare like with
like): only matrix products count, each as 2·m·n·k (a multiply and an add per term).  That
covers the Q/K/V and output projections, Q·Kᵀ and A·V, the feed-forward matrices, the output
projection and the relative-position terms.  Elementwise work (softmax, norms, activations,
bias adds, residual adds, dropout, the sqrt(d_model) scale) and table look-ups (embeddings,
gathers) count zero: together they are a few percent of the total at the paper's sizes.

Attention is counted dense: Q·Kᵀ and A·V cover all T×S pairs even under a causal mask, which
is what the implementations compute (SDPA's math path, and FlopCounterMode's formulas for the
fused kernels); a causal kernel that skips masked blocks does about half of that part.

"Per token" means per position of the sequence the model predicts: for an encoder-decoder, per
target token with a source of the same length (T source and T target tokens, so the encoder's
work is charged to the target token at the same position); for an encoder-only model, per input
token.  Training costs about 3 × forward (the backward pass computes two products per forward
product: one for the inputs' gradient and one for the weights'). A recipe that checkpoints
layers (trainer.activation_checkpointing) runs those layers' forward once more in the backward
pass: `recompute_flops_per_token` is added to the training FLOPs.
"""

from __future__ import annotations

from typing import Any

from archspec.analysis.memory import checkpointed_layers, layer_of
from archspec.analysis.structure import describe

TRAINING_FACTOR = 3
"""Training FLOPs ≈ TRAINING_FACTOR × forward FLOPs (forward + a backward twice as costly)."""


def flops_breakdown(spec: Any, seq_len: int) -> dict[str, int]:
    """Forward FLOPs per token at `seq_len`, per component (parameter component names); each
    module's count comes from its component's cost model."""
    out: dict[str, int] = {}
    for node in describe(spec, seq_len):
        if node.cost.flops:
            out[node.component] = out.get(node.component, 0) + node.cost.flops
    return out


def forward_flops_per_token(spec: Any, seq_len: int) -> int:
    """Forward FLOPs per token at sequence length `seq_len` (see the module docstring)."""
    return sum(flops_breakdown(spec, seq_len).values())


def recompute_flops_per_token(spec: Any, seq_len: int) -> int:
    """Forward FLOPs per token of the layers a recipe checkpoints, run again in the backward
    pass (0 without checkpointing)."""
    layers = checkpointed_layers(spec)
    return sum(n.cost.flops for n in describe(spec, seq_len) if layer_of(n, layers) is not None)


def training_flops_per_token(spec: Any, seq_len: int) -> int:
    """Forward + backward FLOPs per token, ≈ 3 × forward, plus the checkpointed layers' second
    forward."""
    forward = TRAINING_FACTOR * forward_flops_per_token(spec, seq_len)
    return forward + recompute_flops_per_token(spec, seq_len)
