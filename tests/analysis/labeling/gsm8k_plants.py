"""Planted contamination of GSM8K (Cobbe et al. 2021): a training file of real training problems with
copies and light edits of real test problems put in, each marked with what was planted.

Kinds planted (and the kind a check should name):
- ``copy``: a test problem verbatim (exact);
- ``format``: the same, in capitals, with doubled spaces and its punctuation changed (exact: the
  normalised texts are equal);
- ``number``: one number changed (near: the embeddings stay within cosine 0.95);
- ``reword``: a few words swapped for synonyms (near);
- ``embedded``: the test problem's first two sentences appended to another training problem
  (ngram: a 13-word run is shared, the embeddings are far apart).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from tests.conftest import DATA

GSM8K = DATA / "gsm8k"
SYNONYMS = {
    "buys": "purchases",
    "bought": "purchased",
    "has": "owns",
    "each": "every",
    "wants": "would like",
    "gets": "receives",
    "makes": "earns",
    "total": "overall",
    "How many": "What number of",
    "How much": "What amount of",
}
# planted kind → the kind of match a check should report
EXPECTED = {"copy": "exact", "format": "exact", "number": "near", "reword": "near", "embedded": "ngram"}


def read(split: str) -> list[str]:
    """The questions of GSM8K's ``train`` or ``test`` split, in file order."""
    lines = (GSM8K / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines]


def reformat(text: str) -> str:
    return text.upper().replace(" ", "  ").replace("?", " ?!").replace(",", ";").replace("’", "'")


def change_number(text: str) -> str | None:
    numbers = list(re.finditer(r"\d+", text))
    if not numbers:
        return None
    m = numbers[len(numbers) // 2]
    return text[: m.start()] + str(int(m.group()) + 7) + text[m.end() :]


def reword(text: str) -> str | None:
    out = text
    for word, other in SYNONYMS.items():
        out = re.sub(rf"\b{word}\b", other, out)
    changed = sum(a != b for a, b in zip(out.split(), text.split(), strict=False))
    return out if 2 <= changed <= 6 else None  # a light edit: a few words


def embed_in(text: str, host: str) -> str | None:
    head = " ".join(re.split(r"(?<=[.?!])\s+", text)[:2])
    return f"{host} Also: {head}" if len(head.split()) >= 20 else None


def planted_files(
    folder: Path, tests: int = 300, clean: int = 600, per_kind: int = 20
) -> tuple[Path, Path, pl.DataFrame]:
    """Write ``test.csv`` (the first ``tests`` test problems, ids ``test-<i>``) and ``train.csv``
    (the first ``clean`` training problems, ids ``train-<i>``, then the planted rows, ids
    ``plant-<kind>-<j>``) with columns ``id``, ``question``, ``source`` (``gsm8k`` or ``synthetic``
    for planted rows).

    Returns
    -------
    test path, train path, plants
        ``plants``: ``id`` (the planted row), ``plant`` (kind planted), ``of`` (the test row's id).
    """
    test, train = read("test")[:tests], read("train")
    hosts = iter(train[clean:])
    makers = {
        "copy": lambda t: t,
        "format": reformat,
        "number": change_number,
        "reword": reword,
        "embedded": lambda t: embed_in(t, next(hosts)),
    }
    plants: list[tuple[str, str, str, str]] = []
    used: set[int] = set()
    for kind, make in makers.items():
        made = 0
        for i, t in enumerate(test):
            if made == per_kind:
                break
            if i in used:
                continue
            planted = make(t)
            if planted is None or (kind != "copy" and planted == t):
                continue
            plants.append((f"plant-{kind}-{made}", planted, kind, f"test-{i}"))
            used.add(i)
            made += 1
    test_frame = pl.DataFrame({"id": [f"test-{i}" for i in range(len(test))], "question": test})
    train_frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "id": [f"train-{i}" for i in range(clean)],
                    "question": train[:clean],
                    "source": ["gsm8k"] * clean,
                }
            ),
            pl.DataFrame(
                {
                    "id": [p[0] for p in plants],
                    "question": [p[1] for p in plants],
                    "source": ["synthetic"] * len(plants),
                }
            ),
        ]
    )
    test_path, train_path = folder / "test.csv", folder / "train.csv"
    test_frame.write_csv(test_path)
    train_frame.write_csv(train_path)
    return (
        test_path,
        train_path,
        pl.DataFrame(plants, schema=["id", "question", "plant", "of"], orient="row").drop("question"),
    )
