"""causal-lm: decoder-only language modelling, every next token predicted.

Reads plain text (a chunked token stream, or one example per line) or a synthetic task
(<bos> x <eos> y <eos>, with the loss on y <eos> only). At the end of training it samples a
continuation of the start of the validation text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.objective.base import ObjectiveImpl
from archspec.components.registry import register
from archspec.spec.base import Spec


class CausalLMObjective(Spec):
    """Decoder-only language modelling: predict every next token."""

    kind: Literal["causal-lm"] = "causal-lm"
    label_smoothing: float = Field(0.0, ge=0.0, lt=1.0)
    """Label smoothing of the next-token cross-entropy."""
    sample_tokens: int = Field(200, ge=0)
    """Tokens sampled from the model at the end of training to show what it learned (0: none)."""


class CausalLM(ObjectiveImpl):
    model_kinds = ("decoder",)
    default_for = ("decoder",)
    source_kinds = ("text", "synthetic")
    chunk_overlap = 1

    def module_class(self) -> type:
        from archspec.train.objectives import CausalLMModule

        return CausalLMModule

    def examples(self, enc: Any) -> Any:
        """<bos> line <eos>, or <bos> x <eos> y <eos> with no loss on x and the first <eos>
        (a named tokenizer's template replaces <bos>: LLaMA's <s>, nothing for GPT-2)."""
        from archspec.data.datasets import Examples

        firsts = enc.firsts()
        lead = self.leading_ids(None, None, enc.specials)
        eos = enc.specials.need("eos", "causal-lm (the end of every line)")
        if enc.paired:
            pairs = zip(firsts, enc.seconds(), strict=True)
            joined = enc.fit([[*a, eos, *b] for a, b in pairs], "example", len(lead))
            prompt = [len(a) + len(lead) for a in firsts]
        else:
            joined = enc.fit(firsts, "line", overhead=len(lead))
            prompt = [0] * len(firsts)
        seqs = [[*lead, *s, eos] for s in joined]  # the model sees all but the last token
        fields = {"seq": enc.tensors(seqs), "prompt": prompt}
        return Examples(fields, [len(s) - 1 for s in seqs])

    def collate(self, specials: Any = None) -> Any:
        from archspec.data.collate import collate_causal

        return collate_causal

    def leading_ids(self, spec: Any, data: Any, specials: Any = None) -> list[int]:
        """<bos> (or a named tokenizer's template) for a model trained on lines or pairs;
        nothing for text chunks."""
        from archspec.components.tokenizer.base import ARCHSPEC

        specials = specials or ARCHSPEC
        if data is not None and data.source is not None and chunked(data):
            return []
        return specials.lead("causal-lm (the start of every line)")

    def final_sample(self, spec: Any, recipe: Any, module: Any, datamodule: Any) -> str | None:
        """A continuation of the first 64 characters of the validation (or training) text."""
        if not spec.sample_tokens:
            return None
        import torch

        from archspec.decoding.sampling import sample

        texts = datamodule.sources("val") or datamodule.sources("train")
        if not texts:
            return None
        prompt_text = texts[0][:64]
        ids = datamodule.tokenizer.encode(prompt_text).ids
        model = module.model.eval()
        device = next(model.parameters()).device
        prompt = torch.tensor([ids], dtype=torch.long, device=device)
        gen = torch.Generator(device=device).manual_seed(recipe.trainer.seed)
        out = sample(model, prompt, spec.sample_tokens, model.max_len, generator=gen)
        return prompt_text + datamodule.decode(out[0].tolist())


def chunked(data: Any) -> bool:
    """Whether the data is one token stream cut into blocks (no per-example <bos>)."""
    from archspec.components.registry import impl_of

    return bool(impl_of(data.source).chunked(data.source))


register("objective", CausalLMObjective, CausalLM())
