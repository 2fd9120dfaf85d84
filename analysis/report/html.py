"""Render the report's content as one self-contained HTML file (Jinja2 template, inline SVG charts,
a Content-Security-Policy that forbids any fetch), and print it to PDF with headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from analysis.report.charts import bar_chart, line_chart
from storage.errors import InputError

TEMPLATE = Path(__file__).with_name("report.html.j2")
MAX_BYTES = 5 * 1024 * 1024
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _charts(r: dict[str, Any]) -> dict[str, str]:
    charts: dict[str, str] = {}
    kpis = r["kpis"]
    names = [k["version"] for k in kpis]
    series: dict[str, Sequence[float | None]] = {
        title: [k[key] for k in kpis]
        for key, title in (
            ("label_issue_share", "Label issues"),
            ("exact_duplicate_share", "Exact duplicates"),
            ("near_duplicate_share", "Near-duplicates"),
            ("gold_accuracy", "Gold accuracy"),
        )
        if any(k[key] is not None for k in kpis)
    }
    charts["kpi_shares"] = line_chart(names, series, True, "Shares per version") if series else ""
    modes = r["error_modes"][:15]
    if modes:
        charts["error_modes"] = bar_chart(
            [m["name"] for m in modes], [m["share"] for m in modes], "Rows per error mode"
        )
    clusters = r["clusters"]
    if clusters:
        charts["clusters"] = bar_chart(
            [c["name"] for c in clusters],
            [c["error_rate"] for c in clusters],
            "Worst clusters: error rate, 95% Wilson interval",
            low=[c["low"] for c in clusters],
            high=[c["high"] for c in clusters],
            marked=[c["q_value"] < 0.05 for c in clusters],
        )
    drift = (r["drift"] or {}).get("columns") or []
    if drift:
        top = drift[:15]
        charts["drift"] = bar_chart(
            [d["column"] for d in top],
            [d["psi"] for d in top],
            "Population stability index per column",
            percent=False,
            marked=[d["drift"] for d in top],
        )
    return charts


def render_html(report: dict[str, Any]) -> str:
    """The report as HTML text.

    Parameters
    ----------
    report : dict
        From :func:`analysis.report.content.build_report`.
    """
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    approval = (
        report["approvals"][-1]
        if report["approvals"] and report["approvals"][-1]["action"] == "approve"
        else None
    )
    try:
        strata_version = version("strata")
    except PackageNotFoundError:
        strata_version = "unknown"
    return template.render(
        r=report,
        charts=_charts(report),
        approval=approval,
        pct=_pct,
        strata_version=strata_version,
    )


def find_browser() -> str | None:
    """The path of a Chromium-family browser on PATH, or None."""
    return next((p for name in BROWSERS if (p := shutil.which(name))), None)


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Print an HTML file to PDF with headless Chromium (its own print engine; the page fetches nothing,
    and the flags keep the browser itself from reaching the network).

    Raises
    ------
    InputError
        No Chromium on PATH (the message says how to install it), or the browser failed.
    """
    browser = find_browser()
    if browser is None:
        raise InputError(
            "Printing a PDF needs Chromium: install it (Debian/Ubuntu: apt-get install chromium), or open "
            "the HTML report in a browser and print it to PDF."
        )
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf_path}",
        html_path.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"Chromium did not finish printing {html_path} within {timeout:.0f} s.") from None
    if done.returncode != 0 or not pdf_path.exists():
        raise InputError(f"Chromium could not print the report: {done.stderr.strip()[-300:]}")
