"""Attention maps of a trained model: `archspec attention RUN --text ...`.

The model reads the text once with attention recording on (archspec.nn.recording): every
attention module then returns its softmax weights [B, H, T, S]. One panel per requested
(layer, head): rows are queries, columns keys, each labelled with its token.

| model           | kind  | stack (default) | queries                          | keys          |
|-----------------|-------|-----------------|----------------------------------|---------------|
| decoder-only    | self  | decoder         | the text's tokens                | the same      |
| encoder-only    | self  | encoder         | the text's tokens                | the same      |
| encoder-decoder | self  | encoder         | source tokens                    | the same      |
| encoder-decoder | self  | decoder         | <bos> + target tokens            | the same      |
| encoder-decoder | cross | decoder         | the target token a query predicts | source tokens |

The target of an encoder-decoder is `target` when given, else the model's own translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from archspec.errors import ArchspecError
from archspec.pictures.figures import grid, heat_map, layout, panel_inches, token_label


@dataclass
class AttentionMaps:
    """Recorded attention weights of one stack and kind, with the tokens on each axis."""

    kind: str
    """self or cross."""
    stack: str
    """encoder or decoder."""
    weights: list[torch.Tensor]
    """Per layer, Float[H, T, S]."""
    queries: list[str]
    keys: list[str]
    source: str
    target: str | None = None
    """The target text (encoder-decoder), given or translated."""


def parse_indices(spec: str, count: int, what: str) -> list[int]:
    """'all', '0,2' or '1-3' -> indices in range(count), or an ArchspecError saying why not."""
    spec = spec.strip()
    if spec == "all":
        return list(range(count))
    out: list[int] = []
    try:
        for part in spec.split(","):
            lo, _, hi = part.strip().partition("-")
            first, last = int(lo), int(hi) if hi else int(lo)
            out += list(range(first, last + 1))
    except ValueError:
        raise ArchspecError(
            f"{what}s: expected 'all', numbers separated by commas or a range like 0-3, "
            f"got {spec!r}"
        ) from None
    bad = [i for i in out if not 0 <= i < count]
    if bad or not out:
        raise ArchspecError(
            f"{what} {bad[0] if bad else spec}: this model has {what}s 0-{count - 1}"
        )
    return list(dict.fromkeys(out))


def _labels(tokenizer: Any, ids: Sequence[int], specials: Any) -> list[str]:
    names = {specials.decoder_start: "<bos>", specials.bos: "<bos>", specials.eos: "<eos>"}
    return [names.get(i) or token_label(tokenizer.decode([i])) for i in ids]


def _stack_of(run: Any, kind: str, stack: str | None) -> str:
    if run.kind == "encoder-decoder":
        if kind == "cross":
            if stack == "encoder":
                raise ArchspecError("cross-attention lives in the decoder: drop --stack encoder")
            return "decoder"
        return stack or "encoder"
    own = "decoder" if run.kind == "decoder" else "encoder"
    if kind == "cross":
        raise ArchspecError(f"{run.recipe.model.noun} have no cross-attention; use --kind self")
    if stack not in (None, own):
        raise ArchspecError(f"{run.recipe.model.noun} have no {stack} stack; use --stack {own}")
    return own


@torch.no_grad()
def attention_maps(
    run: Any,
    text: str,
    *,
    kind: str = "self",
    stack: str | None = None,
    target: str | None = None,
    options: Any = None,
) -> AttentionMaps:
    """Record the attention weights of `run` reading `text` (see the module docstring)."""
    from archspec.decoding.text import DecodeOptions, generate_ids, leading_ids
    from archspec.nn.recording import record_attention

    if not text.strip():
        raise ArchspecError("--text is empty: give the sentence whose attention to draw")
    if kind not in ("self", "cross"):
        raise ArchspecError(f"--kind {kind!r}: expected self or cross")
    stack = _stack_of(run, kind, stack)
    model, device = run.model.eval(), run.device
    src = run.encode([text], "source")[0]
    sp = run.specials
    src = leading_ids(run.recipe, sp) + src
    if len(src) > model.max_len:
        raise ArchspecError(
            f"--text has {len(src)} tokens; this model reads at most {model.max_len}"
        )
    src_t = torch.tensor([src], device=device)
    target_text = None
    with record_attention(model) as records:
        if run.kind == "encoder-decoder":
            if target is None:
                ids = generate_ids(run, [text], options or DecodeOptions())[0]
            else:
                ids = run.encode([target], "target")[0]
            y = [i for i in ids if i != sp.eos][: model.max_len - 1]
            target_text = run.decode(y)
            model(src_t, torch.tensor([[sp.decoder_start, *y]], device=device))
            records = {k: v[-1:] for k, v in records.items()}  # the teacher-forced pass only
        else:
            model(src_t)
    src_labels = _labels(run.source_tokenizer, src, sp)
    if run.kind == "encoder-decoder" and stack == "decoder":
        tgt_in = _labels(run.target_tokenizer, [sp.decoder_start, *y], sp)
        predicted = _labels(run.target_tokenizer, [*y, sp.eos], sp)
        queries, keys = (predicted, src_labels) if kind == "cross" else (tgt_in, tgt_in)
    else:
        queries, keys = src_labels, src_labels
    name = "cross_attn" if kind == "cross" else "self_attn"
    layers = len(getattr(model, stack).layers)
    weights = [records[f"{stack}.layers.{i}.{name}"][-1][0].float().cpu() for i in range(layers)]
    return AttentionMaps(kind, stack, weights, queries, keys, text, target_text)


AXES = {
    ("self", "encoder"): ("query token", "key token (attended to)"),
    ("self", "decoder"): ("query token", "key token (attended to; later ones are masked)"),
    ("cross", "decoder"): ("predicted target token", "source token (attended to)"),
}
"""(rows, columns) axis labels by (kind, stack)."""


def attention_figure(maps: AttentionMaps, layers: Sequence[int], heads: Sequence[int]) -> Any:
    """A grid of heat maps, one per (layer, head): a row per layer, a column per head, wrapped
    onto more rows when that would be wider than MAX_WIDTH; one colour bar for all, from 0 to
    the largest weight shown (a near-uniform map over many keys stays visible)."""
    panel = panel_inches(max(len(maps.queries), len(maps.keys)))
    what = "cross-attention" if maps.kind == "cross" else f"{maps.stack} self-attention"
    title = f"{what}: {_cut(maps.source)!r}"
    if maps.target is not None:
        title += f" → {_cut(maps.target)!r}"
    pairs = [(layer, head) for layer in layers for head in heads]
    rows, cols = layout(len(pairs), len(heads), panel)
    fig, axes = grid(rows, cols, panel, wrapped(title, int(cols * panel * 11)))
    flat = [ax for row in axes for ax in row]
    image = None
    top = max(float(maps.weights[layer][head].max()) for layer, head in pairs)  # colour scale
    y_name, x_name = AXES[(maps.kind, maps.stack)]
    for i, (ax, (layer, head)) in enumerate(zip(flat, pairs, strict=False)):
        w = maps.weights[layer][head]  # (T, S)
        image = heat_map(ax, w.numpy(), maps.keys, maps.queries, cmap="viridis", vmin=0, vmax=top)
        ax.set_title(f"layer {layer} · head {head}", fontsize=9)
        if i % cols == 0:
            ax.set_ylabel(y_name, fontsize=8)
        if i + cols >= len(pairs):
            ax.set_xlabel(x_name, fontsize=8)
    for ax in flat[len(pairs) :]:
        ax.set_visible(False)
    bar = fig.colorbar(image, ax=flat[: len(pairs)], shrink=0.8, fraction=0.04, aspect=30)
    bar.set_label("attention weight", fontsize=8)
    return fig


def _cut(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrapped(title: str, width: int) -> str:
    """The title broken into lines of at most `width` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(title, max(20, width))) or title
