"""Will this model fit?  The one memory estimate `summary`, `positions` and `train` check before
they build or allocate anything (torch-free: the analytic parameter count of the spec).

    weights   4 bytes per parameter (fp32), what `positions` allocates
    training  weights, gradients and Adam's two moments: 16 bytes per parameter, plus the
              activations of one batch (archspec.analysis.memory), what `train` needs at least
    meta      `summary` builds on the meta device and allocates nothing; it refuses only counts
              beyond META_LIMIT parameters, where PyTorch's storage sizes overflow

Available memory is MemAvailable of /proc/meminfo (None elsewhere: nothing is refused then).
A GPU's memory is checked by `train` itself, once torch is imported (archspec.train.preflight).
"""

from __future__ import annotations

from typing import Any, Literal

from archspec.errors import ArchspecError

Purpose = Literal["meta", "weights", "training"]
META_LIMIT = 2**48
"""Most parameters a meta-device build is attempted for (about 281 trillion)."""
BYTES_PER_PARAMETER = {"meta": 0, "weights": 4, "training": 16}


def available_bytes() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is no such file)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def estimate_bytes(recipe: Any, purpose: Purpose) -> int:
    """Bytes `purpose` needs for this recipe (see the module docstring)."""
    from archspec.analysis import count_parameters

    total = count_parameters(recipe) * BYTES_PER_PARAMETER[purpose]
    if purpose == "training" and recipe.data is not None:
        total += _batch_activations(recipe)
    return total


def _batch_activations(recipe: Any) -> int:
    from archspec.analysis.memory import activation_bytes, recompute_peak_bytes

    batching = recipe.data.batching
    seq = min(recipe.data.seq_len or recipe.model.max_len, recipe.model.max_len)
    if batching.kind == "tokens":
        batch, seq = max(1, batching.max_tokens // seq), seq
    else:
        batch = batching.size
    try:
        return activation_bytes(recipe, batch, seq) + recompute_peak_bytes(recipe, batch, seq)
    except Exception:  # noqa: BLE001 - an estimate must never be what fails a command
        return 0


def human(n: float) -> str:
    """1.5 GB, 820 MB, 3.2 PB."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB", "EB"):
        if abs(n) < 1000 or unit == "EB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} EB"


def check_fits(recipe: Any, purpose: Purpose, command: str) -> None:
    """Raise ArchspecError, before anything is built, when `command` cannot hold the model."""
    from archspec.analysis import count_parameters

    params = count_parameters(recipe)
    if purpose == "meta":
        if params > META_LIMIT:
            raise ArchspecError(
                f"{command}: the model has {params:,} parameters ({human(4 * params)} of fp32 "
                f"weights), beyond the {META_LIMIT:,} even a meta-device build can represent; "
                "check model.d_model, d_ff, vocab_size and layers"
            )
        return
    need = estimate_bytes(recipe, purpose)
    have = available_bytes()
    if have is not None and need > have:
        what = "its weights" if purpose == "weights" else "training (weights, gradients, Adam)"
        raise ArchspecError(
            f"{command}: the model has {params:,} parameters; {what} would take about "
            f"{human(need)}, "
            f"and this machine has {human(have)} of memory available. Make it smaller (model."
            "d_model, d_ff, vocab_size, layers) or use a machine with more memory"
        )
