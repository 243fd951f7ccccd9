"""Objectives: what a model is trained to predict, one component per kind.

Each module here declares, together, an objective's spec (the `objective:` section), its data
contract (model kinds and data.source kinds it accepts, checked by `validate`), the metrics it
logs and its default checkpoint metric, and its hooks for training, data, `eval` and
`generate` (the protocol: base.ObjectiveImpl). builtin.py registers the built-in ones.

    seq2seq         encoder-decoder  pairs, synthetic  teacher forcing; BLEU
    causal-lm       decoder          text, synthetic   next token
    masked-lm       encoder          text              BERT's masked tokens
    classification  encoder          labelled          pooled hidden state -> class; F1
"""

# The spec package imports every component's module before it builds its unions; importing
# it first means that entering here (or at any module below) never meets a half-built union.
import archspec.spec  # noqa: F401  (isort: first)

HOOKS = (
    "module_class",
    "logged_metrics",
    "final_sample",
    "labels",
    "examples",
    "collate",
    "batch_transform",
    "eval_metrics",
    "evaluator",
    "leading_ids",
)
"""Every hook an implementation of this group has (base.py gives most a default)."""
