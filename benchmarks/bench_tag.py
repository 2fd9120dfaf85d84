"""The ``tag`` stage on 100k rows (embedding excluded), with cleanlab's own ``find_label_issues`` time.

Rows: BANKING77's 13,083 texts made unique and repeated to 100k, their real embeddings repeated with
small noise (σ 0.02, renormalised) and stored as the embed stage's output; labels are the real intents
with 10% flipped; class probabilities come from a logistic-regression probe fitted on the real
vectors. The map for the cluster stage is PCA (UMAP at 100k takes minutes and is measured in
``bench_map.py``). Reported: the whole tag stage (every error mode, writing the row tags), and
cleanlab's ``find_label_issues`` alone on the same labels and probabilities, with one job as Strata
runs it (cleanlab's multiprocessing fails in a spawned process: "name 'pred_probs_by_class' is not
defined").
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import DATA, print_table, run_case

N = 100_000


def case() -> dict[str, Any]:
    import polars as pl
    from cleanlab.filter import find_label_issues
    from sklearn.linear_model import LogisticRegression

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.map.embed import BUNDLED_MODEL, load_encoder
    from analysis.map.projection import ProjectSpec
    from analysis.pipeline.runner import PipelineSpec, run_pipeline
    from storage.project import Project
    from storage.schema import EmbeddingChunk, EmbeddingSet
    from storage.vectors import pack

    frames = [pl.read_csv(DATA / "banking77" / f"{s}.csv") for s in ("train", "test")]
    base = pl.concat(frames)
    encoder = load_encoder(BUNDLED_MODEL, "cpu")
    vectors = encoder.encode(base["text"].to_list(), batch_size=64, normalize_embeddings=True).astype(
        np.float32
    )
    classes = sorted(base["category"].unique().to_list())
    labels = np.array([classes.index(c) for c in base["category"].to_list()])
    probe = LogisticRegression(C=10.0, max_iter=500).fit(vectors, labels)
    rng = np.random.default_rng(0)
    pick = np.arange(N) % base.height
    big = vectors[pick] + rng.normal(scale=0.02, size=(N, vectors.shape[1])).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    probs = probe.predict_proba(big)
    given = labels[pick].copy()
    flipped = rng.choice(N, N // 10, replace=False)
    given[flipped] = (given[flipped] + rng.integers(1, len(classes), flipped.size)) % len(classes)
    texts = [f"{t} #{i}" for i, t in enumerate(base["text"].to_numpy()[pick])]
    frame = pl.DataFrame(
        {"id": np.arange(N), "text": texts, "label": [classes[g] for g in given]}
    ).with_columns(pl.Series(f"prob_{c}", probs[:, j]) for j, c in enumerate(classes))
    with tempfile.TemporaryDirectory() as tmp:
        frame.write_parquet(Path(tmp) / "big.parquet")
        with Project.create(Path(tmp) / "t.strata") as project:
            roles = RoleMapping(id="id", text="text", label="label", proba_prefix="prob_")
            version = import_dataset(project, Path(tmp) / "big.parquet", roles).version_id
            from storage.versions import read_rows

            hashes = read_rows(project, version, [])["_content_hash"].to_list()
            with project.session() as s:
                emb = EmbeddingSet(model=BUNDLED_MODEL, dimension=384, dtype="float32", device="cpu")
                s.add(emb)
                s.flush()
                for start in range(0, N, 4096):
                    part = slice(start, start + 4096)
                    digests = b"".join(bytes.fromhex(h) for h in hashes[part])
                    s.add(
                        EmbeddingChunk(
                            set_id=emb.id, count=len(hashes[part]), hashes=digests, vectors=pack(big[part])
                        )
                    )
            spec = PipelineSpec(project=ProjectSpec(method="pca"))
            run_pipeline(project, version, spec, stages=("cluster",))
            start = time.perf_counter()
            report = run_pipeline(project, version, spec, stages=("tag",))[-1]
            tag_seconds = time.perf_counter() - start
    start = time.perf_counter()
    find_label_issues(given, probs, filter_by="prune_by_noise_rate", n_jobs=1)
    cleanlab_1 = time.perf_counter() - start
    return {
        "rows": N,
        "tag stage s": tag_seconds,
        "rows/s": N / tag_seconds,
        "cleanlab find_label_issues s (1 job)": cleanlab_1,
        "detail": report.detail,
    }


def main() -> str:
    row = run_case(case)
    detail = row.pop("detail")
    columns = [
        "rows",
        "tag stage s",
        "rows/s",
        "cleanlab find_label_issues s (1 job)",
        "peak_mib",
    ]
    table = print_table("Tag stage, 100k rows, 77 classes (embedding excluded)", [row], columns)
    print(f"Tags: {detail}\n")
    return table + f"\nTags: {detail}\n"


if __name__ == "__main__":
    main()
