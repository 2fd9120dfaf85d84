"""Screenshots of the contamination view and the gold-set panel on real data (not bundled).

Run from the repository root: ``.venv/bin/python docs/make_gold_screens.py``; writes
``docs/contamination.png`` (GSM8K: 600 training problems with 100 copies and light edits of test
problems planted, checked against 300 test problems; embeds about 1,000 texts) and
``docs/gold-sets.png`` (the bundled BANKING77 sample with its model run: the card intents marked
gold, a second version relabelling three of their rows).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def contamination(folder: Path) -> None:
    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.labeling.contamination_check import check_contamination, tag_contamination
    from analysis.pipeline.runner import run_pipeline
    from analysis.slices.row_sets import resolve_row_set
    from storage.project import Project
    from tests.analysis.labeling.gsm8k_plants import planted_files
    from widgets.contamination_view import ContaminationView, summary

    test_path, train_path, _ = planted_files(folder)
    with Project.create(folder / "gsm8k.strata") as project:
        roles = RoleMapping(id="id", text="question")
        import_dataset(project, test_path, roles, name="gsm8k_test")
        import_dataset(project, train_path, roles, name="gsm8k_train")
        for version in (1, 2):
            run_pipeline(project, version, stages=("embed",))
        result = check_contamination(
            project, resolve_row_set(project, "gsm8k_train"), resolve_row_set(project, "gsm8k_test")
        )
        tag_contamination(project, result)
    view = ContaminationView()
    view.set_choices(["gsm8k_test:1"])
    view.resize(1366, 460)
    view.show()
    view.show_pairs(result.pairs, summary(result.pairs, "gsm8k_train:1"))
    view.select_pair(int((result.pairs["kind"] == "exact").sum()) + 2)  # a near copy
    view.grab().save(str(ROOT / "docs" / "contamination.png"))


def gold(folder: Path) -> None:
    import polars as pl

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.labeling.gold_changes import mark_gold_set
    from analysis.labeling.gold_report import gold_report
    from analysis.slices.row_sets import resolve_row_set
    from resources import SAMPLE_DATA, SAMPLE_OUTPUTS
    from storage.project import Project
    from widgets.gold_view import GoldView

    roles = RoleMapping(id="id", text="text", label="label", pred="predicted", proba_prefix="prob_")
    with Project.create(folder / "bank.strata") as project:
        import_dataset(project, SAMPLE_DATA, roles, name="banking77-test", outputs_path=SAMPLE_OUTPUTS)
        cards = resolve_row_set(project, "banking77-test", where="label LIKE 'card%'")
        mark_gold_set(project, "card intents", cards, note="read by two people")
        edited = pl.read_csv(SAMPLE_DATA)
        keys = cards.rows["_row_key"][:3].to_list()
        edited = edited.with_columns(
            label=pl.when(pl.col("id").cast(pl.String).is_in(keys))
            .then(pl.lit("Refund_not_showing_up"))
            .otherwise("label")
        )
        edited.write_csv(folder / "v2.csv")
        import_dataset(
            project,
            folder / "v2.csv",
            RoleMapping(id="id", text="text", label="label"),
            version_of="banking77-test",
        )
        report = gold_report(project, "card intents")
    view = GoldView()
    view.set_gold_sets(["card intents"])
    view.resize(1366, 420)
    view.show()
    view.show_report(report)
    view.grab().save(str(ROOT / "docs" / "gold-sets.png"))


def main() -> None:
    from app.gui import ensure_app

    ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        contamination(Path(tmp))
        gold(Path(tmp))


if __name__ == "__main__":
    main()
