"""The Ray engine against the local engine on this machine: 100,000 emoji tweets embedded and searched.

Cases, each in a fresh process:

- ``local``: the embed stage in this process (ONNX int8 on both cores), then exact neighbours
  (blocked products) and HNSW (faiss), as ``strata run --engine local`` does.
- ``ray``: the same through a Ray cluster started on this machine (``ray.init(num_cpus=2)``): the
  embed stage through the Ray Data actor pool (two actors of one CPU each, the model shipped through
  the object store), exact neighbours in shards merged as they finish, HNSW as one task.
- ``ray, 1 chunk``: 512 texts through the same Ray path, for its fixed cost (cluster start excluded:
  model shipped, actors started, model loaded).
- ``store``: writing 100,000 vectors to a project in chunks of 512 (the driver's ceiling: a cluster
  streams every vector back into one SQLite file).

Peak memory is the machine's used memory above its level when the case started (MemTotal −
MemAvailable, sampled every 0.2 s), because Ray's workers are processes of their own. The agreement
rows compare Ray's vectors and graphs with the local ones. The projection to N nodes uses the
measured per-node embedding rate, fixed cost and store rate (see docs/scale-out.md).

Usage: ``python benchmarks/bench_ray.py [--rows N]``.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_scale import emoji_tweets, write_table
from common import print_table, run_case

K = 15


def used_mib() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])) / 1024


class PeakMemory:
    """The machine's used memory above its level at the start, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.base = self.peak = used_mib()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, used_mib())

    def mib(self) -> float:
        return max(self.peak, used_mib()) - self.base


def engine_case(engine: str, rows: int, folder: str) -> dict[str, Any]:
    """Embed ``rows`` tweets with ``engine``, then exact and HNSW neighbours; vectors and graphs saved."""
    from analysis.engines import EngineSpec
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.map.neighbours import NeighboursSpec
    from analysis.pipeline.inputs import StageInputs
    from analysis.pipeline.runner import PipelineSpec, run_pipeline
    from analysis.progress import NullProgress
    from storage.project import Project

    if engine == "ray":
        import ray

        ray.init(num_cpus=2, include_dashboard=False, logging_level="error")
    memory = PeakMemory()
    texts, labels = emoji_tweets()
    table = Path(folder) / f"{engine}-{rows}.parquet"
    write_table(table, texts[:rows], labels[:rows])
    spec = PipelineSpec(engine=EngineSpec(name=engine))
    out: dict[str, Any] = {"engine": engine, "rows": rows}
    with Project.create(Path(folder) / f"{engine}-{rows}.strata") as project:
        version = import_dataset(project, table, RoleMapping(text="text", label="label")).version_id
        start = time.perf_counter()
        report = run_pipeline(project, version, spec, ("embed",))[0]
        out["embed s"] = time.perf_counter() - start
        out["detail"] = report.detail
        inputs = StageInputs(project, version, spec, NullProgress())
        vectors = inputs.vectors()
        if rows > 1000:
            for method in ("exact", "hnsw"):
                start = time.perf_counter()
                indices, _, _ = inputs.engine.knn(vectors, NeighboursSpec(k=K, method=method), NullProgress())
                out[f"{method} s"] = time.perf_counter() - start
                np.save(Path(folder) / f"{engine}-{method}.npy", indices)
            np.save(Path(folder) / f"{engine}-vectors.npy", vectors)
        inputs.engine.close()
    out["peak_mib"] = memory.mib()
    return out


def store_case(rows: int, folder: str) -> dict[str, Any]:
    """Seconds to write ``rows`` 384-d vectors into a new project in chunks of 512."""
    from analysis.map.embed import CHUNK_ROWS
    from storage.embeddings import ensure_set, write_chunk
    from storage.project import Project

    vectors = np.random.default_rng(0).normal(size=(rows, 384)).astype(np.float32)
    with Project.create(Path(folder) / "store.strata") as project:
        set_id = ensure_set(project, "bench", "float32", 384, "cpu", "onnx")
        start = time.perf_counter()
        for begin in range(0, rows, CHUNK_ROWS):
            digests = [i.to_bytes(16, "big") for i in range(begin, min(begin + CHUNK_ROWS, rows))]
            write_chunk(project, set_id, digests, vectors[begin : begin + CHUNK_ROWS])
        return {"rows": rows, "store s": time.perf_counter() - start}


def recall(reference: np.ndarray, other: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / len(a) for a, b in zip(reference, other, strict=True)]))


def main(rows: int = 100_000) -> str:
    folder = tempfile.mkdtemp(prefix="bench-ray-")
    local = run_case(engine_case, engine="local", rows=rows, folder=folder)
    ray = run_case(engine_case, engine="ray", rows=rows, folder=folder)
    small = run_case(engine_case, engine="ray", rows=512, folder=folder)
    store = run_case(store_case, rows=rows, folder=folder)
    table = []
    for case in (local, ray):
        for stage in ("embed", "exact", "hnsw"):
            seconds = case[f"{stage} s"]
            table.append(
                {
                    "engine": case["engine"],
                    "stage": stage if stage == "embed" else f"neighbours ({stage})",
                    "rows": rows,
                    "seconds": seconds,
                    "rows/s": rows / seconds,
                    "ratio to local": seconds / local[f"{stage} s"],
                    "peak_mib": case["peak_mib"],
                }
            )
    text = print_table(
        f"Local engine vs Ray on this machine ({rows:,} emoji tweets, 2 cores)", table, list(table[0])
    )
    vectors = {e: np.load(Path(folder) / f"{e}-vectors.npy") for e in ("local", "ray")}
    cosine = (vectors["local"] * vectors["ray"]).sum(axis=1)
    graphs = {
        (e, m): np.load(Path(folder) / f"{e}-{m}.npy") for e in ("local", "ray") for m in ("exact", "hnsw")
    }
    agreement = [
        {"measure": "cosine of the vectors, min", "value": float(cosine.min())},
        {"measure": "cosine of the vectors, mean", "value": float(cosine.mean())},
        {
            "measure": "recall@15, Ray exact vs local exact",
            "value": recall(graphs["local", "exact"], graphs["ray", "exact"]),
        },
        {
            "measure": "recall@15, Ray HNSW vs local exact",
            "value": recall(graphs["local", "exact"], graphs["ray", "hnsw"]),
        },
        {
            "measure": "recall@15, local HNSW vs local exact",
            "value": recall(graphs["local", "exact"], graphs["local", "hnsw"]),
        },
    ]
    text += print_table("Agreement of the two engines", agreement, ["measure", "value"])
    text += projection(rows, ray["embed s"], small["embed s"], store["store s"])
    return text


def projection(rows: int, embed_s: float, small_s: float, store_s: float) -> str:
    """Embedding time on N nodes like this one: fixed cost + rows / min(N × node rate, store rate)."""
    node_rate = (rows - 512) / (embed_s - small_s)
    fixed = small_s - 512 / node_rate
    store_rate = rows / store_s
    out = []
    for nodes in (1, 2, 4, 8, 16, 32, 64):
        rate = min(nodes * node_rate, store_rate)
        row: dict[str, Any] = {"nodes": nodes, "texts/s": rate}
        for total in (1_000_000, 10_000_000):
            row[f"{total // 1_000_000}M texts, min"] = (fixed + total / rate) / 60
        out.append(row)
    title = (
        f"Projected embedding time on N nodes of 2 cores (measured: {node_rate:,.0f} texts/s per node, "
        f"{fixed:.1f} s fixed cost, store {store_rate:,.0f} vectors/s)"
    )
    return print_table(title, out, list(out[0]))


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 100_000
    main(count)
