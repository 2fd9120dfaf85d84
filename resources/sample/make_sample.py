"""Build the bundled sample: BANKING77's test split and a classifier's outputs on it.

The classifier is TF-IDF (word 1-2-grams, sublinear tf) + multinomial logistic regression (C=10)
trained on BANKING77's train split; it gives probabilities for all 77 classes. Run from the project
root with ``../shared/data`` beside it::

    .venv/bin/python resources/sample/make_sample.py

BANKING77 (Casanueva et al., 2020) is CC BY 4.0; see ATTRIBUTION.md beside this file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

HERE = Path(__file__).parent
DATA = HERE.parents[1].parent / "shared" / "data" / "banking77"


def main() -> None:
    train = pl.read_csv(DATA / "train.csv")
    test = pl.read_csv(DATA / "test.csv")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    x_train = vectorizer.fit_transform(train["text"].to_list())
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(x_train, train["category"].to_list())
    probs = model.predict_proba(vectorizer.transform(test["text"].to_list())).astype(np.float64)
    probs /= probs.sum(axis=1, keepdims=True)
    ids = [f"b77-test-{i:05d}" for i in range(test.height)]
    pl.DataFrame({"id": ids, "text": test["text"], "label": test["category"]}).write_csv(
        HERE / "banking77_test.csv"
    )
    outputs = pl.DataFrame({"id": ids, "predicted": model.classes_[probs.argmax(axis=1)].tolist()})
    outputs = outputs.with_columns(
        pl.Series(f"prob_{c}", probs[:, j].round(6).astype(np.float32)) for j, c in enumerate(model.classes_)
    )
    outputs.write_parquet(HERE / "model_outputs.parquet")
    accuracy = float((outputs["predicted"] == test["category"]).mean())
    print(f"wrote {test.height} rows; accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
