"""Errors a user can act on: each message says what is wrong and what to do."""

from __future__ import annotations


class StrataError(Exception):
    """Base of every error Strata reports to a user instead of a traceback."""


class ProjectError(StrataError):
    """The project file is missing, is not a Strata project, or is newer than this release."""


class InputError(StrataError):
    """An input file cannot be imported as given (format, encoding, columns, values)."""


class StageInputError(StrataError):
    """A pipeline stage lacks what it needs (e.g. a text column to embed)."""


class Cancelled(StrataError):
    """A job was cancelled by the user; nothing partial was kept except resumable chunks."""
