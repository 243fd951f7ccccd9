"""Fixed-length causal-LM batches carry no padding mask, so attention gets SDPA's is_causal path
instead of an all-False mask turned into an explicit [B, 1, T, T] one; outputs do not change."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.data.collate import collate_causal
from archspec.nn import attention
from archspec.spec import Recipe


def _decoder(positional: dict) -> torch.nn.Module:
    recipe = Recipe.model_validate(
        {"model": {"kind": "decoder", "d_model": 16, "heads": 2, "d_ff": 32, "vocab_size": 30,
                   "max_len": 16, "positional": positional, "decoder": {"layers": 2}}}
    )  # fmt: skip
    torch.manual_seed(0)
    return build_model(recipe).eval()


def test_fixed_length_chunks_have_no_padding_mask() -> None:
    items = [{"index": i, "seq": torch.randint(4, 30, (9,))} for i in range(3)]
    batch = collate_causal(items)
    assert "pad" not in batch and batch["tokens"].shape == (3, 8)
    ragged = collate_causal([*items, {"index": 3, "seq": torch.randint(4, 30, (5,))}])
    assert ragged["pad"][3].tolist() == [False] * 4 + [True] * 4
    assert not ragged["pad"][:3].any()


def test_without_the_mask_attention_takes_is_causal_and_outputs_do_not_change(
    monkeypatch,
) -> None:
    seen: list[tuple[bool, bool]] = []
    real = attention.F.scaled_dot_product_attention

    def spy(*args, **kwargs):
        seen.append((kwargs.get("attn_mask") is None, bool(kwargs.get("is_causal"))))
        return real(*args, **kwargs)

    monkeypatch.setattr(attention.F, "scaled_dot_product_attention", spy)
    items = [{"index": i, "seq": torch.randint(4, 30, (13,))} for i in range(2)]
    batch = collate_causal(items)
    for positional in ({"kind": "learned", "max_len": 16}, {"kind": "sinusoidal"}):
        model = _decoder(positional)
        seen.clear()
        fast = model(batch["tokens"], batch.get("pad"))
        assert seen == [(True, True)] * 2  # both layers: no mask, is_causal
        seen.clear()
        all_false = model(batch["tokens"], torch.zeros(2, 12, dtype=torch.bool))
        assert seen == [(False, False)] * 2  # what the collate used to send: an explicit mask
        torch.testing.assert_close(fast, all_false, atol=1e-5, rtol=1e-5)


def _module(mask: dict) -> torch.nn.Module:
    from archspec.train.objectives import CausalLMModule

    model = {"kind": "decoder", "d_model": 16, "heads": 2, "d_ff": 32, "vocab_size": 30,
             "max_len": 16, "positional": {"kind": "relative", "max_distance": 3},
             "decoder": {"layers": 2, "mask": mask}}  # fmt: skip
    torch.manual_seed(0)
    return CausalLMModule(recipe={"model": model}, data={}).eval()


def test_right_padded_batches_skip_the_mask_only_under_a_plain_causal_mask(monkeypatch) -> None:
    """No real token of a right-padded batch sees padding under a causal mask: the loss is
    the masked model's to the last digit. A prefix mask does let the prefix see ahead, so
    there the padding mask still reaches the model."""
    torch.manual_seed(2)
    lengths = [13, 9, 4]
    batch = collate_causal([{"index": i, "seq": torch.randint(4, 30, (n,))} for i, n in
                            enumerate(lengths)])  # fmt: skip
    calls: list[object] = []
    for mask, passes in (({"kind": "causal"}, False), ({"kind": "prefix", "length": 6}, True)):
        module = _module(mask)
        real = module.model.forward

        def forward(tokens, pad=None, real=real, **kwargs):
            calls.append(pad)
            return real(tokens, pad, **kwargs)

        monkeypatch.setattr(module.model, "forward", forward)
        loss = module.compute(batch)
        assert (calls.pop() is not None) == passes
        logits = real(batch["tokens"], batch["pad"])  # the masked reference
        targets = batch["targets"].masked_fill(batch["pad"], -100)
        reference = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
        torch.testing.assert_close(loss.loss, reference, atol=1e-6, rtol=1e-6)
