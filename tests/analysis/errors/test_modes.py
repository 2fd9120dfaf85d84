"""Each error-mode detector alone, on small arrays whose answer is known."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl
import pytest

from analysis.errors.registry import REGISTRY
from analysis.errors.spec import ALL_MODES, TagSpec
from analysis.errors.tag_inputs import TagInputs
from storage.runs import Run


class SmallVersion:
    """The inputs a tag run reads, held in memory (the real ones read them from the project)."""

    def __init__(self, n: int, **data: Any) -> None:
        self.has_text = data.pop("has_text", True)
        roles = data.pop("roles", {"label": "label"})
        self.version = SimpleNamespace(rows=n, roles=roles)
        self.data = data

    def hashes(self) -> list[str]:
        return self.data.get("hashes", [f"{i:032x}" for i in range(self.version.rows)])

    def texts(self) -> list[str]:
        return self.data["texts"]

    def graph(self) -> tuple[np.ndarray, np.ndarray]:
        return self.data["indices"], self.data["distances"]

    def clustering(self) -> tuple[np.ndarray, dict[int, str]]:
        return self.data["clusters"], {0: "zero", 1: "one"}

    def vectors(self) -> np.ndarray:
        return self.data["vectors"]

    def read_columns(self, columns: list[str]) -> pl.DataFrame:
        return pl.DataFrame({c: self.data["columns"][c] for c in columns})

    def run(self) -> Run | None:
        return Run(1, 1, "m", ["a", "b"], "", True) if "predicted" in self.data else None

    def given_labels(self) -> list[str | None] | None:
        return self.data.get("given")

    def predictions(self) -> pl.DataFrame | None:
        if "predicted" not in self.data:
            return None
        n = self.version.rows
        return pl.DataFrame(
            {
                "predicted": self.data["predicted"],
                "loss": self.data.get("loss", [None] * n),
                "margin": self.data.get("margin", [None] * n),
            },
            schema={"predicted": pl.String, "loss": pl.Float64, "margin": pl.Float64},
        )


def detect(mode: str, version: SmallVersion, probabilities: np.ndarray | None = None, **spec: Any):  # type: ignore[no-untyped-def]
    inputs = TagInputs(version, TagSpec(**spec))  # type: ignore[arg-type]
    inputs.probabilities = lambda: probabilities  # type: ignore[method-assign]
    return REGISTRY[mode].detect(inputs, inputs.spec), inputs.notes


def test_every_shipped_mode_is_registered_in_order() -> None:
    assert ALL_MODES[:4] == ("misclassified", "low_margin", "high_loss", "label_issue")
    assert set(ALL_MODES) <= set(REGISTRY)


def test_model_modes() -> None:
    version = SmallVersion(
        4,
        given=["a", "b", None, "b"],
        predicted=["a", "a", "a", "b"],
        loss=[0.1, 3.0, None, 0.2],
        margin=[0.9, 0.05, 0.02, 0.5],
    )
    found, _ = detect("misclassified", version)
    assert found.rows.tolist() == [1] and found.scores.tolist() == [3.0]
    found, _ = detect("low_margin", version)
    assert found.rows.tolist() == [1, 2] and found.scores == pytest.approx([0.95, 0.98])
    found, _ = detect("high_loss", version)
    assert found.rows.tolist() == [1]
    found, notes = detect("misclassified", SmallVersion(4))
    assert found is None and notes == ["no model run with labels: model-based modes skipped"]


def test_label_issue_flags_the_row_the_model_is_sure_of() -> None:
    n = 60
    given = ["a"] * 30 + ["b"] * 30
    given[5] = "b"  # mislabelled: the model is sure it is an "a"
    probs = np.array([[0.95, 0.05]] * 30 + [[0.05, 0.95]] * 30)
    version = SmallVersion(n, has_text=False, given=given, predicted=["a"] * 30 + ["b"] * 30)
    found, _ = detect("label_issue", version, probs)
    assert found.rows.tolist() == [5]
    assert found.details == [
        {"suggested": "a", "method": "confident_learning", "probabilities": "model probabilities"}
    ]


def test_duplicates_and_leaks() -> None:
    hashes = ["h0", "h1", "h0", "h3", "h4"]
    indices = np.array([[1], [0], [0], [4], [3]], dtype=np.int32)
    distances = np.array([[0.01], [0.01], [0.0], [0.5], [0.5]], dtype=np.float32)
    splits = ["train", "test", "train", "train", "test"]
    version = SmallVersion(
        5,
        hashes=hashes,
        indices=indices,
        distances=distances,
        roles={"split": "split"},
        columns={"split": splits},
    )
    found, _ = detect("exact_duplicate", version)
    assert found.rows.tolist() == [0, 2]
    found, _ = detect("near_duplicate", version)
    assert found.rows.tolist() == [0, 1, 2]  # 0 and 1 differ by content, 2 copies 0
    found, _ = detect("split_leak", version)
    assert found.rows.tolist() == [0, 1, 2]  # the group spans train and test; 3 and 4 are not near


def test_map_modes() -> None:
    distances = np.array([[0.1, 0.2]] * 49 + [[0.8, 0.9]], dtype=np.float32)
    clusters = np.array([0] * 20 + [1] * 20 + [-1] * 10)
    wrong_rows = set(range(20, 38))  # cluster 1 is almost all wrong
    given = ["a"] * 50
    predicted = ["b" if i in wrong_rows else "a" for i in range(50)]
    version = SmallVersion(
        50,
        indices=np.zeros((50, 2), np.int32),
        distances=distances,
        clusters=clusters,
        given=given,
        predicted=predicted,
    )
    found, _ = detect("outlier", version, outlier_share=0.02)
    assert found.rows.tolist() == [49]
    found, _ = detect("cluster_noise", version)
    assert found.rows.tolist() == list(range(40, 50))
    found, _ = detect("error_cluster", version)
    assert found.rows.tolist() == list(range(20, 40))
    assert found.details[0] == {"cluster": "one", "error_rate": 0.9, "q_value": found.details[0]["q_value"]}
    assert found.details[0]["q_value"] < 0.05
    assert detect("outlier", SmallVersion(50, has_text=False))[0] is None


def test_disagreement() -> None:
    columns = {"label": ["a", "a", "b"], "second": ["a", "b", "b"]}
    version = SmallVersion(3, roles={"label": "label", "annotators": ["second"]}, columns=columns)
    found, _ = detect("disagreement", version)
    assert found.rows.tolist() == [1]
    assert detect("disagreement", SmallVersion(3, roles={"label": "label"}))[0] is None
