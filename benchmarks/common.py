"""Helpers shared by the benchmark scripts: run a case in a fresh process, print a table."""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def _child(fn: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> dict[str, Any]:
    result = fn(**kwargs)
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_case(fn: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Run ``fn(**kwargs)`` in a fresh process; its dict comes back with ``peak_mib`` (peak RSS)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(_child, fn, kwargs).result()


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Return ``fn()`` and its wall time in seconds."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def print_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Print (and return) a Markdown table of ``rows``."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.3f}" if v < 10 else f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    return text


def banking_texts() -> list[str]:
    """All BANKING77 texts (train then test, 13,083)."""
    import polars as pl

    frames = [pl.read_csv(DATA / "banking77" / f"{s}.csv") for s in ("train", "test")]
    return pl.concat(frames)["text"].to_list()


def best(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``fn``, in seconds (stdlib only: peer venvs import it too)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
