"""Trace a sentence-transformers folder's transformer, with pooling in the graph and the outlier
channels of every linear layer split off, to a float32 ONNX file (steps 1 and 2 of the recipe in
:mod:`analysis.map.encoders.onnx_export`). It imports torch, so it is imported only to export."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch

from analysis.map.encoders.models import Pipeline

OUTLIERS = 4
OPSET = 17
CALIBRATION_SEED = 0
CALIBRATION_SHAPE = (64, 62)  # sequences x tokens between the special tokens


def export_float(pipeline: Pipeline, target: Path) -> dict[str, Any]:
    """Trace the transformer with pooling and outlier channels split off into ``target`` (float32)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(pipeline.transformer), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(pipeline.transformer), local_files_only=True, attn_implementation="eager"
    ).eval()
    known = ("input_ids", "attention_mask", "token_type_ids")
    names: list[str] = [n for n in known if n in tokenizer.model_input_names]
    if "attention_mask" not in names:
        names.insert(1, "attention_mask")
    calibration = _calibration_batch(tokenizer, model.config.vocab_size, names)
    _split_outliers(model, calibration)
    wrapped = Pooled(model, names, pipeline.pooling)
    example = tokenizer(["a short text", "a longer text than that one"], padding=True, return_tensors="pt")
    args = tuple(example[n] if n in example else torch.zeros_like(example["input_ids"]) for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"sentence_embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python branches on shapes
        torch.onnx.export(
            wrapped,
            args,
            str(target),
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
        dimension = int(wrapped(*args).shape[1])
    positions = getattr(model.config, "max_position_embeddings", None)
    return {"dimension": dimension, "inputs": names, "max_positions": positions}


def _calibration_batch(tokenizer: Any, vocab_size: int, names: list[str]) -> dict[str, torch.Tensor]:
    """Seeded random token sequences, decoded to text and tokenised again (special tokens added)."""
    special = set(tokenizer.all_special_ids)
    vocabulary = torch.tensor([i for i in range(min(vocab_size, len(tokenizer))) if i not in special])
    generator = torch.Generator().manual_seed(CALIBRATION_SEED)
    picks = vocabulary[torch.randint(len(vocabulary), CALIBRATION_SHAPE, generator=generator)]
    texts = tokenizer.batch_decode(picks.tolist())
    length = CALIBRATION_SHAPE[1] + 2
    batch = tokenizer(texts, padding=True, truncation=True, max_length=length, return_tensors="pt")
    if "token_type_ids" in names and "token_type_ids" not in batch:
        batch["token_type_ids"] = torch.zeros_like(batch["input_ids"])
    return {n: batch[n] for n in names}


def _split_outliers(model: torch.nn.Module, calibration: dict[str, torch.Tensor]) -> None:
    """Replace each linear layer by one whose :data:`OUTLIERS` largest input channels bypass int8."""
    peaks: dict[str, torch.Tensor] = {}

    def record(name: str) -> Any:
        def hook(_module: Any, inputs: tuple[torch.Tensor, ...], _output: Any) -> None:
            x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            peaks[name] = torch.maximum(peaks[name], x) if name in peaks else x

        return hook

    linears = {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    handles = [m.register_forward_hook(record(n)) for n, m in linears.items()]
    with torch.no_grad():
        model(**calibration)
    for handle in handles:
        handle.remove()
    for name, linear in linears.items():
        if name not in peaks or linear.in_features <= OUTLIERS:
            continue  # not on the path to the token vectors (a pooler head), or too narrow to matter
        parent, _, attr = name.rpartition(".")
        channels = peaks[name].argsort(descending=True)[:OUTLIERS]
        setattr(model.get_submodule(parent), attr, SplitLinear(linear, channels))


class Outliers(torch.nn.Module):
    """``x[..., idx] @ W[:, idx].T``: the outlier channels' share of a linear layer, in float32."""

    idx: torch.Tensor
    weight: torch.Tensor

    def __init__(self, linear: torch.nn.Linear, channels: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("idx", channels.clone())
        self.register_buffer("weight", linear.weight.detach()[:, channels].T.contiguous())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x.index_select(-1, self.idx), self.weight)


class SplitLinear(torch.nn.Module):
    """The product of ``linear``, with the outlier channels zeroed on the (later int8) main path.

    The ONNX node names of the float32 part contain ``/outliers/``, which :func:`_quantize` excludes.
    """

    keep: torch.Tensor

    def __init__(self, linear: torch.nn.Linear, channels: torch.Tensor) -> None:
        super().__init__()
        keep = torch.ones(linear.in_features)
        keep[channels] = 0.0
        self.register_buffer("keep", keep)
        self.main = linear
        self.outliers = Outliers(linear, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.main(x * self.keep) + self.outliers(x)
        return out


class Pooled(torch.nn.Module):
    """The transformer followed by sentence-transformers' pooling (not normalised).

    Inputs are positional, in the order of ``names``; the output is (batch, d).
    """

    def __init__(self, model: torch.nn.Module, names: list[str], pooling: str) -> None:
        super().__init__()
        self.model, self.names, self.pooling = model, names, pooling

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        features = dict(zip(self.names, inputs, strict=True))
        tokens: torch.Tensor = self.model(**features, return_dict=False)[0]
        mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        if self.pooling == "cls":
            return tokens[:, 0]
        if self.pooling == "max":
            return torch.where(mask > 0, tokens, torch.full_like(tokens, -1e9)).amax(1)
        summed, counts = (tokens * mask).sum(1), mask.sum(1).clamp(min=1e-9)
        return summed / (counts.sqrt() if self.pooling == "mean_sqrt_len" else counts)
