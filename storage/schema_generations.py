"""The tables of a generative run's outputs: its responses and its evaluator scores (migration 0011)."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema_base import Base


class Generation(Base):
    """One response of a ``generative`` run: its text, content hash, token count and pass verdict."""

    __tablename__ = "generation"
    run_id: Mapped[int] = mapped_column(ForeignKey("model_run.id", ondelete="CASCADE"), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response: Mapped[str] = mapped_column(Text)
    response_hash: Mapped[str] = mapped_column(String)
    response_tokens: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class GenerationScore(Base):
    """One evaluator score of one response (long format: a run may carry several scores)."""

    __tablename__ = "generation_score"
    run_id: Mapped[int] = mapped_column(ForeignKey("model_run.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String, primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
