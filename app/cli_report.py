"""``strata report``: a version's self-contained HTML report (and PDF), no Qt."""

from __future__ import annotations

import argparse
from typing import Any

from app.console import ConsoleProgress


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.governance.contract import read_contract
    from analysis.report.write import write_report
    from storage.project import Project
    from storage.versions import resolve_version

    contract = read_contract(args.contract) if args.contract else None
    with Project.open(args.project) as project:
        version_id = resolve_version(project, args.version or args.dataset)
        with ConsoleProgress() as progress:
            files = write_report(
                project,
                version_id,
                args.out,
                pdf=args.pdf,
                force=args.force,
                contract=contract,
                progress=progress,
            )
    for f in files:
        print(f"Wrote {f} ({f.stat().st_size / 1024:,.0f} KB)")
    return 0


def add_parser(sub: Any) -> None:
    """Register ``strata report``."""
    p = sub.add_parser("report", help="a version's report as one offline HTML file (and PDF)")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name (default: the newest); its newest version")
    p.add_argument("--version", help="a version: dataset:number or its id")
    p.add_argument("--out", required=True, help="the HTML file to write (e.g. report.html)")
    p.add_argument("--pdf", action="store_true", help="also print it to PDF beside it (needs Chromium)")
    p.add_argument("--contract", help="a data contract whose checks the report shows")
    p.add_argument("--force", action="store_true", help="replace the files if they exist")
    p.set_defaults(func=cmd_report)
