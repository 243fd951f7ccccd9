"""`archspec train RECIPE --init-from PATH`: the run starts from the folder's (or run's)
weights, and weights of another shape are refused naming each."""

from __future__ import annotations

import pytest
import torch

from archspec import build_model, load_hf
from archspec.errors import ArchspecError
from archspec.interop.hf.folder import recipe_data
from archspec.interop.init_from import init_from
from archspec.spec import Recipe
from tests.interop.conftest import TOL, padded, saved, transformers
from tests.train.conftest import TINY, TRAINER


def test_init_from_an_hf_folder_gives_its_logits(tmp_path) -> None:
    hf = saved("llama", tmp_path)
    recipe = Recipe.model_validate(recipe_data(tmp_path))
    model = build_model(recipe).eval()
    init_from(model, tmp_path)
    ids, pad = padded(2, 8, [8, 5])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).logits
        torch.testing.assert_close(model(ids, pad)[~pad], expected[~pad], **TOL)


def test_weights_of_another_shape_are_refused_naming_each(tmp_path) -> None:
    saved("gpt2", tmp_path)
    data = recipe_data(tmp_path)
    data["model"]["vocab_size"] = 100
    model = build_model(Recipe.model_validate(data))
    with pytest.raises(ArchspecError) as err:
        init_from(model, tmp_path)
    message = str(err.value)
    assert "embed.tokens.weight: the Hugging Face folder" in message
    assert "has shape (61, 48), the recipe's model (100, 48)" in message


@pytest.mark.slow  # 13 s at load 12 (a one-step Lightning run)
def test_train_starts_from_the_folder_weights(tmp_path) -> None:
    from archspec.train.run import train

    config = transformers.GPT2Config(
        vocab_size=96, n_positions=64, n_embd=32, n_layer=1, n_head=2,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    )  # fmt: skip
    hf = transformers.GPT2LMHeadModel(config)
    hf.save_pretrained(tmp_path / "hf")
    data = recipe_data(tmp_path / "hf")
    tiny = TINY["causal-lm"]
    data.update(
        data=tiny["data"],
        objective={"kind": "causal-lm", "sample_tokens": 0},
        schedule={"kind": "constant", "lr": 1e-9, "warmup": 0},
        trainer={**TRAINER, "max_steps": 1, "val_every": 1, "val_batches": 1},
    )
    run = train(Recipe.model_validate(data), run_dir=tmp_path / "run", init_from=tmp_path / "hf")
    _, trained = load_hf(tmp_path / "hf")  # the folder's weights in archspec's names
    after = torch.load(run.run_dir / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    params = dict(trained.named_parameters())
    assert params
    for name, value in params.items():  # one step at lr 1e-9 leaves them where they started
        torch.testing.assert_close(after[f"model.{name}"], value.detach(), atol=1e-6, rtol=0.0)
