"""A model folder's own tokenizer: `archspec import` names it in data.tokenizer with the
folder's special ids, and `archspec generate` / `eval` on the folder read and write what
Hugging Face's tokenizer (PreTrainedTokenizerFast over the same tokenizer.json) and model do:
greedy continuations and translations equal HF `generate` id for id and as decoded text; eval's
loss equals the cross-entropy computed here with the HF model. Folders are made in the test
(tests/interop/tokenizer_files.py); nothing is downloaded."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import yaml

from archspec.cli import main
from archspec.spec import Recipe
from tests.interop.tokenizer_files import FAMILIES, LINES

PROMPTS = ["the cat", "birds sing in"]


@pytest.fixture
def cli(capsys):
    """`archspec ARGS` as the console script runs it: (exit status, stdout, stderr)."""

    def run(args: list[str]) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(args)
        out = capsys.readouterr()
        return int(done.value.code or 0), out.out, out.err

    return run


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt2", {"bos": "eot", "eos": "eot", "unk": "<|endoftext|>"}),
        ("llama", {"bos": 1, "eos": 2, "unk": "<unk>"}),
        ("t5", {"pad": 0, "eos": 1, "decoder_start": 0, "unk": "<unk>"}),
        ("bert", {"pad": 0, "unk": "[UNK]", "mask": "[MASK]"}),
    ],
)
def test_import_names_the_folder_tokenizer_with_its_ids(cli, name, expected, tmp_path) -> None:
    hf, fast = FAMILIES[name](tmp_path / name)
    out = tmp_path / "recipe.yaml"
    status, _, err = cli(["import", str(tmp_path / name), "--out", str(out)])
    assert status == 0, err
    data = yaml.safe_load(out.read_text())
    tokenizer = data["data"]["tokenizer"]
    assert tokenizer["kind"] == "file"
    assert tokenizer["path"] == str((tmp_path / name / "tokenizer.json").resolve())
    eot = fast.convert_tokens_to_ids("<|endoftext|>")
    for role, value in expected.items():
        assert tokenizer[role] == (eot if value == "eot" else value), role
    assert data["model"]["vocab_size"] == hf.config.vocab_size
    Recipe.model_validate(data)  # a recipe without a source validates: the source comes later
    status, said, err = cli(["validate", str(out)])
    assert status == 0, err
    assert "ok" in said and "no data.source" in said  # train needs a source: said, not hidden


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_greedy_continuation_equals_hf_generate(cli, name, tmp_path) -> None:
    hf, fast = FAMILIES[name](tmp_path)
    new = 12
    args = ["generate", str(tmp_path), "--method", "greedy", "--max-new-tokens", str(new)]
    args += [a for p in PROMPTS for a in ("--prompt", p)] + ["--format", "jsonl"]
    status, out, err = cli(args)
    assert status == 0, err
    got = _jsonl(out)
    for prompt, row in zip(PROMPTS, got, strict=True):
        ids = fast(prompt, return_tensors="pt").input_ids  # LLaMA's template adds <s>
        with torch.no_grad():
            full = hf.generate(ids, max_new_tokens=new, do_sample=False, pad_token_id=0)
        expected = full[0, ids.size(1) :].tolist()
        assert row["ids"] == expected
        assert row["output"] == fast.decode(expected, skip_special_tokens=True)


def test_greedy_translation_equals_hf_generate(cli, tmp_path) -> None:
    hf, fast = FAMILIES["t5"](tmp_path)
    text = "the dog sat in the sun"
    ids = fast(text, return_tensors="pt").input_ids  # x </s>
    extra = 6
    status, out, err = cli(
        ["generate", str(tmp_path), "--text", text, "--method", "greedy",
         "--max-extra", str(extra), "--format", "jsonl"]
    )  # fmt: skip
    assert status == 0, err
    with torch.no_grad():
        full = hf.generate(ids, max_new_tokens=ids.size(1) + extra, do_sample=False)
    expected = full[0, 1:].tolist()  # after the decoder start (<pad>)
    row = _jsonl(out)[0]
    assert row["ids"] == expected
    assert row["output"] == fast.decode(expected, skip_special_tokens=True)


def _hf_line_loss(hf, fast, lines: list[str]) -> float:
    """Mean next-token cross-entropy over every line as HF's tokenizer encodes it, + eos."""
    nll = count = 0.0
    for line in lines:
        ids = torch.tensor([fast(line).input_ids + [fast.eos_token_id]])
        with torch.no_grad():
            logits = hf(ids).logits[0, :-1]
        nll += float(torch.nn.functional.cross_entropy(logits, ids[0, 1:], reduction="sum"))
        count += ids.size(1) - 1
    return nll / count


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_eval_loss_equals_hf_cross_entropy(cli, name, tmp_path) -> None:
    hf, fast = FAMILIES[name](tmp_path / "model")
    text = tmp_path / "notes.txt"
    text.write_text("\n".join(LINES[:4]) + "\n\n")
    status, out, err = cli(["eval", str(tmp_path / "model"), "--data", str(text), "--format",
                            "json"])  # fmt: skip
    assert status == 0, err
    metrics = json.loads(out)["metrics"]
    expected = _hf_line_loss(hf, fast, LINES[:4])
    assert metrics["loss"] == pytest.approx(expected, rel=1e-5)
    assert metrics["perplexity"] == pytest.approx(math.exp(expected), rel=1e-5)


