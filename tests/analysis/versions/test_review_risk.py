"""Risk-based review: label issues in an open high-risk failure mode come first in the review queue,
those only in a low-risk one last; a fixed failure mode no longer moves its rows."""

from __future__ import annotations

from pathlib import Path

from analysis.versions.review import ReviewQueue
from storage.backlog import set_failure_mode
from storage.project import Project
from storage.tags import apply_tag, create_tag


def test_the_queue_puts_high_risk_failure_modes_first(sample_project: Path) -> None:
    with Project.open(sample_project) as project:
        plain = [item.row_id for item in ReviewQueue.for_tag(project, 1).items]
        assert len(plain) >= 10
        weakest, strongest = plain[-3:], plain[:2]
        create_tag(project, "payments risk", kind="failure_mode")
        create_tag(project, "cosmetic", kind="failure_mode")
        apply_tag(project, 1, "payments risk", weakest)
        apply_tag(project, 1, "cosmetic", strongest)
        set_failure_mode(project, "payments risk", risk_level="high")
        set_failure_mode(project, "cosmetic", risk_level="low")
        ranked = [item.row_id for item in ReviewQueue.for_tag(project, 1).items]
        assert ranked[:3] == weakest  # by score within the high-risk group
        assert ranked[-2:] == strongest
        assert ranked[3:-2] == [r for r in plain if r not in weakest + strongest]
        set_failure_mode(project, "payments risk", status="fixed")
        set_failure_mode(project, "cosmetic", status="fixed")
        assert [item.row_id for item in ReviewQueue.for_tag(project, 1).items] == plain
