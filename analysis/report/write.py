"""Write a version's report: the HTML file, and optionally its PDF."""

from __future__ import annotations

from pathlib import Path

from analysis.governance.contract import Contract
from analysis.progress import Progress
from analysis.report.content import build_report
from analysis.report.html import MAX_BYTES, print_pdf, render_html
from storage.errors import InputError
from storage.outputs import atomic_write, check_output, protected_paths
from storage.project import Project


def write_report(
    project: Project,
    version_id: int,
    out: str | Path,
    *,
    pdf: bool = False,
    force: bool = False,
    contract: Contract | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report of a version to ``out`` (HTML) and, with ``pdf``, ``out`` with ``.pdf``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputError
        ``out`` is not an .html/.htm file, exists (without ``force``), is the project itself, or cannot be
        written; no Chromium for the PDF.
    """
    path = Path(out)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"The report is HTML: name the file with .html (got {path.name}).")
    guarded = protected_paths(project.path)
    pdf_path = path.with_suffix(".pdf")
    for target in [path] + ([pdf_path] if pdf else []):
        check_output(target, force=force, protected=guarded)
    html = render_html(build_report(project, version_id, contract, progress))
    if len(html.encode("utf-8")) > MAX_BYTES:  # aggregated by design: this would be a bug
        raise InputError(f"The report came to {len(html) / 1e6:.1f} MB, over the 5 MB a report may take.")

    def write_html(tmp: Path) -> None:
        tmp.write_text(html, encoding="utf-8")

    atomic_write(path, write_html, force=force, protected=guarded)
    if not pdf:
        return [path]
    atomic_write(pdf_path, lambda tmp: print_pdf(path, tmp), force=force, protected=guarded)
    return [path, pdf_path]
