"""PII scan: personal data in a version's text columns, found by documented patterns.

Kinds and how each is found (a match must pass its check, which keeps false alarms down):

- ``email``: ``local@domain.tld`` (the HTML living standard's e-mail pattern, with a dotted domain).
- ``phone``: libphonenumber's matcher (the ``phonenumbers`` package, Google's rules per country),
  leniency STRICT_GROUPING (digits grouped as the country writes them: no dates, times or
  coordinates); numbers in international form (+CC…) anywhere, national ones by ``region``.
- ``iban``: a country code, two check digits and 11–30 letters or digits (spaces allowed), valid by the
  ISO 13616 mod-97 check.
- ``card``: 13–19 digits (spaces or dashes between groups) that pass the Luhn check (ISO/IEC 7812).
- ``ip``: IPv4 dotted quads and IPv6 addresses that Python's ``ipaddress`` accepts.

Microsoft Presidio would add named-entity recognisers (names, places), but it needs a spaCy language
model that is not on PyPI, so it cannot be installed offline here; these five pattern recognisers are
the ones of Presidio's that need no model, re-stated with their checks.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

KINDS = ("email", "phone", "iban", "card", "ip")
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
DIGITS = re.compile(r"\d")
HEX = re.compile(r"[0-9A-Fa-f]")
PLACEHOLDER = {kind: f"[{kind.upper()}]" for kind in KINDS}


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a digit string (payment card numbers, ISO/IEC 7812)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces ignored)."""
    s = text.replace(" ", "")
    moved = s[4:] + s[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _ip(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def find_pii(text: str, region: str = "US") -> list[tuple[str, int, int]]:
    """Every PII match in a text.

    Returns
    -------
    list of (kind, start, end)
        Character offsets, in order of start; overlapping matches keep the first found by
        :data:`KINDS` order.
    """
    found: list[tuple[str, int, int]] = [("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    if len(DIGITS.findall(text)) >= 7:
        import phonenumbers

        for m in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.STRICT_GROUPING
        ):
            found.append(("phone", m.start, m.end))
        found += [("iban", m.start(), m.end()) for m in IBAN.finditer(text) if iban_valid(m.group())]
        found += [
            ("card", m.start(), m.end())
            for m in CARD.finditer(text)
            if luhn_valid(re.sub(r"\D", "", m.group()))
        ]
        found += [("ip", m.start(), m.end()) for m in IPV4.finditer(text) if _ip(m.group())]
    if text.count(":") >= 2:
        found += [
            ("ip", m.start(), m.end())
            for m in IPV6.finditer(text)
            if len(HEX.findall(m.group())) >= 4 and _ip(m.group())  # not "::" in prose
        ]
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((kind, start, end))
    return sorted(kept, key=lambda k: k[1])


def redact_text(text: str, region: str = "US") -> str:
    """The text with each PII match replaced by its placeholder (``[EMAIL]``, ``[PHONE]``, …)."""
    out, last = [], 0
    for kind, start, end in find_pii(text, region):
        out += [text[last:start], PLACEHOLDER[kind]]
        last = end
    return "".join(out) + text[last:]


@dataclass
class PiiScanResult:
    """What the scan found: counts per column and kind, and per row the kinds found."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    row_kinds: dict[int, set[str]] = field(default_factory=dict)

    @property
    def rows(self) -> NDArray[np.int64]:
        """Row positions holding any PII, ascending."""
        return np.array(sorted(self.row_kinds), dtype=np.int64)


def maybe_pii(values: pl.Series) -> pl.Series:
    """Values that may hold PII (an '@', seven digits or two ':'), found in polars: most values have
    none, and only these go through the Python matchers."""
    text = values.cast(pl.String)
    return (
        text.str.contains("@", literal=True)
        | text.str.count_matches(r"\d").ge(7)
        | text.str.count_matches(":", literal=True).ge(2)
    ).fill_null(False)


def redact_column(values: pl.Series, region: str = "US") -> pl.Series:
    """A string column with every PII match replaced by its placeholder (:func:`redact_text`)."""
    text = values.cast(pl.String)
    positions = np.flatnonzero(maybe_pii(text).to_numpy())
    if not positions.size:
        return text
    replaced = text.to_list()
    for row in positions.tolist():
        replaced[row] = redact_text(replaced[row], region)
    return pl.Series(values.name, replaced, dtype=pl.String)


def scan_frame(frame: pl.DataFrame, columns: list[str] | None = None, region: str = "US") -> PiiScanResult:
    """Scan the text columns of a frame.

    Parameters
    ----------
    frame : polars.DataFrame
    columns : list of str, optional
        Columns to scan (default: every string column not starting with ``_``).
    region : str
        ISO 3166 country whose national phone numbers are recognised (international ones always are).

    Returns
    -------
    PiiScanResult
        ``counts[column][kind]`` = values of that column holding that kind (columns with none absent).
    """
    result = PiiScanResult()
    wanted = columns or [c for c, t in frame.schema.items() if t == pl.String and not c.startswith("_")]
    for column in wanted:
        values = frame[column].cast(pl.String)
        # most values hold no '@', no 7 digits and no two ':' — skipped in polars, not in Python
        maybe = (
            values.str.contains("@")
            | values.str.count_matches(r"\d").ge(7)
            | values.str.count_matches(":").ge(2)
        )
        positions = np.flatnonzero(maybe.fill_null(False).to_numpy())
        per_kind: dict[str, int] = {}
        for row in positions.tolist():
            kinds = {kind for kind, _, _ in find_pii(values[row], region)}
            for kind in kinds:
                per_kind[kind] = per_kind.get(kind, 0) + 1
            if kinds:
                result.row_kinds.setdefault(row, set()).update(kinds)
        if per_kind:
            result.counts[column] = dict(sorted(per_kind.items()))
    return result
