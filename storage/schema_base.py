"""The declarative base every table derives from (its own module, so the table modules do not import each
other)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every Strata table."""
