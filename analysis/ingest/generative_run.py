"""A generative run from a file: responses matched to the version's prompts, scores, the pass rule.

A run's rows are matched to the version's rows by id (the version's id column) or, without ids, by
the prompt's content hash; every row of the file must find its prompt, so that nothing is silently
dropped. A run may answer fewer prompts than the version has (AlpacaEval's ``phi-2`` answers 803 of 805).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from analysis.generative.answers import answer_matches
from analysis.generative.pass_rule import MATCH, PassRule, read_passed
from analysis.generative.tokens import count_tokens
from analysis.ingest.checks import require_columns
from analysis.ingest.hashing import content_hashes
from analysis.ingest.roles import RoleMapping
from storage.errors import InputError
from storage.generations import GENERATIVE, NewGenerations
from storage.runs import NewRun

GENERATOR_COLUMNS = ("generator", "model", "model_name")


def generator_column(df: pl.DataFrame, roles: RoleMapping) -> str | None:
    """A ``generator`` (or ``model``) column holding one value: the run's name, not the prompts' data."""
    for column in GENERATOR_COLUMNS:
        if (
            column in df.columns
            and column not in roles.run_columns
            and df[column].drop_nulls().n_unique() == 1
        ):
            return column
    return None


def run_name(df: pl.DataFrame, roles: RoleMapping, path: Path, given: str | None) -> str:
    """The run's name: ``given``, else the one value of a ``generator`` (or ``model``) column, else the
    file's stem."""
    if given:
        return given
    column = generator_column(df, roles)
    return str(df[column].drop_nulls()[0]) if column else path.stem


def _scores(df: pl.DataFrame, roles: RoleMapping, source: str) -> dict[str, NDArray[np.float64]]:
    scores = {}
    for column in roles.scores:
        values = df[column]
        if not values.dtype.is_numeric() and values.dtype != pl.Boolean:
            cast = values.cast(pl.Float64, strict=False)
            bad = cast.is_null() & values.is_not_null()
            if bad.any():
                rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy())[:5])
                examples = values.filter(bad).head(3).to_list()
                raise InputError(
                    f"{source}: score column '{column}' is not numeric (e.g. {examples} in data rows "
                    f"{rows}); a pass/fail column goes in --passed."
                )
            values = cast
        scores[column] = values.cast(pl.Float64).fill_null(np.nan).fill_nan(np.nan).to_numpy()
    return scores


def _verdicts(
    df: pl.DataFrame,
    roles: RoleMapping,
    responses: list[str],
    references: list[str | None] | None,
    scores: dict[str, NDArray[np.float64]],
    source: str,
) -> tuple[list[bool | None], str]:
    """Passed / failed / None per response, and the rule in words."""
    if roles.passed and roles.pass_if:
        raise InputError("Give either --passed (a pass/fail column) or --pass-if (a rule), not both.")
    if roles.passed:
        return read_passed(df[roles.passed], source), f"{roles.passed} is true"
    if roles.pass_if is None:
        return [None] * len(responses), ""
    rule = PassRule.parse(roles.pass_if)
    if rule.op == MATCH:
        if references is None:
            raise InputError(
                "--pass-if match compares each response with the reference answer: name the reference "
                "column with --reference."
            )
        verdicts: list[bool | None] = [
            None if ref is None else answer_matches(resp, ref)
            for resp, ref in zip(responses, references, strict=True)
        ]
        return verdicts, rule.describe(None)
    if not roles.scores:
        raise InputError(f"--pass-if '{roles.pass_if}' tests a score: name the score column with --score.")
    return rule.apply(scores[roles.scores[0]]), rule.describe(roles.scores[0])


