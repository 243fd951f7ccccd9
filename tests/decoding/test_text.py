"""The Python API on tiny trained runs: load_run, generate; batching changes nothing; bad
runs and empty inputs are ArchspecErrors that say what is wrong."""

from __future__ import annotations

import shutil

import pytest
import torch

import archspec
from archspec.errors import ArchspecError
from tests.trained import trained

LINES = [
    "And God said, Let there be light.",
    "In the beginning was the Word.",
    "",
    "Blessed are the meek: for they shall inherit the earth.",
    "Jesus wept.",
]


@pytest.fixture(scope="module")
def translator():
    return archspec.load_run(trained("translation"))


@pytest.fixture(scope="module")
def lm():
    return archspec.load_run(trained("lm"))


@pytest.mark.parametrize("method", ["greedy", "beam"])
def test_batched_translation_equals_one_line_at_a_time(translator, method) -> None:
    together = archspec.generate(translator, LINES, method=method, batch_size=3)
    alone = [
        archspec.generate(translator, line, method=method) if line.strip() else "" for line in LINES
    ]
    assert together == alone
    assert together[2] == "" and all(isinstance(t, str) for t in together)


def test_prompts_of_different_lengths_decode_as_if_alone(lm) -> None:
    prompts = ["ROMEO:", "First Citizen:\nBefore we proceed", "O", "JULIET:"]
    together = archspec.generate(lm, prompts, method="greedy", max_new_tokens=30, batch_size=2)
    alone = [archspec.generate(lm, p, method="greedy", max_new_tokens=30) for p in prompts]
    assert together == alone
    assert all(len(t) == 30 for t in together)  # a character model: one character per token


def test_sampling_is_reproducible_and_seeded(lm) -> None:
    a = archspec.generate(lm, "ROMEO:", max_new_tokens=40, seed=1)
    assert a == archspec.generate(lm, "ROMEO:", max_new_tokens=40, seed=1)
    assert a != archspec.generate(lm, "ROMEO:", max_new_tokens=40, seed=2)


def test_a_checkpoint_path_loads_the_same_model_as_its_run_directory(translator) -> None:
    run_dir = trained("translation")
    by_ckpt = archspec.load_run(run_dir / "checkpoints" / "best.ckpt")
    last = archspec.load_run(run_dir, checkpoint="last")
    assert by_ckpt.checkpoint == translator.checkpoint and last.checkpoint.name == "last.ckpt"
    for (name, p), (_, q) in zip(
        translator.model.state_dict().items(), by_ckpt.model.state_dict().items(), strict=True
    ):
        assert torch.equal(p, q), name
    assert not translator.model.training and translator.kind == "encoder-decoder"


def test_encoder_only_models_do_not_generate() -> None:
    run = archspec.load_run(trained("classifier"))
    with pytest.raises(ArchspecError, match="encoder-only model does not generate"):
        archspec.generate(run, "a fine film")


@pytest.mark.parametrize("texts", [[], [""], ["  ", "\n"]])
def test_empty_input_is_refused(translator, texts) -> None:
    with pytest.raises(ArchspecError, match="no input text"):
        archspec.generate(translator, texts)


def test_bad_runs_and_checkpoints_say_what_is_wrong(tmp_path) -> None:
    with pytest.raises(ArchspecError, match="no such run directory or checkpoint"):
        archspec.load_run(tmp_path / "nowhere")
    with pytest.raises(ArchspecError, match="not a run directory"):
        archspec.load_run(tmp_path)
    run = tmp_path / "run"
    shutil.copytree(trained("lm"), run)
    (run / "checkpoints" / "best.ckpt").unlink()
    with pytest.raises(ArchspecError, match="there is last.ckpt: use --checkpoint last"):
        archspec.load_run(run)
    (run / "checkpoints" / "last.ckpt").write_bytes(b"\x00 not a checkpoint")
    with pytest.raises(ArchspecError, match="not a checkpoint written by"):
        archspec.load_run(run, checkpoint="last")
    torch.save({"state_dict": {}}, run / "checkpoints" / "last.ckpt")
    with pytest.raises(ArchspecError, match="no recipe in the checkpoint"):
        archspec.load_run(run, checkpoint="last")
    lonely = tmp_path / "lonely.ckpt"
    shutil.copy(trained("lm") / "checkpoints" / "best.ckpt", lonely)
    with pytest.raises(ArchspecError, match="no tokenizer beside this checkpoint"):
        archspec.load_run(lonely)


def test_weights_of_another_architecture_are_refused(tmp_path) -> None:
    run = tmp_path / "run"
    shutil.copytree(trained("lm"), run)
    ckpt = run / "checkpoints" / "best.ckpt"
    state = torch.load(ckpt, weights_only=False)
    state["hyper_parameters"]["recipe"]["model"]["d_model"] = 64
    torch.save(state, ckpt)
    with pytest.raises(ArchspecError, match="the weights do not fit the stored recipe"):
        archspec.load_run(run)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "nucleus"}, "method 'nucleus' is not one of"),
        ({"beam_size": 0}, "beam_size must be at least 1"),
        ({"top_p": 1.5}, "top_p must be in"),
    ],
)
def test_bad_decoding_options_are_refused(translator, change, message) -> None:
    with pytest.raises(ArchspecError, match=message):
        archspec.generate(translator, "Jesus wept.", **change)
