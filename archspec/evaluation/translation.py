"""What `eval` adds for a translation model: BLEU and chrF of its own decoded translations
(beam search by default), how they were decoded, and a few (source, reference, output)."""

from __future__ import annotations

from typing import Any

from archspec.decoding.text import DecodeOptions, translate_ids
from archspec.evaluation.data import SPLIT
from archspec.evaluation.metrics import BLEU_SIGNATURE, CHRF_SIGNATURE, corpus_bleu, corpus_chrf


class TranslationScore:
    """Translates every scored batch; `finish` puts BLEU and chrF first in the metrics."""

    def __init__(self, run: Any, options: DecodeOptions, samples: int = 3) -> None:
        self.run = run
        self.options = options
        self.samples = samples
        self.method = options.method_for("encoder-decoder")
        self.hyps: dict[int, str] = {}

    def start(self, module: Any) -> None:
        self.hyps = {}

    def batch(self, module: Any, batch: dict[str, Any]) -> None:
        found = translate_ids(
            module.model,
            batch["src"],
            batch["src_pad"],
            self.options,
            self.method,
            self.run.specials,
        )
        for i, ids in zip(batch["index"].tolist(), found, strict=True):
            self.hyps[i] = self.run.decode(ids)

    def finish(self, result: Any, module: Any, datamodule: Any) -> None:
        refs, sources = datamodule.references(SPLIT), datamodule.sources(SPLIT)
        order = sorted(self.hyps)
        hypotheses, references = [self.hyps[i] for i in order], [refs[i] for i in order]
        result.metrics = {
            "bleu": corpus_bleu(hypotheses, references),
            "chrf": corpus_chrf(hypotheses, references),
            **result.metrics,
        }
        result.decoding = self.decoding()
        result.samples = [
            {"source": sources[i], "reference": refs[i], "hypothesis": self.hyps[i]}
            for i in order[: self.samples]
        ]

    def decoding(self) -> dict[str, Any]:
        """How the hypotheses were decoded, and the metric signatures."""
        options = self.options
        out: dict[str, Any] = {"method": self.method, "max_extra": options.max_extra}
        if self.method == "beam":
            out.update(beam_size=options.beam_size, alpha=options.alpha)
        out.update(cache=options.use_cache, bleu=BLEU_SIGNATURE, chrf=CHRF_SIGNATURE)
        return out
