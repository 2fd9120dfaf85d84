"""Versions and diffs on real data: CLINC150 variants, corrections, repeated keys, embedding reuse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.pipeline.runner import run_pipeline
from analysis.versions.diff import diff_versions
from analysis.versions.relabel import create_corrected_version
from app.cli import main
from storage.errors import InputError
from storage.project import Project
from tests.conftest import edited_banking_versions


@pytest.fixture(scope="module")
def clinc_versions(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """CLINC150 train + oos_train as four versions: full, small, imbalanced, oos_plus."""
    folder = tmp_path_factory.mktemp("versions")
    path = folder / "clinc.strata"
    with Project.create(path) as project:
        for i, variant in enumerate(("full", "small", "imbalanced", "oos_plus")):
            data = json.loads((data_dir / "clinc150" / f"data_{variant}.json").read_text())
            rows = [(t, y, split) for split in ("train", "oos_train") for t, y in data[split]]
            pl.DataFrame(rows, schema=["text", "intent", "split"], orient="row").write_ndjson(
                folder / f"{variant}.jsonl"
            )
            roles = RoleMapping(text="text", label="intent", split="split")
            import_dataset(
                project,
                folder / f"{variant}.jsonl",
                roles,
                name="clinc" if i == 0 else None,
                version_of=None if i == 0 else "clinc",
            )
    return path


@pytest.mark.parametrize(("variant", "added", "removed"), [(2, 0, 7500), (3, 0, 4475), (4, 151, 1)])
def test_clinc150_variants_have_known_diffs(
    clinc_versions: Path, variant: int, added: int, removed: int
) -> None:
    with Project.open(clinc_versions) as project:
        diff = diff_versions(project, 1, variant)
    # checked by hand: no text repeats within train + oos_train of any variant, so keys are unique
    assert (diff.added, diff.removed, diff.changed) == (added, removed, 0)
    assert diff.unchanged == 15_100 - removed
    assert diff.repeated_keys == {"from": 0, "to": 0} and diff.match_by == "text hash"
    assert diff.schema == {"added": [], "removed": [], "retyped": []}


def test_diff_command(clinc_versions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(clinc_versions), "--from", "clinc:1", "--to", "clinc:4", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["removed"]) == (151, 1)
    assert main(["diff", str(clinc_versions), "--from", "clinc:1", "--to", "clinc:9"]) == 2
    assert "no dataset or version 'clinc:9'" in capsys.readouterr().err
    with Project.open(clinc_versions) as project, pytest.raises(InputError, match="--version-of 'clinc'"):
        import_dataset(project, clinc_versions.parent / "small.jsonl", RoleMapping(text="text"), name="clinc")


def test_corrections_show_as_label_changes_and_prediction_flips(
    sample_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(sample_project) as project:
        from storage.runs import read_predictions
        from storage.versions import read_rows

        rows = read_rows(project, 1, ["label"])
        predicted = read_predictions(project, 1)["predicted"].to_list()
        wrong = [i for i, (g, p) in enumerate(zip(rows["label"], predicted, strict=True)) if g != p][:20]
        corrections = {i: predicted[i] for i in wrong}  # relabel 20 rows to what the model said
        new = create_corrected_version(project, 1, corrections, note="20 rows relabelled as predicted")
        diff = diff_versions(project, 1, new)
    assert main(["info", str(sample_project)]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("- ")]
    assert len(listed) == 2 and listed[1].endswith("— 20 rows relabelled as predicted")
    assert all("imported 20" in line and "source SHA-256" in line for line in listed)
    assert diff.schema["added"] == ["label_corrected"] and diff.added == diff.removed == 0
    assert int(diff.label_changes["rows"].sum()) == 20
    assert diff.changed == 20 and diff.changed_columns == {"label → label_corrected": 20}
    assert sorted(diff.changed_cells["new"].to_list()) == sorted(corrections.values())
    p = diff.predictions
    assert p is not None and p["wrong_to_right"] == 20 and p["right_to_wrong"] == 0
    assert p["difference"] == pytest.approx(20 / 3080) and p["difference_ci"][0] > 0


def test_repeated_keys_are_reported_and_never_matched_twice(tmp_path: Path) -> None:
    pl.DataFrame(
        {"id": ["a", "a", "b", "c"], "text": ["x", "y", "z", "w"], "label": ["p", "q", "p", "q"]}
    ).write_csv(tmp_path / "v1.csv")
    pl.DataFrame(
        {
            "id": ["a", "b", "c", "c", "d"],
            "text": ["x", "z", "w", "w2", "v"],
            "label": ["p", "p", "r", "q", "p"],
        }
    ).write_csv(tmp_path / "v2.csv")
    with Project.create(tmp_path / "p.strata") as project:
        # ids must be unique at import, so the repeats come from text-hash keys here
        import_dataset(project, tmp_path / "v1.csv", RoleMapping(text="label"), name="d")
        import_dataset(project, tmp_path / "v2.csv", RoleMapping(text="label"), version_of="d")
        diff = diff_versions(project, 1, 2)
    # keys are hashes of labels: v1 p,q,p,q; v2 p,p,r,q,p → matched p×2, q×1; added r, p; removed q
    assert diff.repeated_keys == {"from": 4, "to": 3}
    assert diff.repeated_text().endswith("4 in the first version, 3 in the second")
    assert diff.schema_text() == "added: none; removed: none; retyped: none"
    assert (diff.added, diff.removed) == (2, 1)
    assert diff.unchanged + diff.changed == 3
    assert set(diff.changed_columns) <= {"id", "text"} and diff.changed_cells.height >= 1


def test_a_new_version_embeds_only_new_texts(tmp_path: Path, banking_small: Path) -> None:
    path, v2, edited = edited_banking_versions(tmp_path, banking_small, " (edited)", ("embed",))
    with Project.open(path) as project:
        report = run_pipeline(project, v2, stages=("embed",))[0]
        diff = diff_versions(project, 1, v2)
    unique_new = edited.head(50)["text"].n_unique()
    assert report.detail.startswith(f"{unique_new} texts embedded")
    assert diff.changed == 50 and diff.changed_columns == {"text": 50} and diff.match_by == "id"
    assert np.all(diff.changed_cells["new"].str.ends_with(" (edited)").to_numpy())


def test_cluster_matching_by_member_overlap() -> None:
    from analysis.versions.diff import match_clusters

    before = {"cards": {"a", "b", "c", "d"}, "fees": {"e", "f"}, "pins": {"g", "h"}}
    after = {"cards v2": {"a", "b", "c"}, "fees v2": {"e", "f", "x", "y"}, "refunds": {"z", "w"}}
    result = match_clusters(before, after)
    assert [m[:2] for m in result["matched"]] == [("cards", "cards v2"), ("fees", "fees v2")]
    assert [m[0] for m in result["changed"]] == ["fees"]  # 2 → 4 members
    assert result["vanished"] == ["pins"] and result["appeared"] == ["refunds"]


def test_a_relabelled_version_keeps_its_clusters(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        new = create_corrected_version(project, 1, {0: "card_arrival"})
        reports = run_pipeline(project, new, stages=("cluster",))
        diff = diff_versions(project, 1, new)
        from storage.stage_outputs import read_coords

        same_map = np.array_equal(read_coords(project, 1), read_coords(project, new))
    assert reports[0].detail.startswith("0 texts embedded")  # same texts: every vector reused
    # and the map is the one the user knows, not a fresh UMAP run
    projected = next(r for r in reports if r.stage == "project")
    assert projected.detail == "umap (the map of version 1: same texts)" and same_map
    clusters = diff.clusters
    assert clusters is not None and clusters["vanished"] == [] and clusters["appeared"] == []
    assert all(m[2] == 1.0 for m in clusters["matched"]) and len(clusters["matched"]) > 30


def test_rows_match_exactly_even_when_hashes_collide(
    banking_small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.versions.diff as diff_module

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_row_index("_row_id").with_columns(_row_key=pl.col("id"))

    a = keyed(pl.read_csv(banking_small))
    # b: 40 rows removed, 25 relabelled, 10 repeated (a key seen twice), rows in another order
    b = pl.concat([a.slice(40), a.slice(100, 10)]).with_columns(
        category=pl.when(pl.col("id").is_in(a["id"].slice(200, 25).implode()))
        .then(pl.lit("relabelled"))
        .otherwise(pl.col("category"))
    )
    b = keyed(b.drop("_row_id", "_row_key").sample(fraction=1.0, shuffle=True, seed=3))
    types = {"id": "String", "text": "String", "category": "String"}

    def summary() -> dict[str, object]:
        diff, matched = diff_module.diff_frames(a, b, types, types, "category", "category")
        return diff.summary() | {"pairs": sorted(zip(matched["_row_id"], matched["_row_id_to"], strict=True))}

    exact = summary()
    assert (exact["added"], exact["removed"], exact["changed"]) == (10, 40, 25)
    assert exact["repeated_keys"] == {"from": 0, "to": 20}
    # a 2-bit hash makes nearly every pair of keys collide: the diff must not change
    monkeypatch.setattr(diff_module, "_hash", lambda frame: frame.hash_rows() % 4)
    assert summary() == exact
