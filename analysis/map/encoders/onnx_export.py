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
file is noticed and made again. Nothing is downloaded. Tracing (:mod:`onnx_trace`) imports torch, only
when an export is needed: a build without torch runs a cached or bundled export.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from analysis.map.encoders.models import Pipeline
from analysis.progress import Progress

CACHE_ENV = "STRATA_CACHE_DIR"
RECIPE = (
    "onnx-int8-v1: torchscript opset 17, eager attention, pooling in the graph, "
    "4 outlier channels per linear layer in float32, dynamic int8 per-channel MatMul"
)
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
        from analysis.map.encoders.onnx_trace import export_float  # imports torch

        meta = export_float(pipeline, float_file)
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
