"""Map redraw time during pan and zoom, at 100k and 1M points (offscreen rendering).

Compares Strata's MapView (density image while many points are visible, points when zoomed in) with
a plain pyqtgraph ScatterPlotItem holding every point. Each figure is the median of 20 redraws, a
redraw being a range change followed by a full render of the plot widget.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import numpy as np
from common import print_table, run_case

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def blobs(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = rng.uniform(-20, 20, size=(60, 2))
    which = rng.integers(0, 60, n)
    return (centres[which] + rng.normal(scale=1.2, size=(n, 2))).astype(np.float32), which


def _redraws(plot: Any, viewbox: Any, app: Any, zoom: float) -> float:
    times = []
    for i in range(21):
        shift = (i % 5) * 0.5
        start = time.perf_counter()
        viewbox.setRange(xRange=(-zoom + shift, zoom + shift), yRange=(-zoom, zoom), padding=0)
        app.processEvents()
        plot.grab()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def case(n: int, kind: str) -> dict[str, Any]:
    import polars as pl
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    coords, which = blobs(n)
    if kind == "plain ScatterPlotItem":
        plot = pg.PlotWidget()
        plot.resize(1000, 700)
        item = pg.ScatterPlotItem(
            x=coords[:, 0], y=coords[:, 1], size=5, pen=None, brush=pg.mkBrush(31, 119, 180)
        )
        plot.addItem(item)
        viewbox = plot.getViewBox()
        plot.show()
        return {"points": n, "map": kind, "pan/zoom ms (whole map)": _redraws(plot, viewbox, app, 25.0)}
    from analysis.selection import SelectionModel
    from analysis.view_frame import ViewFrame
    from widgets.map_view import MapView

    view = MapView(SelectionModel())
    view.resize(1000, 700)
    rows = pl.DataFrame({"_row_id": np.arange(n), "label": [f"c{w}" for w in which]})
    view.set_frame(ViewFrame(0, rows, {"label": "label"}, [], coords=coords))
    view.show()
    whole = _redraws(view.plot, view.viewbox, app, 25.0)
    zoomed = _redraws(view.plot, view.viewbox, app, 2.0 if n > 200_000 else 4.0)
    return {"points": n, "map": kind, "pan/zoom ms (whole map)": whole, "pan/zoom ms (zoomed in)": zoomed}


def main() -> str:
    rows = []
    for n in (100_000, 1_000_000):
        for kind in ("Strata MapView", "plain ScatterPlotItem"):
            rows.append(run_case(case, n=n, kind=kind))
    columns = ["points", "map", "pan/zoom ms (whole map)", "pan/zoom ms (zoomed in)", "peak_mib"]
    return print_table("Map redraw (offscreen, 1000×700)", rows, columns)


if __name__ == "__main__":
    main()
