"""The report's charts as inline SVG text, drawn with matplotlib's SVG backend (text kept as text, so
the file stays small and the browser renders it with its own fonts; nothing is fetched)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("svg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    )
    return plt.subplots(figsize=(width, height))


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def line_chart(
    x_labels: Sequence[str], series: dict[str, Sequence[float | None]], percent: bool, title: str
) -> str:
    """Lines over versions (one per series; a None is a gap), as SVG.

    Parameters
    ----------
    x_labels : sequence of str
        One per point (``dataset:number``).
    series : dict
        name → values, the length of ``x_labels``.
    percent : bool
        Values are shares in 0–1, drawn as percentages.
    """
    fig, ax = _figure(6.4, 2.4)
    xs = list(range(len(x_labels)))
    for i, (name, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else (100 * v if percent else v) for v in values]
        ax.plot(xs, ys, marker="o", color=PALETTE[i % len(PALETTE)], label=name)
    ax.set_xticks(xs, list(x_labels))
    ax.set_title(title, loc="left")
    if percent:
        ax.set_ylabel("%")
    ax.set_ylim(bottom=0)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def bar_chart(
    names: Sequence[str],
    values: Sequence[float],
    title: str,
    percent: bool = True,
    low: Sequence[float] | None = None,
    high: Sequence[float] | None = None,
    marked: Sequence[bool] | None = None,
) -> str:
    """Horizontal bars, largest on top, with optional 95% interval whiskers; ``marked`` bars are red.

    Parameters
    ----------
    values, low, high : sequence of float
        Shares in 0–1 when ``percent`` (drawn as percentages), else raw values.
    """
    scale = 100 if percent else 1
    n = len(names)
    fig, ax = _figure(6.4, 0.8 + 0.24 * max(n, 1))
    ys = list(range(n))[::-1]
    colours = [PALETTE[3] if marked and marked[i] else PALETTE[0] for i in range(n)]
    ax.barh(ys, [scale * v for v in values], color=colours, height=0.7)
    if low is not None and high is not None:
        xerr = [
            [scale * (v - lo) for v, lo in zip(values, low, strict=True)],
            [scale * (hi - v) for v, hi in zip(values, high, strict=True)],
        ]
        ax.errorbar(
            [scale * v for v in values], ys, xerr=xerr, fmt="none", ecolor="#333333", capsize=2, lw=0.8
        )
    ax.set_yticks(ys, [s if len(s) <= 40 else s[:39] + "…" for s in names])
    ax.set_title(title, loc="left")
    ax.set_xlabel("%" if percent else "")
    return _svg(fig)
