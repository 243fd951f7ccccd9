"""Data sources: where training examples come from, one component per `data.source` kind.

    synthetic  generated copy / reverse / sort pairs, fixed vocabulary
    text       plain text: one token stream cut into blocks, or one example a line
    pairs      (source, target) sentence pairs from TSV, CSV or JSONL
    labelled   (text, label) from TSV, CSV or JSONL

The protocol is base.SourceImpl; builtin.py registers the built-in kinds. Which objective
reads which source is the objective's contract (components/objective/), not the source's.
"""

import archspec.spec  # noqa: F401  (see archspec/components/objective/__init__.py)

HOOKS = ("read", "chunked", "fixed_tokenizer", "default_tokenizer", "check_fits_model", "for_file")
"""Every hook an implementation of this group has (base.py gives most a default)."""
