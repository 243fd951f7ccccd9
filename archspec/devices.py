"""The device a trained model runs on for generate and eval: `auto`, `cpu`, `cuda[:N]`, `mps`."""

from __future__ import annotations

from archspec.errors import ArchspecError

DEVICE_HELP = "auto (a GPU when there is one, else the CPU), cpu, cuda, cuda:N or mps."


def resolve_device(name: str) -> str:
    """The torch device `name` stands for, checked to exist here; a clear error otherwise."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        hint = " (did you mean 'cuda'?)" if name.lower().startswith("gpu") else ""
        raise ArchspecError(
            f"--device {name!r}: not a device; expected {DEVICE_HELP}{hint}"
        ) from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ArchspecError(f"--device {name}: no CUDA GPU on this machine; use --device cpu")
        if device.index is not None and device.index >= count:
            raise ArchspecError(
                f"--device {name}: this machine has {count} CUDA GPU(s), cuda:0 to cuda:{count - 1}"
            )
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ArchspecError(f"--device {name}: MPS is not available here; use --device cpu")
    elif device.type != "cpu":
        raise ArchspecError(f"--device {name!r}: not supported; expected {DEVICE_HELP}")
    return str(device)
