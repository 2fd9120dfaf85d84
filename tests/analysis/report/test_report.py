"""The shareable report on real data: one offline HTML file with the version's figures, drift and diff
against the version before, and — in a slow test — rendered by headless Chromium to PNG and PDF."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polars as pl
import pytest

from analysis.errors.report import error_report
from analysis.governance.contract import parse_contract
from analysis.report.html import find_browser
from analysis.report.write import write_report
from storage.errors import InputError
from storage.project import Project


def _written(project_path: Path, out: Path, version_id: int = 1, **kw) -> str:  # type: ignore[no-untyped-def]
    with Project.open(project_path) as project:
        write_report(project, version_id, out, **kw)
    return out.read_text(encoding="utf-8")


def test_the_report_is_one_offline_file_with_the_versions_figures(
    sample_project: Path, tmp_path: Path
) -> None:
    contract = parse_contract({"nulls": {"max_share": 0.0}, "label_issues": {"max_share": 0.001}}, "strict")
    html = _written(sample_project, tmp_path / "r.html", contract=contract)
    # nothing to fetch: no script, no external reference, a policy forbidding any
    assert "default-src 'none'" in html and "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only in-page references
    assert html.count("<svg") >= 3  # KPIs, error modes, clusters
    with Project.open(sample_project) as project:
        modes = error_report(project, 1)["modes"]
    for name, counts in modes.items():
        assert re.search(rf"<td>{name}</td><td class=\"num\">{counts['rows']:,}</td>", html), name
    assert "label_issues.share" in html and 'class="fail">FAIL' in html
    assert "Not approved" in html
    assert len(html.encode()) < 5 * 1024 * 1024


def test_the_report_shows_drift_and_changes_against_the_version_before(
    two_versions: tuple[Path, pl.DataFrame], banking_small: Path, tmp_path: Path
) -> None:
    path, edited = two_versions
    html = _written(path, tmp_path / "r.html", version_id=2)
    assert "Against bank:1:" in html and "Not approved" in html.split("<h2>")[0]
    joined = pl.read_csv(banking_small).join(edited, on="id", suffix="_v2")
    changed = int((joined["category"] != joined["category_v2"]).sum())
    removed = 600 - edited.height
    assert f"0 rows added, {removed} removed, {changed} changed, {joined.height - changed} unchanged" in html
    assert re.search(r"<td>card_arrival</td>", html)


def test_the_report_refuses_to_overwrite_or_to_hit_the_project(sample_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("mine")
    with Project.open(sample_project) as project:
        with pytest.raises(InputError, match="--force"):
            write_report(project, 1, out)
        with pytest.raises(InputError, match=r"\.html"):
            write_report(project, 1, tmp_path / "r.txt")
    assert out.read_text() == "mine"


@pytest.mark.slow
@pytest.mark.skipif(find_browser() is None, reason="needs Chromium (apt-get install chromium)")
def test_chromium_renders_the_report_to_png_and_pdf(sample_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    _written(sample_project, out, pdf=True)
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    png = tmp_path / "report.png"
    subprocess.run(
        [
            find_browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={png}",
            out.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    import numpy as np
    from PIL import Image

    image = np.asarray(Image.open(png).convert("L"))
    assert image.shape == (2400, 1200)
    # the page is drawn: dark text and chart pixels, not a blank or an error page
    assert int((image < 128).sum()) > 10_000
