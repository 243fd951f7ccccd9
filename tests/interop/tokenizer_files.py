"""Hugging Face model folders with their own tokenizer, made in the test (nothing is
downloaded): a tiny tokenizer trained with `tokenizers` on a few lines, holding the family's
special tokens at ids that differ from archspec's 0-4, wrapped in PreTrainedTokenizerFast and
saved with save_pretrained beside a random model of the family.

    GPT-2   byte-level BPE, <|endoftext|> the last id (bos = eos, no pad)
    LLaMA   byte-level BPE, <unk> 0, <s> 1, </s> 2, a template adding <s>
    T5      Unigram, <pad> 0, </s> 1, <unk> 2, a template adding </s>; decoder start = pad
    BERT    WordPiece, [PAD] 0, [UNK] 3, [CLS] 4, [SEP] 5, [MASK] 6, template [CLS] x [SEP]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tokenizers import (
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)

from tests.interop.conftest import randomize, transformers

LINES = [
    "the cat sat on the mat",
    "a dog ran in the park",
    "the sun is warm today",
    "we read books at night",
    "birds sing in the morning",
    "the cat and the dog play",
]
MAX_LEN = 48


def byte_bpe(first: list[str], last: list[str], size: int = 300) -> Tokenizer:
    """Byte-level BPE with `first` special tokens at ids 0.. and `last` after the merges."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=size,
        special_tokens=first,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(LINES, trainer)
    tok.add_special_tokens(last)
    return tok


def template(tok: Tokenizer, single: str) -> None:
    names = [t for t in single.split() if t != "$A"]
    pairs = [(t, tok.token_to_id(t)) for t in dict.fromkeys(names)]
    tok.post_processor = processors.TemplateProcessing(single=single, special_tokens=pairs)


def save(folder: Path, tok: Tokenizer, model: Any, **special: str) -> Any:
    """Save the model and the tokenizer (as PreTrainedTokenizerFast) into folder."""
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, **special)
    randomize(model)
    model.eval()
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return model, fast


def gpt2(folder: Path) -> tuple[Any, Any]:
    tok = byte_bpe([], ["<|endoftext|>"])
    eot = tok.token_to_id("<|endoftext|>")
    config = transformers.GPT2Config(
        vocab_size=tok.get_vocab_size(), n_positions=MAX_LEN, n_embd=32, n_layer=2, n_head=2,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=eot, eos_token_id=eot,
    )  # fmt: skip
    config._attn_implementation = "eager"
    special = dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>")
    return save(folder, tok, transformers.GPT2LMHeadModel(config), **special)


def llama(folder: Path) -> tuple[Any, Any]:
    tok = byte_bpe(["<unk>", "<s>", "</s>"], [])
    template(tok, "<s> $A")
    config = transformers.LlamaConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=MAX_LEN, bos_token_id=1, eos_token_id=2, pad_token_id=None,
    )  # fmt: skip
    config._attn_implementation = "eager"
    special = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    return save(folder, tok, transformers.LlamaForCausalLM(config), **special)


def t5(folder: Path) -> tuple[Any, Any]:
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=80, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>",
        show_progress=False,
    )  # fmt: skip
    tok.train_from_iterator(LINES, trainer)
    template(tok, "$A </s>")
    config = transformers.T5Config(
        vocab_size=tok.get_vocab_size(), d_model=32, d_kv=8, d_ff=64, num_layers=2,
        num_decoder_layers=2, num_heads=4, relative_attention_num_buckets=16,
        relative_attention_max_distance=20, dropout_rate=0.0, feed_forward_proj="relu",
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )  # fmt: skip
    config._attn_implementation = "eager"
    special = dict(pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    return save(folder, tok, transformers.T5ForConditionalGeneration(config), **special)


BERT_SPECIAL = ["[PAD]", "[unused0]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def wordpiece() -> Tokenizer:
    """BERT's kind of tokenizer, [CLS] x [SEP] (also used under RoBERTa and DistilBERT here)."""
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=120, special_tokens=BERT_SPECIAL, show_progress=False
    )
    tok.train_from_iterator(LINES, trainer)
    template(tok, "[CLS] $A [SEP]")
    return tok


BERT_TOKENS = dict(
    pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
)


def bert(folder: Path) -> tuple[Any, Any]:
    tok = wordpiece()
    config = transformers.BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=MAX_LEN,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=0,
    )  # fmt: skip
    return save(folder, tok, transformers.BertForMaskedLM(config), **BERT_TOKENS)


def roberta(folder: Path) -> tuple[Any, Any]:
    tok = wordpiece()
    config = transformers.RobertaConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=MAX_LEN + 2,
        type_vocab_size=1, layer_norm_eps=1e-5, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, pad_token_id=0,
    )  # fmt: skip
    return save(folder, tok, transformers.RobertaForMaskedLM(config), **BERT_TOKENS)


def distilbert(folder: Path) -> tuple[Any, Any]:
    tok = wordpiece()
    config = transformers.DistilBertConfig(
        vocab_size=tok.get_vocab_size(), dim=32, n_layers=2, n_heads=2, hidden_dim=64,
        max_position_embeddings=MAX_LEN, dropout=0.0, attention_dropout=0.0, pad_token_id=0,
    )  # fmt: skip
    return save(folder, tok, transformers.DistilBertForMaskedLM(config), **BERT_TOKENS)


FAMILIES = {
    "gpt2": gpt2,
    "llama": llama,
    "t5": t5,
    "bert": bert,
    "roberta": roberta,
    "distilbert": distilbert,
}
