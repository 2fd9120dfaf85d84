"""``strata compare`` and ``strata leaderboard`` (generative runs), and the generative options of
``strata import`` and ``strata import-run``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_common import comma_list, positive_int
from storage.errors import InputError


def add_map_arguments(p: argparse.ArgumentParser) -> None:
    """``--run`` and ``--map-from``: which run the stages use, and whether the map is drawn from the
    prompts or from that run's responses."""
    p.add_argument("--run", help="model run name (default: the newest)")
    p.add_argument(
        "--map-from",
        default="prompt",
        choices=["prompt", "response"],
        help="draw the map and clusters from the text column (prompt, default) or from the generative "
        "run's responses (response)",
    )


def add_generative_arguments(p: argparse.ArgumentParser) -> None:
    """The options that describe a generative run's file."""
    g = p.add_argument_group("generative model outputs (prompt / response / evaluator scores)")
    g.add_argument("--prompt", help="column holding the prompt (the text that is embedded and mapped)")
    g.add_argument("--response", help="column holding the model's response")
    g.add_argument("--reference", help="column holding an expected answer (kept with the prompts)")
    g.add_argument(
        "--score", action="append", default=[], help="a numeric evaluator score column (repeatable)"
    )
    g.add_argument(
        "--pass-if",
        help="rule on the first --score that passes a response, e.g. '>= 1.5'; 'match' passes responses "
        "that give the --reference answer",
    )
    g.add_argument("--passed", help="a pass/fail column of the evaluator (true/false, 1/0, pass/fail)")


def generative_roles(args: argparse.Namespace) -> dict[str, Any]:
    """RoleMapping fields of the generative options (``--prompt`` is the text role).

    Raises
    ------
    InputError
        When both --prompt and --text are given and differ.
    """
    if args.prompt and getattr(args, "text", None) and args.prompt != args.text:
        raise InputError("--prompt is the text column: give one of --prompt and --text.")
    fields: dict[str, Any] = {
        "response": args.response,
        "reference": args.reference,
        "scores": tuple(args.score or ()),
        "pass_if": args.pass_if,
        "passed": args.passed,
    }
    if args.prompt:
        fields["text"] = args.prompt
    return fields


def print_generative_summary(runs: list[dict[str, Any]]) -> None:
    """``strata errors``' lines on generative runs: pass rate, length bias overall and per cluster."""
    for run in runs:
        rate = "n/a" if run["pass_rate"] is None else f"{run['pass_rate']:.1%}"
        print(
            f"Generative run {run['run']}: pass rate {rate} of {run['judged']:,} judged ({run['pass_rule']})"
        )
        bias = run["length_bias"]
        if bias and bias["rho"] == bias["rho"]:
            print(
                f"  length bias: Spearman rho(response tokens, {run['score']}) = {bias['rho']:+.3f} "
                f"[{bias['low']:+.3f}, {bias['high']:+.3f}], p = {bias['p_value']:.2g}, {bias['rows']:,} rows"
            )
        for c in run["cluster_length_bias"]:
            print(
                f"    {c['rho']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}]  {c['rows']:4,} rows  {c['group']}"
            )


def _outcomes(project: Any, version_id: int, names: tuple[str, ...]) -> list[Any]:
    from analysis.generative.runs import find_run, generative_runs, run_outcomes
    from storage.versions import get_version

    rows = get_version(project, version_id).rows
    runs = (
        [find_run(project, version_id, n) for n in names] if names else generative_runs(project, version_id)
    )
    if not runs:
        raise InputError("This version has no generative run: import responses with --response first.")
    return [run_outcomes(project, r, rows) for r in runs]


def _groups(project: Any, version_id: int, by: str) -> tuple[Any, dict[int, str]]:
    """Per-row group codes and names: the map's clusters, or a column's values."""
    import numpy as np
    import polars as pl

    from storage.stage_outputs import read_clusters
    from storage.versions import read_rows

    if by == "cluster":
        clusters, labels = read_clusters(project, version_id)
        if labels is None:
            raise InputError("No clusters yet: run `strata run` first, or group --by a column.")
        return labels, {c.label: c.name for c in clusters}
    column = read_rows(project, version_id, [by])[by].cast(pl.String)
    values = sorted(set(column.drop_nulls().to_list()))
    codes = {v: i for i, v in enumerate(values)}
    return np.array([codes.get(v, -1) for v in column.to_list()]), dict(enumerate(values))


