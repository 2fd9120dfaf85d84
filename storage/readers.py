"""Readers for the input formats: CSV, TSV, Parquet, JSON Lines, JSON and Arrow IPC (Feather).

Text formats are decoded here, not by polars, so that a wrong encoding is reported with the line and
byte where decoding failed instead of as a generic parse error.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from pathlib import Path

import polars as pl

from storage.errors import InputError

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".arrow": "ipc",
    ".feather": "ipc",
    ".ipc": "ipc",
}
TEXT_FORMATS = {"csv", "tsv", "jsonl", "json"}
# Byte-order marks, longest first (UTF-32's LE mark starts with UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Signatures of binary files that are sometimes given a text extension.
MAGIC = {
    b"PAR1": "a Parquet file (rename it to .parquet)",
    b"ARROW1": "an Arrow file (rename it to .arrow)",
    b"SQLite format 3": "an SQLite database",
    b"PK\x03\x04": "a ZIP archive (unpack it first)",
    b"\x1f\x8b": "a gzip archive (unpack it first)",
    b"%PDF": "a PDF document",
}


def detect_format(path: Path) -> str:
    """Return the format name for ``path`` from its suffix.

    Raises
    ------
    InputError
        When the suffix is not one Strata reads.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unknown file type '{path.suffix}'. Strata reads {known}.")
    return fmt


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_text(path: Path, raw: bytes) -> str | None:
    """The encoding a byte-order mark names (None without one); InputError for binary data."""
    for bom, name in BOMS:
        if raw.startswith(bom):
            return name
    for magic, what in MAGIC.items():
        if raw.startswith(magic):
            raise InputError(f"{path}: this is not a text file: it is {what}.")
    if b"\x00" in raw[:65536]:
        raise InputError(
            f"{path}: this is not a text file (it holds binary data). Choose the CSV, TSV or JSON file "
            "itself, or a Parquet / Arrow file with its own extension."
        )
    return None


def _decoded_utf8(path: Path, raw: bytes, encoding: str) -> bytes:
    """Return ``raw`` as UTF-8 bytes, or raise an InputError naming the line of the first bad byte.

    A byte-order mark (UTF-8, UTF-16, UTF-32) decides the encoding over ``encoding``; data that is
    not text at all is named as such rather than as a wrong encoding.
    """
    encoding = _check_text(path, raw) or encoding
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 4].hex(" ")
        raise InputError(
            f"{path}: line {line} (byte {err.start}) is not valid {encoding}: bytes {bad}. "
            "The file is in another encoding; import it again with --encoding "
            "(for example --encoding cp1252 or --encoding latin-1)."
        ) from None
    except LookupError:
        raise InputError(
            f"Unknown encoding '{encoding}'; use a Python codec name such as utf-8 or cp1252."
        ) from None
    if text.startswith("\ufeff"):
        return text[1:].encode()
    return raw if codecs.lookup(encoding).name == "utf-8" else text.encode()


def _csv_header(data: bytes, separator: str) -> list[str]:
    """The header's column names by the CSV rules (RFC 4180).

    polars keeps the doubled quotes of a quoted name (a header field ``\"\"\"q\"\"\"`` reads as
    ``\"\"q\"\"``, not ``\"q\"``), so a name with quotes would gain quotes at each export and
    re-import; Python's csv module reads it as written.

    A name the header repeats is read as pandas reads it: the second ``name`` becomes ``name.1``, the
    third ``name.2`` (ConvAbuse's split files name three columns ``Annotator6_transphobic``, a typo for
    annotators 7 and 8); polars would otherwise refuse the file with a message about its schema.
    """
    first = data[: 1 << 20].decode("utf-8", errors="replace")
    names = next(csv.reader(io.StringIO(first), delimiter=separator), [])
    taken, out = set(names), []
    used: set[str] = set()
    for name in names:
        candidate, count = name, 0
        while candidate in used or (count and candidate in taken):  # "x.1" may be a column of its own
            count += 1
            candidate = f"{name}.{count}"
        used.add(candidate)
        out.append(candidate)
    return out


def _bad_json_line(path: Path, data: bytes) -> InputError | None:
    """An InputError naming the first line of a JSON Lines file that is not one JSON object."""
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            return InputError(
                f"{path}: line {number} is not valid JSON ({err.msg} at column {err.colno}): "
                f"{line[:80]!r}. Fix or remove that line and import again."
            )
        if not isinstance(value, dict):
            return InputError(
                f"{path}: line {number} is not a JSON object ({{...}}); each line must be one record."
            )
    return None


def read_table(path: str | Path, *, encoding: str = "utf-8", n_rows: int | None = None) -> pl.DataFrame:
    """Read a data file into a polars DataFrame.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV, TSV, Parquet, JSON Lines, JSON (array of records) or Arrow IPC / Feather file.
    encoding : str, default "utf-8"
        Encoding of text formats; ignored for binary formats.
    n_rows : int, optional
        Read only the first rows (for previews).

    Returns
    -------
    polars.DataFrame
        The file's columns with their inferred types.

    Raises
    ------
    InputError
        When the file is missing, empty, undecodable in ``encoding``, malformed, or has no rows.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file.")
    fmt = detect_format(p)
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty. Choose a file with a header and at least one row.")
    try:
        if fmt in TEXT_FORMATS:
            decoded = _decoded_utf8(p, p.read_bytes(), encoding)
            data = io.BytesIO(decoded)
            if fmt in {"csv", "tsv"}:
                separator = "\t" if fmt == "tsv" else ","
                header = _csv_header(decoded, separator)
                df = pl.read_csv(
                    data,
                    separator=separator,
                    infer_schema_length=10_000,
                    n_rows=n_rows,
                    new_columns=header or None,
                )
            elif fmt == "jsonl":
                try:
                    df = pl.read_ndjson(data, n_rows=n_rows, infer_schema_length=10_000)
                except pl.exceptions.PolarsError:
                    raise _bad_json_line(p, decoded) or InputError(
                        f"{p}: cannot be read as JSON Lines; each line must be one JSON object."
                    ) from None
            else:
                df = pl.read_json(data, infer_schema_length=10_000)
        elif fmt == "parquet":
            df = pl.read_parquet(p, n_rows=n_rows)
        else:
            df = pl.read_ipc(p, n_rows=n_rows)
    except InputError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{p}: cannot be read as {fmt.upper()}: {first}") from None
    if df.width == 0 or df.height == 0:
        raise InputError(f"{p}: the file has no data rows. Choose a file with at least one row.")
    return df