def test_eval_of_a_translation_folder_equals_hf_loss(cli, tmp_path) -> None:
    hf, fast = FAMILIES["t5"](tmp_path / "model")
    pairs = [("the cat sat", "a dog ran"), ("we read books", "birds sing in the morning")]
    data = tmp_path / "pairs.tsv"
    data.write_text("".join(f"{x}\t{y}\n" for x, y in pairs))
    status, out, err = cli(["eval", str(tmp_path / "model"), "--data", str(data), "--method",
                            "greedy", "--format", "json"])  # fmt: skip
    assert status == 0, err
    assert "no masked-LM head" not in err
    nll = count = 0.0
    for x, y in pairs:
        labels = torch.tensor([fast(y).input_ids])  # y </s>; HF shifts in the decoder start
        with torch.no_grad():
            logits = hf(input_ids=torch.tensor([fast(x).input_ids]), labels=labels).logits
        nll += float(torch.nn.functional.cross_entropy(logits[0], labels[0], reduction="sum"))
        count += labels.size(1)
    assert json.loads(out)["metrics"]["loss"] == pytest.approx(nll / count, rel=1e-5)


def test_a_folder_without_tokenizer_says_how_to_name_one(cli, tmp_path) -> None:
    FAMILIES["gpt2"](tmp_path / "model")
    (tmp_path / "model" / "tokenizer.json").rename(tmp_path / "elsewhere.json")
    status, _, err = cli(["generate", str(tmp_path / "model"), "--prompt", "the cat"])
    assert status == 2
    assert "no tokenizer.json" in err and "--tokenizer" in err and "data.tokenizer" in err
    assert "Traceback" not in err
    status, out, err = cli(["generate", str(tmp_path / "model"), "--prompt", "the cat",
                            "--tokenizer", str(tmp_path / "elsewhere.json"), "--method",
                            "greedy", "--max-new-tokens", "3"])  # fmt: skip
    assert status == 0, err
    assert out.startswith("the cat")


def test_a_tokenizer_larger_than_the_model_is_refused(cli, tmp_path) -> None:
    from tokenizers import Tokenizer

    hf, _ = FAMILIES["gpt2"](tmp_path / "small")
    tok = Tokenizer.from_file(str(tmp_path / "small" / "tokenizer.json"))
    tok.add_tokens([f"extra{i}" for i in range(9)])
    tok.save(str(tmp_path / "bigger.json"))
    text = tmp_path / "notes.txt"
    text.write_text("the cat\n")
    status, _, err = cli(["eval", str(tmp_path / "small"), "--data", str(text),
                          "--tokenizer", str(tmp_path / "bigger.json")])  # fmt: skip
    assert status == 2
    size = hf.config.vocab_size
    assert f"has {size + 9} tokens but the model of" in err and f"vocab_size {size}" in err
    assert "Traceback" not in err


