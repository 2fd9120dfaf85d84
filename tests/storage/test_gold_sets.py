"""Gold sets in the project file: migration 0008, frozen rows, changes only through approvals with a
note (before and after recorded, audit-logged), and the rule tags a rerun check replaces."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from alembic import command
from sqlalchemy import text

from storage.errors import InputError
from storage.gold_approvals import approve_change, read_approvals
from storage.gold_sets import (
    GOLD_ROW_SCHEMA,
    create_gold_set,
    get_gold_set,
    list_gold_sets,
    read_gold_rows,
)
from storage.project import Project, _alembic_config
from storage.rule_tags import replace_rule_tags
from storage.tags import apply_tag, create_tag, read_row_tags
from storage.versions import NewVersion, add_version


def _version(project: Project, name: str = "d") -> int:
    rows = pl.DataFrame(
        {
            "_row_id": [0, 1, 2],
            "_row_key": ["a", "b", "c"],
            "_content_hash": ["h0", "h1", "h2"],
            "t": ["x"] * 3,
        }
    )
    new = NewVersion(name, False, rows, {"t": "String"}, {"label": "t"}, [], "f.csv", "0" * 64)
    return add_version(project, new)[0].version_id


def _gold(keys: list[str], hashes: list[str], labels: list[str | None], version: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"row_key": keys, "content_hash": hashes, "label": labels, "version_id": [version] * len(keys)},
        schema=GOLD_ROW_SCHEMA,
    )


def _audit(project: Project, action: str) -> list[dict[str, object]]:
    with project.engine.connect() as conn:
        found = conn.execute(
            text("SELECT detail FROM audit_log WHERE action = :a ORDER BY id"), {"a": action}
        )
        return [json.loads(d) if isinstance(d, str) else d for (d,) in found]


def test_gold_set_round_trip_and_changes_only_by_approval(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project)
        rows = _gold(["a", "b"], ["h0", "h1"], ["x", None], version)
        made = create_gold_set(project, "eval", version, rows, label_column="t", note="checked by hand")
        assert (made.name, made.dataset, made.version_number, made.rows, made.revision) == (
            "eval",
            "d",
            1,
            2,
            0,
        )
        assert made.source == "d:1" and made.note == "checked by hand" and made.author
        assert read_gold_rows(project, made.gold_id).to_dicts() == rows.to_dicts()
        assert [g.name for g in list_gold_sets(project)] == ["eval"]
        assert get_gold_set(project, made.gold_id) == get_gold_set(project, "eval")
        assert _audit(project, "gold_mark")[0]["rows"] == 2

        with pytest.raises(InputError, match="note"):
            approve_change(
                project, made.gold_id, "relabel", "  ", upserts=_gold(["a"], ["h0"], ["y"], version)
            )
        with pytest.raises(InputError, match="Nothing to change"):
            approve_change(
                project, made.gold_id, "relabel", "same", upserts=_gold(["a"], ["h0"], ["x"], version)
            )
        with pytest.raises(InputError, match="no row 'z' to remove"):
            approve_change(project, made.gold_id, "remove", "gone", removals=["z"])
        with pytest.raises(InputError, match="empty"):
            approve_change(project, made.gold_id, "remove", "all", removals=["a", "b"])
        assert read_approvals(project, made.gold_id) == [] and get_gold_set(project, "eval").revision == 0

        approval = approve_change(
            project,
            made.gold_id,
            "accept",
            "row b relabelled and row c added after review",
            upserts=_gold(["b", "c"], ["h1", "h2"], ["y", "z"], version),
            version_id=version,
        )
        assert approval.changes == [
            {
                "row_key": "b",
                "before": {"content_hash": "h1", "label": None, "version_id": version},
                "after": {"content_hash": "h1", "label": "y", "version_id": version},
            },
            {
                "row_key": "c",
                "before": None,
                "after": {"content_hash": "h2", "label": "z", "version_id": version},
            },
        ]
        approve_change(project, made.gold_id, "remove", "a is ambiguous", removals=["a"])
        now = get_gold_set(project, "eval")
        assert (now.rows, now.revision) == (2, 2)
        assert read_gold_rows(project, made.gold_id)["label"].to_list() == ["y", "z"]
        history = read_approvals(project, made.gold_id)
        assert [(a.action, a.note, len(a.changes)) for a in history] == [
            ("accept", "row b relabelled and row c added after review", 2),
            ("remove", "a is ambiguous", 1),
        ]
        assert [d["action"] for d in _audit(project, "gold_approve")] == ["accept", "remove"]
        assert _audit(project, "gold_approve")[1]["note"] == "a is ambiguous"


def test_gold_set_refusals(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project)
        rows = _gold(["a"], ["h0"], ["x"], version)
        create_gold_set(project, "eval", version, rows, label_column="t")
        with pytest.raises(InputError, match="already exists"):
            create_gold_set(project, "eval", version, rows, label_column="t")
        with pytest.raises(InputError, match="no rows"):
            create_gold_set(project, "other", version, rows.head(0), label_column="t")
        with pytest.raises(InputError, match="each row key once"):
            create_gold_set(project, "other", version, pl.concat([rows, rows]), label_column="t")
        with pytest.raises(InputError, match="No gold set 'nope'; gold sets: eval"):
            get_gold_set(project, "nope")


def test_migration_0008_downgrades_and_upgrades(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project)
        create_gold_set(project, "eval", version, _gold(["a"], ["h0"], ["x"], version), label_column="t")
        command.downgrade(_alembic_config(project.engine), "0007")
        with project.engine.connect() as conn:
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not tables & {"gold_set", "gold_row", "gold_approval"}
        command.upgrade(_alembic_config(project.engine), "head")
        assert list_gold_sets(project) == []


def test_rule_tags_of_one_scope_are_replaced_and_others_kept(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.strata") as project:
        version = _version(project)
        create_tag(project, "contaminated", kind="curation")
        apply_tag(project, version, "contaminated", [2], note="a person's tag")
        style = {"colour": "#843c39", "description": "copies of evaluation rows"}
        replace_rule_tags(
            project, version, "contaminated", "gold:a", [0, 1], [1.0, 0.9], [{"kind": "exact"}] * 2, **style
        )
        replace_rule_tags(
            project, version, "contaminated", "test:1", [1], [0.97], [{"kind": "near"}], **style
        )
        replace_rule_tags(
            project, version, "contaminated", "gold:a", [0], [1.0], [{"kind": "exact"}], **style
        )
        tags = read_row_tags(project, version).sort("row_id", "source")
        assert tags.select("row_id", "source").rows() == [(0, "rule"), (1, "rule"), (2, "human")]
        details = [json.loads(d) for d in tags["detail"].drop_nulls()]
        assert details == [{"kind": "exact", "scope": "gold:a"}, {"kind": "near", "scope": "test:1"}]
        assert replace_rule_tags(project, version, "contaminated", "gold:a", [], [], [], **style) == 0
        assert read_row_tags(project, version)["row_id"].sort().to_list() == [1, 2]
        with pytest.raises(InputError, match="as many"):
            replace_rule_tags(project, version, "contaminated", "x", [0], [], [], **style)
