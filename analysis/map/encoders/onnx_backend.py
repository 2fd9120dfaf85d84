"""The ONNX Runtime backend: the model exported to int8 ONNX once (:mod:`onnx_export`), run on the CPU.

Texts are tokenised with the model folder's fast tokenizer, sorted by token length and cut into
batches of similar length (little padding), run with one intra-op thread per core available to the
process, pooled in the graph and L2-normalised here; the vectors come back in the order of the texts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.map.encoders.models import read_pipeline
from analysis.map.encoders.registry import Backend, register_encoder
from analysis.progress import Progress, check_cancel

# Texts per batch. Measured on 2 shared cores, 2,000 BANKING77 texts and 2,000 emoji tweets, best of
# 4 runs, CPU seconds per text (wall time was too noisy there): 16 needs the least of 8, 16, 32 and 64
# on both (64: 5-10% more; 128-256 lost 15-45% on 1,000 texts).
BATCH_SIZE = 16


def cores() -> int:
    """Cores this process may use: ``OMP_NUM_THREADS`` when set (a Ray worker sets it to the CPUs the
    scheduler gave it), else its CPU affinity where the OS tells it."""
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if limit.isdigit() and int(limit) > 0:
        return int(limit)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class OnnxEncoder:
    """An int8 ONNX model on the CPU; see :class:`analysis.map.encoders.registry.Encoder`.

    Parameters
    ----------
    model_dir : pathlib.Path
        A local sentence-transformers folder (Transformer → Pooling → Normalize).
    progress : analysis.progress.Progress
        Told when the model has to be exported first.
    """

    def __init__(self, model_dir: Path, progress: Progress) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        from analysis.map.encoders.onnx_export import prepare_model

        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        self.pipeline = read_pipeline(model_dir)
        onnx_file, meta = prepare_model(model_dir, self.pipeline, progress)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(
            str(self.pipeline.transformer), local_files_only=True, use_fast=True
        )
        # sentence-transformers' rule: the configured max_seq_length, else what model and tokenizer allow
        limits = [int(self.tokenizer.model_max_length), int(meta.get("max_positions") or 1 << 30)]
        self.max_length = self.pipeline.max_seq_length or min(limits)
        self.pad_id = int(self.tokenizer.pad_token_id or 0)
        self.inputs: list[str] = list(meta["inputs"])
        self.dimension = int(meta["dimension"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = cores()
        options.inter_op_num_threads = 1
        # Idle workers sleep instead of spinning: on 2 cores shared with other processes, spinning cost
        # 40-55% of the throughput (BANKING77 393 -> 227 texts/s), and it would take CPU from the GUI.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text as sentence-transformers makes them (stripped, truncated)."""
        cleaned = [t.strip().lower() if self.pipeline.lower_case else t.strip() for t in texts]
        encoded = self.tokenizer(
            cleaned,
            truncation=True,
            max_length=self.max_length,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        ids: list[list[int]] = encoded["input_ids"]
        return ids

    def encode(self, texts: list[str], batch_size: int | None, progress: Progress) -> NDArray[np.float32]:
        """L2-normalised vectors of ``texts``, float32 (n, d), in the order of ``texts``.

        Batches of ``batch_size`` texts (default :data:`BATCH_SIZE`) of similar token length.
        """
        ids = self.token_ids(texts)
        order = np.argsort(np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids)), kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        size = batch_size or BATCH_SIZE
        for begin in range(0, len(order), size):
            check_cancel(progress)
            rows = order[begin : begin + size]
            out[rows] = self.session.run(None, self._feed([ids[r] for r in rows]))[0]
            progress.advance(len(rows))
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _feed(self, batch: list[list[int]]) -> dict[str, NDArray[np.int64]]:
        """Right-padded input_ids, attention_mask (and zero token_type_ids) of one batch."""
        width = max(len(x) for x in batch)
        input_ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, tokens in enumerate(batch):
            input_ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(mask)}
        return {name: feed[name] for name in self.inputs}

    def close(self) -> None:
        """Drop the session (its memory is freed with it)."""
        del self.session


def _accepts(model_dir: Path) -> bool:
    return read_pipeline(model_dir).simple


def _prepare(model_dir: Path, progress: Progress) -> Path:
    """The folder of the cached int8 export (made now when missing)."""
    from analysis.map.encoders.onnx_export import prepare_model

    return prepare_model(model_dir, read_pipeline(model_dir), progress)[0].parent


BACKEND = register_encoder(
    Backend(
        name="onnx",
        label="ONNX int8",
        runs_on=lambda device: device == "cpu",
        preferred_on=lambda device: device == "cpu",
        accepts=_accepts,
        load=lambda model_dir, _device, progress: OnnxEncoder(model_dir, progress),
        prepare=_prepare,
    )
)
