"""Export a sentence-transformers folder to an int8 ONNX model once, and cache it per model content.

Recipe (what :data:`RECIPE` names; changing it re-exports every cached model):

1. The Hugging Face transformer is traced with ``torch.onnx.export`` (TorchScript exporter,
   ``dynamo=False``: it needs no onnxscript and handles the dynamic batch and sequence axes of a BERT
   in seconds), with the model folder's pooling inside the graph, so the model outputs one (batch, d)
   sentence vector; L2 normalisation is done by the caller.
2. Before tracing, every linear layer takes its :data:`OUTLIERS` input channels of largest magnitude
   out of the int8 path: ``y = W·(x ⊙ keep) + W[:, idx]·x[idx]`` — the same product, the second term
   a tiny float32 MatMul. Dynamic quantization quantizes a layer's input with one scale per tensor, and a
   few channels of a BERT's LayerNorm and GELU outputs are 10-15x larger than the rest (all-MiniLM-L6-v2:
   channel 99 reaches 28 where the median channel reaches 2), which costs the other channels their
   resolution. Measured on 1,000 emoji tweets, cosine to the float32 vectors: min 0.980, 73% >= 0.99
   without the split; min 0.9945, 100% >= 0.99 with 4 channels split. This is the outlier
   decomposition of Dettmers et al., "LLM.int8()", NeurIPS 2022, with the channels chosen once. The
   channels are found on random token sequences (seeded), so no data is needed and the export is
   deterministic: which channels are large is a property of the weights, not of the texts.
3. ``onnxruntime.quantization.quantize_dynamic``: int8 weights per output channel, uint8 activations
   quantized per batch at run time; only MatMul nodes (the embedding tables stay float32).

The cache lives in ``$STRATA_CACHE_DIR`` or ``platformdirs.user_cache_dir("strata")``, under
``onnx/<sha256 of the model files and the recipe>/``; files are written to a temporary name and renamed,
and ``meta.json`` (written last) records the SHA-256 of ``model.onnx``, so a killed export or a damaged
file is noticed and made again. Nothing is downloaded. Imported only when an export may be needed
(it imports torch).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import torch

from analysis.map.encoders.models import Pipeline
from analysis.progress import Progress

CACHE_ENV = "STRATA_CACHE_DIR"
RECIPE = (
    "onnx-int8-v1: torchscript opset 17, eager attention, pooling in the graph, "
    "4 outlier channels per linear layer in float32, dynamic int8 per-channel MatMul"
)
OUTLIERS = 4
OPSET = 17
CALIBRATION_SEED = 0
CALIBRATION_SHAPE = (64, 62)  # sequences x tokens between the special tokens
STALE_EXPORT_S = 3600.0


def cache_root() -> Path:
    """The folder of Strata's caches: ``$STRATA_CACHE_DIR`` or the user's cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("strata"))


def model_digest(model_dir: Path) -> str:
    """Hex SHA-256 of :data:`RECIPE` and every file under ``model_dir`` (relative path and content)."""
    digest = hashlib.sha256(RECIPE.encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(model_dir).as_posix()).encode() + b"\0")
        digest.update(_file_digest(path).encode())
    return digest.hexdigest()


def cache_folder(model_dir: Path) -> Path:
    """Where the export of ``model_dir`` is cached: ``<cache root>/onnx/<model digest>``."""
    return cache_root() / "onnx" / model_digest(model_dir)


def cached_model(model_dir: Path) -> tuple[Path, dict[str, Any]] | None:
    """The cached ONNX model of ``model_dir`` and its metadata, or None when absent or damaged."""
    return _valid(cache_folder(model_dir))


def _valid(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    meta_file, onnx_file = folder / "meta.json", folder / "model.onnx"
    try:
        meta = json.loads(meta_file.read_text())
        if meta.get("recipe") == RECIPE and meta.get("onnx_sha256") == _file_digest(onnx_file):
            return onnx_file, meta
    except (OSError, ValueError):
        pass
    return None


def prepare_model(model_dir: Path, pipeline: Pipeline, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """The int8 ONNX model of ``model_dir``, exported on first use and reused after.

    Parameters
    ----------
    model_dir : pathlib.Path
        A local sentence-transformers folder.
    pipeline : analysis.map.encoders.models.Pipeline
        What its modules say (pooling, maximum length).
    progress : analysis.progress.Progress
        Told "Preparing the ONNX model (once)…" when an export is needed.

    Returns
    -------
    onnx_file : pathlib.Path
    meta : dict
        ``dimension`` (int), ``inputs`` (input names in order), ``max_positions`` (int or None: the
        transformer's longest input), ``recipe``, ``onnx_sha256``, ``source`` (the folder exported).
    """
    folder = cache_folder(model_dir)
    found = _valid(folder)
    if found is not None:
        return found
    progress.message("Preparing the ONNX model (once)…")
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_exports(folder)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as tmp:
        float_file, int8_file = Path(tmp) / "float32.onnx", Path(tmp) / "int8.onnx"
        meta = _export(pipeline, float_file)
        _quantize(float_file, int8_file)
        meta |= {"recipe": RECIPE, "onnx_sha256": _file_digest(int8_file), "source": str(model_dir)}
        os.replace(int8_file, folder / "model.onnx")
        meta_tmp = Path(tmp) / "meta.json"
        meta_tmp.write_text(json.dumps(meta, indent=1))
        os.replace(meta_tmp, folder / "meta.json")  # last: its presence says model.onnx is complete
    return folder / "model.onnx", meta


def _remove_stale_exports(folder: Path) -> None:
    """Delete the temporary folders of exports killed before they could clean up (an hour old: a
    younger one may belong to an export running in another process)."""
    for stale in folder.glob(".export-*"):
        if time.time() - stale.stat().st_mtime > STALE_EXPORT_S:
            shutil.rmtree(stale, ignore_errors=True)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _export(pipeline: Pipeline, target: Path) -> dict[str, Any]:
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


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantization of the MatMuls, leaving the outlier channels' MatMuls in float32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    float_nodes = [n.name for n in graph.node if n.op_type == "MatMul" and "/outliers/" in n.name]
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # quantize_dynamic advises pre-processing on the root logger
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=float_nodes,
        )
    finally:
        logging.disable(previous)
