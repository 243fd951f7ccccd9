"""Export for inference with ONNX (torch.onnx): model.onnx taking token ids [batch, length]
(both dynamic) and returning logits [batch, length, vocab]; decoder-only models take no pad
mask (a causal model's real positions do not see the right padding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.spec import Recipe


class _Logits:
    """Wraps a decoder so ONNX sees one input (ids) and one output (logits)."""

    @staticmethod
    def wrap(model: Any) -> Any:
        import torch

        class Logits(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, ids: torch.Tensor) -> torch.Tensor:
                return self.model(ids, None)

        return Logits().eval()


def export_onnx(recipe: Recipe, model: Any, out: str | Path) -> Path:
    import torch

    if recipe.model.kind != "decoder":
        raise ArchspecError(
            f"ONNX export covers decoder-only models for now; this recipe is {recipe.model.kind}"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    wrapped = _Logits.wrap(model.eval())
    example = torch.zeros(2, 8, dtype=torch.long)
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=recipe.model.max_len)
    torch.onnx.export(
        wrapped,
        (example,),
        str(out / "model.onnx"),
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_shapes={"ids": {0: batch, 1: length}},
        dynamo=True,
    )
    return out