def generative_run(
    df: pl.DataFrame,
    roles: RoleMapping,
    row_ids: NDArray[np.int64],
    references: list[str | None] | None,
    name: str,
    source: str,
) -> NewRun:
    """The run to write from the file's rows ``df`` (already matched: row ``i`` answers version row
    ``row_ids[i]``).

    Parameters
    ----------
    df : polars.DataFrame
        m rows holding the response, score and pass/fail columns named by ``roles``.
    roles : RoleMapping
    row_ids : numpy.ndarray
        int64 (m,): the version row each file row answers.
    references : list of str or None
        The reference answer of each of the m rows (None: no reference column).
    name : str
        The run's name (the generator).
    source : str
        The file, for messages.

    Returns
    -------
    storage.runs.NewRun
        ``kind="generative"`` with its :class:`~storage.generations.NewGenerations`; ``details`` record
        the columns and the pass rule.

    Raises
    ------
    InputError
        For a missing column, a non-numeric score, a pass/fail column with other values, or a rule
        that cannot be read or needs a column not given.
    """
    require_columns(df, roles.run_columns, source)
    responses = df[str(roles.response)].cast(pl.String).fill_null("").to_list()
    scores = _scores(df, roles, source)
    passed, rule = _verdicts(df, roles, responses, references, scores, source)
    generations = NewGenerations(
        row_ids=np.asarray(row_ids, dtype=np.int64),
        responses=responses,
        response_hashes=content_hashes(responses),
        response_tokens=count_tokens(responses),
        passed=passed,
        scores=scores,
    )
    details = {
        "response": roles.response,
        "scores": list(roles.scores),
        "pass_rule": rule,
        "passed_column": roles.passed,
        "answered": len(responses),
    }
    return NewRun(
        name=name,
        label_names=[],
        source_path=source,
        predicted=[],
        kind=GENERATIVE,
        details=details,
        generations=generations,
    )


def match_rows(
    df: pl.DataFrame, version_rows: pl.DataFrame, roles: RoleMapping, id_role: str | None, source: str
) -> NDArray[np.int64]:
    """The version row each file row answers: by id when the version has ids and the file the same
    column, else by the prompt's content hash.

    Parameters
    ----------
    df : polars.DataFrame
        The run's file.
    version_rows : polars.DataFrame
        The version's ``_row_id``, ``_row_key`` and ``_content_hash``.
    roles : RoleMapping
        ``roles.id`` or ``roles.text`` (the prompt) name the file's matching column.
    id_role : str or None
        The version's id column.

    Returns
    -------
    numpy.ndarray
        int64 (m,) version row ids.

    Raises
    ------
    InputError
        Without a column to match on, when the file repeats a key, when prompts repeat in the version
        (matching by prompt), or when a row of the file matches no row of the version.
    """
    id_column = roles.id or (id_role if id_role and id_role in df.columns else None)
    if id_column and id_role:
        require_columns(df, [id_column], source)
        keys, version_keys, how = df[id_column].cast(pl.String), version_rows["_row_key"], f"id '{id_column}'"
    elif roles.text:
        require_columns(df, [roles.text], source)
        keys = pl.Series(content_hashes(df[roles.text].cast(pl.String).fill_null("").to_list()))
        version_keys, how = version_rows["_content_hash"], f"prompt '{roles.text}'"
        if version_keys.is_duplicated().any():
            raise InputError(
                f"Some prompts appear more than once in the version, so responses cannot be matched by "
                f"prompt; match them by id with --id (the version's id column is {id_role or 'not set'})."
            )
    else:
        raise InputError(
            f"{source}: say how the responses match the version's prompts: --id COLUMN (ids) or --prompt "
            "COLUMN (the same prompt texts)."
        )
    repeated = keys.filter(keys.is_duplicated()).unique()
    if repeated.len():
        raise InputError(
            f"{source}: {how} repeats {repeated.len()} key(s), e.g. {repeated.head(3).to_list()}."
        )
    lookup = dict(zip(version_keys.to_list(), version_rows["_row_id"].to_list(), strict=True))
    found = [lookup.get(k) for k in keys.to_list()]
    missing = [i for i, f in enumerate(found) if f is None]
    if missing:
        rows = ", ".join(str(i + 1) for i in missing[:5])
        raise InputError(
            f"{source}: {len(missing)} row(s) match no prompt of the version by {how} (data rows {rows}). "
            "Import them with their prompts as a new version (--version-of), or fix the ids."
        )
    return np.asarray(found, dtype=np.int64)