def cmd_compare(args: argparse.Namespace) -> int:
    from analysis.generative.compare import compare_runs
    from storage.project import Project
    from storage.versions import read_rows, resolve_version

    names = comma_list(args.runs)
    if len(names) != 2:
        raise InputError("--runs takes two run names: --runs A,B (B is compared with A).")
    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        a, b = _outcomes(project, version, names)
        groups, group_names = _groups(project, version, args.by) if args.by else (None, None)
        result = compare_runs(a, b, groups, group_names)
        keys = read_rows(project, version, [])["_row_key"].to_list()  # to name the regressions
    if args.json:
        out = result.as_dict(args.top) | {
            "regression_keys": [keys[r] for r in result.regressions[: args.top]]
        }
        print(json.dumps(out, indent=2, default=float))
        return 0
    print(f"{result.run_b} against {result.run_a} on {result.rows:,} prompts judged in both:")
    print(f"  by {result.compared_by}: {result.wins:,} wins, {result.losses:,} losses, {result.ties:,} ties")
    for name, rate, ci in (
        (result.run_a, result.pass_rate_a, result.pass_rate_a_ci),
        (result.run_b, result.pass_rate_b, result.pass_rate_b_ci),
    ):
        print(f"  pass rate {name:<28} {rate:6.1%}  [{ci[0]:.1%}, {ci[1]:.1%}]")
    print(
        f"  difference B − A {result.difference:+.1%}  [{result.difference_low:+.1%}, "
        f"{result.difference_high:+.1%}] (95%, paired)"
    )
    print(f"  regressions (passed in A, failed in B): {result.regressions.size:,}; "
          f"improvements: {result.improvements.size:,}")  # fmt: skip
    if result.by_group:
        print(f"By {args.by} (most regressions first):")
        for g in result.by_group[: args.top]:
            print(
                f"  {g['regressions']:4d} regressed {g['improvements']:4d} improved  {g['rows']:5,} rows  "
                f"{g['difference']:+6.1%}  {g['group']}"
            )
    shown = [keys[r] for r in result.regressions[: args.top]]
    if shown:
        print(f"First regressions (row keys): {', '.join(shown)}")
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from analysis.generative.leaderboard import leaderboard
    from storage.project import Project
    from storage.versions import resolve_version

    with Project.open(args.project) as project:
        version = resolve_version(project, args.dataset)
        entries = leaderboard(_outcomes(project, version, ()))
    if args.json:
        print(json.dumps([e.__dict__ for e in entries], indent=2))
        return 0
    print(f"{'run':<32} {'judged':>6}  {'pass rate [95% bootstrap]':<26} {'mean score':>10}  {'tokens':>7}")
    for e in entries:
        score = "" if e.mean_score is None else f"{e.mean_score:10.3f}"
        print(
            f"{e.run:<32} {e.judged:6,}  {e.pass_rate:6.1%} [{e.pass_rate_low:5.1%}, {e.pass_rate_high:5.1%}]"
            f"{'':5} {score:>10}  {e.mean_tokens:7.0f}"
        )
    return 0


def add_parser(sub: Any) -> None:
    """Register ``compare`` and ``leaderboard``."""
    p = sub.add_parser("compare", help="two generative runs: wins/losses, pass-rate difference, regressions")
    p.add_argument("project")
    p.add_argument("--runs", required=True, help="A,B: run B compared with run A")
    p.add_argument("--dataset", help="dataset name or NAME:N (default: the newest)")
    p.add_argument("--by", help="regressions per group: 'cluster' or a column (e.g. dataset)")
    p.add_argument("--top", type=positive_int, default=20, help="rows and groups listed (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("leaderboard", help="every generative run's pass rate with bootstrap intervals")
    p.add_argument("project")
    p.add_argument("--dataset", help="dataset name or NAME:N (default: the newest)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_leaderboard)
