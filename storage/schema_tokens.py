"""The ``tokens`` stage's output table (migration 0012)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema_base import Base


class TokenCounts(Base):
    """Each row's text length in tokens (int32, row order) under the ``tokens`` stage's key."""

    __tablename__ = "token_counts"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_result.id", ondelete="CASCADE"), unique=True)
    tokenizer: Mapped[str] = mapped_column(String)
    counts: Mapped[bytes] = mapped_column(LargeBinary)
