"""Decoding from trained models.

session   decoding sessions (encoder output, tokens so far, the key/value cache) that every
          search drives: Seq2SeqSession, DecoderSession
loop      the step loop greedy search and sampling share
greedy    greedy search; greedy_translate (validation BLEU during training)
beam      beam search with GNMT's length penalty
sampling  temperature / top-k / top-p; sample (the closing sample of a language model)
text      text in, text out: generate(run, lines, options) and DecodeOptions
cli       what `archspec generate` does with its flags
"""
