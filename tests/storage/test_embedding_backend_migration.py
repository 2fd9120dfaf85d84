"""Migration 0005: embedding sets record their backend; sets made before it are PyTorch's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.embeddings import ensure_set, find_set, load_vectors, stored_hashes, write_chunk
from storage.project import Project, _alembic_config, head_revision


def test_sets_before_0005_become_torch_sets_and_onnx_gets_its_own(tmp_path: Path) -> None:
    path = tmp_path / "old.strata"
    digest = bytes(range(16))
    with Project.create(path) as project:
        command.downgrade(_alembic_config(project.engine), "0004")
        with project.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO embedding_set (id, model, dimension, dtype, device, seconds, created_at) "
                    "VALUES (1, 'm', 2, 'float32', 'cpu', 1.5, '2026-01-01 00:00:00')"
                )
            )
            vector = np.array([1.0, 0.0], dtype=np.float32).tobytes()
            conn.execute(
                text("INSERT INTO embedding_chunk (set_id, count, hashes, vectors) VALUES (1, 1, :h, :v)"),
                {"h": digest, "v": vector},
            )
    with Project.open(path) as project:  # upgraded on open
        assert project.schema_revision() == head_revision()
        assert find_set(project, "m", "float32", "torch") == 1
        assert find_set(project, "m", "float32", "onnx") is None
        # The vectors made before the upgrade are still there (altering the set's table keeps its chunks).
        assert load_vectors(project, 1, [digest.hex()]).tolist() == [[1.0, 0.0]]
        onnx = ensure_set(project, "m", "float32", 2, "cpu", "onnx")
        assert onnx != 1 and ensure_set(project, "m", "float32", 2, "cpu", "onnx") == onnx
        write_chunk(project, onnx, [digest], np.array([[0.0, 1.0]], dtype=np.float32))
        assert stored_hashes(project, onnx) == stored_hashes(project, 1) == {digest}
        assert load_vectors(project, onnx, [digest.hex()]).tolist() == [[0.0, 1.0]]
        assert load_vectors(project, 1, [digest.hex()]).tolist() == [[1.0, 0.0]]
        with pytest.raises(IntegrityError), project.engine.begin() as conn:  # still one set per triple
            conn.execute(
                text(
                    "INSERT INTO embedding_set (model, dimension, dtype, device, seconds, created_at, "
                    "backend) VALUES ('m', 2, 'float32', 'cpu', 0, '2026-01-01 00:00:00', 'onnx')"
                )
            )
        # Going back keeps the PyTorch set and drops the set the old schema cannot tell apart.
        command.downgrade(_alembic_config(project.engine), "0004")
        with project.engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM embedding_set")).scalars().all() == [1]
            assert conn.execute(text("SELECT DISTINCT set_id FROM embedding_chunk")).scalars().all() == [1]
