"""Screenshot of the drift view over time, on the airline tweets in ``../shared/data`` (not bundled).

Run from the repository root: ``.venv/bin/python docs/make_drift_over_time.py``; writes
``docs/drift-over-time.png``. Imports the tweets with their time, runs the pipeline (a few minutes on
two cores) and compares 17–19 February with 22–24 February 2015, per day.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtCore import QSettings

    from analysis.ingest.importer import import_dataset
    from analysis.ingest.roles import RoleMapping
    from analysis.pipeline.runner import run_pipeline
    from app.gui import ensure_app
    from app.main_window import MainWindow
    from storage.project import Project

    source = ROOT.parent / "shared" / "data" / "airline_tweets" / "Tweets.csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "airline.strata"
        # no id: tweet_id reads as a float with repeated values, so rows are keyed by their text
        roles = RoleMapping(
            text="text", label="airline_sentiment", time="tweet_created",
            group="airline", time_format="%d-%m-%Y %H.%M",
        )  # fmt: skip
        with Project.create(path) as project:
            version = import_dataset(project, source, roles, name="airline-tweets").version_id
            run_pipeline(project, version)
        app = ensure_app()
        window = MainWindow(
            settings=QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), sync_jobs=True
        )
        window.resize(1600, 1000)
        window.open_project(path)
        window.show()
        for dock in window.docks.values():
            dock.hide()
        window.centralWidget().setSizes([380, 620])
        view = window.versions.drift_view
        window.work_tabs.setCurrentWidget(view)
        view.ref_where.setText("EXTRACT(day FROM tweet_created) BETWEEN 17 AND 19")
        view.cur_where.setText("EXTRACT(day FROM tweet_created) BETWEEN 22 AND 24")
        view._run()
        view.show_column("airline_sentiment")
        view.map_button.click()
        app.processEvents()
        window.grab().save(str(ROOT / "docs" / "drift-over-time.png"))
        window.close()


if __name__ == "__main__":
    main()
