"""The standalone CPU build ships no torch: embedding (ONNX Runtime, export cached), device choice and
the exact neighbour search must work with torch impossible to import, and agree with the torch path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CHILD = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
import numpy as np, polars as pl
from analysis.map.device import resolve_device
from analysis.map.embed import EmbedSpec, embed_backend
from analysis.map.encoders.models import model_path
from analysis.map.neighbours import NeighboursSpec, knn_graph
from analysis.progress import NullProgress
from storage.errors import StageInputError
assert resolve_device("auto") == "cpu"
try:
    resolve_device("cuda")
    raise SystemExit("cuda without torch was accepted")
except StageInputError as err:
    assert "PyTorch" in str(err)
texts = pl.read_csv(sys.argv[1])["text"].head(400).to_list()
spec = EmbedSpec()
encoder = embed_backend(spec, "cpu").load(model_path(spec.model), "cpu", NullProgress())
vectors = encoder.encode(texts, None, NullProgress())
assert "torch" not in {m.split(".")[0] for m in sys.modules if sys.modules[m] is not None}
idx, dist, method = knn_graph(vectors, NeighboursSpec(k=10, method="exact"), NullProgress())
np.save(sys.argv[2], vectors); np.save(sys.argv[3], idx)
print(method, vectors.shape)
"""


def test_embedding_and_exact_neighbours_run_without_torch(
    sample_project_master: Path, tmp_path: Path
) -> None:
    # sample_project_master embedded the sample, so this session's ONNX export is cached (as it is
    # bundled in the standalone build)
    import numpy as np
    import polars as pl

    from analysis.map.embed import EmbedSpec, embed_backend
    from analysis.map.encoders.models import model_path
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.progress import NullProgress

    sample = ROOT / "resources" / "sample" / "banking77_test.csv"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(sample), str(tmp_path / "v.npy"), str(tmp_path / "i.npy")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("exact (400, 384)")
    texts = pl.read_csv(sample)["text"].head(400).to_list()
    spec = EmbedSpec()
    encoder = embed_backend(spec, "cpu").load(model_path(spec.model), "cpu", NullProgress())
    vectors = encoder.encode(texts, None, NullProgress())
    idx = knn_graph(vectors, NeighboursSpec(k=10, method="exact"), NullProgress())[0]
    assert np.array_equal(np.load(tmp_path / "v.npy"), vectors)
    agree = np.mean(
        [len(set(a) & set(b)) / 10 for a, b in zip(np.load(tmp_path / "i.npy"), idx, strict=True)]
    )
    assert agree >= 0.99
