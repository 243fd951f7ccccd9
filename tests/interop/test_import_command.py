"""`archspec import` and `archspec diff` on Hugging Face configs: the published configs'
numbers (written here from the model cards' config.json) give recipes whose count is the
published one and equals the shipped recipe's; fields archspec cannot express are errors
naming them. Torch-free: these tests build no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archspec import count_parameters, load_recipe
from archspec.cli import main
from archspec.spec import Recipe

ROOT = Path(__file__).resolve().parents[2]

LLAMA2_7B = {
    "model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
    "intermediate_size": 11008, "num_attention_heads": 32, "num_key_value_heads": 32,
    "num_hidden_layers": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "hidden_act": "silu",
    "tie_word_embeddings": False, "attention_bias": False, "pretraining_tp": 1,
    "torch_dtype": "float16", "use_cache": True, "bos_token_id": 1, "eos_token_id": 2,
}  # fmt: skip
PUBLISHED = {  # name: (config.json, shipped recipe, published parameter count)
    "gpt2": (
        {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 768,
         "n_head": 12, "n_layer": 12, "n_positions": 1024, "n_ctx": 1024, "vocab_size": 50257,
         "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1,
         "attn_pdrop": 0.1, "layer_norm_epsilon": 1e-5, "summary_type": "cls_index"},
        "gpt2.yaml", 124_439_808,
    ),
    "pythia-160m": (
        {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "hidden_size": 768,
         "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
         "hidden_act": "gelu", "vocab_size": 50304, "max_position_embeddings": 2048,
         "rotary_pct": 0.25, "rotary_emb_base": 10000, "use_parallel_residual": True,
         "layer_norm_eps": 1e-5, "tie_word_embeddings": False, "attention_dropout": 0.0,
         "hidden_dropout": 0.0, "classifier_dropout": 0.1},
        "pythia-160m.yaml", 162_322_944,
    ),
    "llama-2-7b": (LLAMA2_7B, "llama-2-7b.yaml", 6_738_415_616),
    "tinyllama": (
        {**LLAMA2_7B, "hidden_size": 2048, "intermediate_size": 5632, "num_key_value_heads": 4,
         "num_hidden_layers": 22, "max_position_embeddings": 2048},
        "tinyllama-1.1b.yaml", 1_100_048_384,
    ),
    "mistral-7b": (
        {**LLAMA2_7B, "model_type": "mistral", "architectures": ["MistralForCausalLM"],
         "intermediate_size": 14336, "num_key_value_heads": 8, "sliding_window": 4096,
         "max_position_embeddings": 32768},
        "mistral-7b.yaml", 7_241_732_096,
    ),
}  # fmt: skip


class _Result:
    def __init__(self, exit_code: int, output: str) -> None:
        self.exit_code, self.output = exit_code, output


@pytest.fixture
def cli(capsys):
    """Run `archspec ARGS` as the console script does (errors: message and exit status 2)."""

    def run(args: list[str]) -> _Result:
        with pytest.raises(SystemExit) as done:
            main(args)
        out = capsys.readouterr()
        return _Result(int(done.value.code or 0), out.out + out.err)

    return run


def _write(folder: Path, config: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_import_of_a_published_config_has_the_published_count(cli, name: str, tmp_path) -> None:
    config, shipped, published = PUBLISHED[name]
    out = tmp_path / "recipe.yaml"
    result = cli(["import", str(_write(tmp_path / name, config)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert f"# Parameters: {published:,}." in text
    imported = Recipe.model_validate(yaml.safe_load(text))
    assert count_parameters(imported) == published
    assert count_parameters(load_recipe(str(ROOT / "recipes/published" / shipped))) == published


def test_import_writes_to_stdout_without_out(cli, tmp_path) -> None:
    result = cli(["import", str(_write(tmp_path, LLAMA2_7B) / "config.json")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Imported by `archspec import` from ")
    assert yaml.safe_load(result.output)["model"]["d_model"] == 4096


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rope_scaling": {"rope_type": "yarn", "factor": 4.0}}, "rope_scaling type 'yarn'"),
        ({"some_new_switch": True}, "some_new_switch (no recipe equivalent)"),
        ({"hidden_act": "tanh"}, "hidden_act='tanh'"),
        ({"quantization_config": {"bits": 4}}, "quantization_config="),
    ],
)
def test_a_field_that_changes_the_computation_is_named(cli, change, named, tmp_path) -> None:
    result = cli(["import", str(_write(tmp_path, {**LLAMA2_7B, **change}))])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output


def test_gpt2_layer_scaling_is_refused(cli, tmp_path) -> None:
    config = {**PUBLISHED["gpt2"][0], "scale_attn_by_inverse_layer_idx": True}
    result = cli(["import", str(_write(tmp_path, config))])
    assert result.exit_code == 2 and "scale_attn_by_inverse_layer_idx=True" in result.output


def test_linear_rope_scaling_is_imported(cli, tmp_path) -> None:
    config = {**LLAMA2_7B, "rope_scaling": {"type": "linear", "factor": 2.0}}
    result = cli(["import", str(_write(tmp_path, config))])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["model"]["positional"]["scaling"] == 2.0


def test_unknown_model_type_lists_the_supported(cli, tmp_path) -> None:
    result = cli(["import", str(_write(tmp_path, {"model_type": "rwkv"}))])
    assert result.exit_code == 2
    assert "'rwkv' is not supported" in result.output and "llama" in result.output


def test_diff_an_hf_folder_against_the_shipped_recipe(cli, tmp_path) -> None:
    config = PUBLISHED["mistral-7b"][0]
    folder = _write(tmp_path / "mistral", config)
    same = cli(["diff", str(folder), "recipes/published/mistral-7b.yaml"])
    assert same.exit_code == 0, same.output
    other = cli(["diff", str(folder), "recipes/published/llama-2-7b.yaml"])
    assert other.exit_code == 1, other.output  # diff: 1 when the architectures differ
    assert "kv_heads" in other.output and "window" in other.output
    assert "kv_heads" not in same.output


def test_import_and_diff_stay_torch_free(cli, tmp_path) -> None:
    folder = _write(tmp_path / "m", LLAMA2_7B)
    code = (
        "import sys; from archspec.cli import main; sys.argv = ['archspec', 'import', "
        f"{str(folder)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.argv = ['archspec', 'diff', "
        f"{str(folder)!r}, 'recipes/published/llama-2-7b.yaml']\ntry:\n    main()\n"
        "except SystemExit:\n    pass\nassert 'torch' not in sys.modules, 'torch imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
