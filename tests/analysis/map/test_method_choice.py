"""Which neighbour and map method runs where: the CUDA choices are checked without a GPU."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.map.device import resolve_device, vector_dtype
from analysis.map.neighbours import EXACT_MAX_ROWS, NeighboursSpec, knn_graph, resolve_method
from analysis.map.projection import ProjectSpec, project_2d
from analysis.progress import NullProgress
from storage.errors import StageInputError


def test_auto_searches_exactly_on_a_gpu_or_small_data_and_by_hnsw_above() -> None:
    assert resolve_method("auto", 1_000_000, "cuda") == "exact"
    assert resolve_method("auto", EXACT_MAX_ROWS, "cpu") == "exact"
    assert resolve_method("auto", EXACT_MAX_ROWS + 1, "cpu") == "hnsw"
    assert resolve_method("nndescent", 10, "cpu") == "nndescent"
    with pytest.raises(StageInputError, match="hnsw"):
        resolve_method("annoy", 10, "cpu")


def test_vectors_are_half_precision_on_cuda_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    assert vector_dtype("cuda:0") == "float16" and vector_dtype("cpu") == "float32"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") in {"cpu", "mps"}
    with pytest.raises(StageInputError, match="not available"):
        resolve_device("cuda")


def test_an_unknown_map_method_is_refused() -> None:
    vectors = np.eye(60, 8, dtype=np.float32)
    idx, dist, _ = knn_graph(vectors, NeighboursSpec(k=5, method="exact"), NullProgress(), "cpu")
    with pytest.raises(StageInputError, match="umap"):
        project_2d(vectors, idx, dist, ProjectSpec(method="tsne"), NullProgress())
