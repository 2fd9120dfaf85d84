"""Data contracts: the checks a dataset version must pass, declared in TOML (``docs/contract.md``).

The format follows the data-contract idea of Great Expectations' suites and Soda's checks — a named
threshold per expectation — kept to what Strata measures. Every section is optional; a contract with
none is refused, as a gate that checks nothing would pass anything.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.errors import InputError

COLUMN_TYPES = ("string", "integer", "float", "number", "boolean", "date", "datetime", "any")

# section → {key: type}; a value's type is checked when the contract is read
SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "schema": {"required": dict},
    "labels": {"allowed": list, "allowed_file": str, "min_rows_per_class": int},
    "nulls": {"max_share": (int, float), "columns": dict},
    "duplicates": {"max_exact_share": (int, float), "max_near_share": (int, float)},
    "leakage": {"max_rows": int},
    "label_issues": {"max_share": (int, float)},
    "drift": {"reference": str, "columns": list, "max_drifted_columns": int},
    "gold": {"set": str, "max_drop": (int, float), "min_accuracy": (int, float)},
    "contamination": {"max_rows": int},
    "governance": {"fail_when_stale": bool, "max_open_high_risk_failure_modes": int},
}


@dataclass(frozen=True)
class Contract:
    """A parsed data contract.

    Attributes
    ----------
    name : str
        What the contract is called in reports (default: the file's stem).
    sections : dict
        Section → its settings, as in the TOML file (validated; ``labels.allowed_file`` already read
        into ``labels.allowed``).
    path : str
        Where the contract was read from ("" for one built in code).
    """

    name: str
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str = ""

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """A setting, or ``default`` when the contract does not say."""
        return self.sections.get(section, {}).get(key, default)


def _share(section: str, key: str, value: Any) -> None:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "share" in key
        and not 0 <= value <= 1
    ):
        raise InputError(f"[{section}] {key} = {value} is not a share; give a number from 0 to 1.")


def _check_section(name: str, values: Any) -> dict[str, Any]:
    if name not in SECTIONS:
        raise InputError(f"Unknown contract section [{name}]; known: {', '.join(SECTIONS)}.")
    if not isinstance(values, dict):
        raise InputError(f"[{name}] should be a table of settings (key = value lines under it).")
    known = SECTIONS[name]
    for key, value in values.items():
        if key not in known:
            raise InputError(f"Unknown setting '{key}' in [{name}]; known: {', '.join(known)}.")
        expected = known[key]
        if isinstance(value, bool) and expected is not bool:
            raise InputError(f"[{name}] {key} should be a number or text, not true/false.")
        if not isinstance(value, expected):
            kinds = expected if isinstance(expected, tuple) else (expected,)
            raise InputError(
                f"[{name}] {key} = {value!r} should be {' or '.join(t.__name__ for t in kinds)}."
            )
        _share(name, key, value)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise InputError(f"[{name}] {key} = {value} should not be negative.")
    for column, kind in values.get("required", {}).items():
        if kind not in COLUMN_TYPES:
            raise InputError(
                f"[schema] required.{column} = {kind!r} is not a type; use one of {', '.join(COLUMN_TYPES)}."
            )
    for column, share in values.get("columns", {}).items() if name == "nulls" else ():
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
            raise InputError(f"[nulls] columns.{column} = {share!r} is not a share from 0 to 1.")
    return dict(values)


def parse_contract(
    data: dict[str, Any], name: str = "contract", path: str = "", base: Path | None = None
) -> Contract:
    """Validate a contract's TOML content.

    Parameters
    ----------
    data : dict
        The parsed TOML (``tomllib.loads``): an optional top-level ``name`` and the sections of
        :data:`SECTIONS`.
    base : pathlib.Path, optional
        The folder relative paths in the contract (``labels.allowed_file``) are read from.

    Raises
    ------
    InputError
        An unknown section or setting, a value of the wrong type, a share outside 0–1, an unknown
        column type, an unreadable ``allowed_file``, or a contract with no checks; the message says
        which and how to write it.
    """
    data = dict(data)
    title = data.pop("name", name)
    if not isinstance(title, str):
        raise InputError('The contract\'s name should be text: name = "…".')
    sections = {key: _check_section(key, value) for key, value in data.items()}
    if not sections:
        raise InputError(
            f"The contract {path or name} declares no checks; add a section such as [nulls] or [labels] "
            "(docs/contract.md lists them)."
        )
    labels = sections.get("labels", {})
    if "allowed_file" in labels:
        file = (base or Path.cwd()) / labels.pop("allowed_file")
        try:
            names = [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except OSError as err:
            raise InputError(f"[labels] allowed_file {file} cannot be read: {err.strerror}.") from None
        labels["allowed"] = list(labels.get("allowed", [])) + names
    return Contract(title, sections, path)


def read_contract(path: str | Path) -> Contract:
    """Read and validate a TOML data contract.

    Raises
    ------
    InputError
        The file is missing or not TOML (the message gives the line), or :func:`parse_contract` refuses
        its content.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"No contract file {file}; write one (docs/contract.md has an example).") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"The contract {file} cannot be read: {err}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"The contract {file} is not valid TOML: {err}.") from None
    return parse_contract(data, file.stem, str(file), file.parent)