def test_masked_lm_batches_use_the_file_template_and_mask(tmp_path) -> None:
    from archspec.data import build_datamodule
    from archspec.data.collate import IGNORE
    from archspec.interop.hf.folder import recipe_data

    _, fast = FAMILIES["bert"](tmp_path / "model")
    text = tmp_path / "train.txt"
    text.write_text("\n".join(LINES) + "\n")
    data = recipe_data(tmp_path / "model", tokenizer=True)
    source = {"kind": "text", "path": str(text), "val_path": str(text), "sequences": "lines"}
    data["data"]["source"] = source
    data["objective"] = {"kind": "masked-lm", "mask_prob": 0.5}
    dm = build_datamodule(Recipe.model_validate(data), tmp_path / "run")
    assert (dm.pad_id, dm.mask_id) == (0, fast.mask_token_id) == (0, 6)
    batch = next(iter(dm.loader("val")))
    chosen = batch["targets"] != IGNORE
    original = torch.where(chosen, batch["targets"], batch["tokens"])
    for row, i in enumerate(batch["index"].tolist()):
        n = int((~batch["pad"][row]).sum())
        assert original[row, :n].tolist() == fast(LINES[i]).input_ids  # [CLS] x [SEP]
    assert (batch["tokens"][chosen] == fast.mask_token_id).any()
    assert (tmp_path / "run" / "tokenizer.json").read_text() == (
        Path(tmp_path / "model" / "tokenizer.json").read_text()
    )


@pytest.mark.parametrize("family", ["bert", "roberta", "distilbert"])
def test_masked_lm_eval_equals_hf_loss_on_the_same_masking(cli, family, tmp_path) -> None:
    from archspec.data.collate import IGNORE
    from archspec.evaluation.data import SPLIT, eval_datamodule
    from archspec.loading import load_run

    hf, _ = FAMILIES[family](tmp_path / "model")
    text = tmp_path / "notes.txt"
    text.write_text("\n".join(LINES) + "\n")
    status, out, err = cli(["eval", str(tmp_path / "model"), "--data", str(text), "--format",
                            "json"])  # fmt: skip
    assert status == 0, err
    assert "no masked-LM head" not in err
    nll = count = 0.0  # HF's loss on the batches archspec's seeded masking makes
    for batch in eval_datamodule(load_run(tmp_path / "model"), text).loader(SPLIT):
        labels = batch["targets"]
        with torch.no_grad():
            logits = hf(input_ids=batch["tokens"], attention_mask=(~batch["pad"]).long()).logits
        chosen = labels != IGNORE
        nll += float(
            torch.nn.functional.cross_entropy(logits[chosen], labels[chosen], reduction="sum")
        )
        count += int(chosen.sum())
    assert count > 0
    assert json.loads(out)["metrics"]["loss"] == pytest.approx(nll / count, rel=1e-5)


def test_training_an_imported_recipe_without_a_source_says_what_to_add(tmp_path) -> None:
    from archspec.data import build_datamodule
    from archspec.errors import ArchspecError
    from archspec.interop.hf.folder import recipe_data

    FAMILIES["gpt2"](tmp_path / "model")
    recipe = Recipe.model_validate(recipe_data(tmp_path / "model", tokenizer=True))
    with pytest.raises(ArchspecError) as err:
        build_datamodule(recipe, tmp_path / "run")
    assert "data.source" in str(err.value) and "extends" in str(err.value)


def test_eval_on_a_bare_encoder_says_its_head_is_untrained(cli, tmp_path) -> None:
    from tests.interop.tokenizer_files import BERT_TOKENS, save, transformers, wordpiece

    tok = wordpiece()
    config = transformers.BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=48,
    )  # fmt: skip
    save(tmp_path / "model", tok, transformers.BertModel(config), **BERT_TOKENS)
    text = tmp_path / "notes.txt"
    text.write_text("\n".join(LINES) + "\n")
    status, _, err = cli(["eval", str(tmp_path / "model"), "--data", str(text)])
    assert status == 0, err
    assert "no masked-LM head" in err and "untrained head" in err
