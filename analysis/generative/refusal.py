"""Refusals: responses that open with a phrase of a documented, editable list."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from storage.errors import InputError

WINDOW = 300  # characters: a refusal opens the response; a long answer may quote "I cannot" later


def parse_phrases(text: str) -> tuple[str, ...]:
    """Phrases of a phrase file's text: one per line, ``#`` comments and blank lines skipped, lower
    case."""
    lines = (line.strip() for line in text.splitlines())
    return tuple(line.lower() for line in lines if line and not line.startswith("#"))


def default_phrases() -> tuple[str, ...]:
    """The shipped list (``analysis/generative/refusal_phrases.txt``)."""
    return parse_phrases(resources.files(__package__).joinpath("refusal_phrases.txt").read_text("utf-8"))


def read_phrases(path: str | Path) -> tuple[str, ...]:
    """A user's phrase file.

    Raises
    ------
    InputError
        When the file is missing, unreadable or lists no phrase.
    """
    try:
        phrases = parse_phrases(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"Cannot read the refusal phrases {path}: {err}.") from None
    if not phrases:
        raise InputError(f"{path} lists no refusal phrase (one per line; # starts a comment).")
    return phrases


def is_refusal(response: str, phrases: tuple[str, ...]) -> bool:
    """Whether one of ``phrases`` appears in the first 300 characters of ``response`` (case and curly
    apostrophes ignored)."""
    head = response[:WINDOW].lower().replace("\u2019", "'")
    return any(p in head for p in phrases)
