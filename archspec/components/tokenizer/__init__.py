"""Tokenizers: how text becomes token ids, one component per `data.tokenizer` kind.

    char  one token per character seen (text round-trips exactly)
    word  one token per word or punctuation run seen
    bpe   byte-level BPE trained to the model's vocabulary size
    file  a tokenizer.json the recipe names (a published model's), with its own special ids

The protocol is base.TokenizerImpl; builtin.py registers the built-in kinds; training,
saving and reloading live in archspec.data.tokenizers.
"""

import archspec.spec  # noqa: F401  (see archspec/components/objective/__init__.py)

HOOKS = ("empty", "trainer", "too_many", "check_fits_model", "saved_kind", "given", "specials")
"""Every hook an implementation of this group has (base.py gives most a default)."""
