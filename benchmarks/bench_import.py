"""Import throughput: 100k and 1M rows (text, label, prediction, 5 probability columns, 3 extra columns).

Texts are BANKING77's, each made unique by a row number, so content hashes are all distinct.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from common import print_table, run_case, timed


def make_file(n: int, folder: Path) -> Path:
    import numpy as np
    import polars as pl
    from common import banking_texts

    texts = banking_texts()
    rng = np.random.default_rng(0)
    classes = ["a", "b", "c", "d", "e"]
    probs = rng.dirichlet(np.ones(5), size=n)
    frame = pl.DataFrame(
        {
            "id": np.arange(n),
            "text": [f"{texts[i % len(texts)]} #{i}" for i in range(n)],
            "label": rng.choice(classes, n),
            "score": rng.normal(size=n),
            "count": rng.integers(0, 100, n),
            "group": rng.choice(["x", "y", "z"], n),
        }
    ).with_columns(pl.Series(f"prob_{c}", probs[:, j]) for j, c in enumerate(classes))
    path = folder / f"import_{n}.parquet"
    frame.write_parquet(path)
    return path


def case(n: int) -> dict[str, Any]:
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from storage.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(n, Path(tmp))
        with Project.create(Path(tmp) / "bench.strata") as project:
            roles = RoleMapping(id="id", text="text", label="label", proba_prefix="prob_")
            _, seconds = timed(lambda: import_dataset(project, path, roles))
    return {"rows": n, "seconds": seconds, "rows/s": n / seconds}


def main() -> str:
    rows = [run_case(case, n=n) for n in (100_000, 1_000_000)]
    return print_table(
        "Import (Parquet → project, with predictions)", rows, ["rows", "seconds", "rows/s", "peak_mib"]
    )


if __name__ == "__main__":
    main()
