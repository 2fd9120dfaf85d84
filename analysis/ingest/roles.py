"""Role mapping: which column of a file plays which part (id, text, label, model outputs, …)."""

from __future__ import annotations

from dataclasses import dataclass, field

ID_NAMES = ("id", "row_id", "uid", "uuid", "example_id", "_id")
TEXT_NAMES = (
    "text", "sentence", "utterance", "content", "query", "tweet", "review", "body", "prompt", "instruction",
    "question",
)  # fmt: skip
RESPONSE_NAMES = ("response", "output", "completion", "generation", "model_output")
LABEL_NAMES = ("label", "category", "intent", "class", "target", "gold", "y", "airline_sentiment")
PRED_NAMES = ("pred", "prediction", "predicted", "predicted_label", "y_pred", "pred_label")
TIME_NAMES = ("time", "timestamp", "date", "datetime", "created_at", "tweet_created")
SPLIT_NAMES = ("split", "subset", "partition", "fold")
PROBA_PREFIXES = ("prob_", "proba_", "p_")
# a long file's annotator and label-time columns (prefilled in the import dialog)
ANNOTATOR_NAMES = ("annotator", "annotator_id", "worker", "worker_id", "rater", "labeler", "labeller")
LABELLED_AT_NAMES = ("labelled_at", "labeled_at", "annotated_at", "label_time", "labelled_time")


@dataclass(frozen=True)
class RoleMapping:
    """The roles of a file's columns.

    Attributes
    ----------
    id, text, label, time, split, group : str or None
        Column names for each role; ``None`` when the file has no such column.
    annotators : tuple of str
        Extra annotator label columns.
    label_confidence : str or None
        Annotator-confidence column (share of annotators agreeing, e.g. ``airline_sentiment_confidence``).
    pred : str or None
        Predicted-label column of a model run.
    proba_cols : tuple of str
        One probability column per class, in class order.
    proba_prefix : str or None
        Alternative to ``proba_cols``: every column starting with this prefix is a class probability,
        the class name being the rest of the column name (``prob_<label>``).
    proba_list : str or None
        Alternative: one list column holding the probabilities in class order.
    time_format : str or None
        strftime format of a text ``time`` column (e.g. ``"%d-%m-%Y %H.%M"``); ``None`` guesses ISO.
    run_name : str
        Name of the model run made from the outputs; "" for the default (a classifier's run is
        ``model``, a generative run takes its generator's name:
        :func:`analysis.ingest.generative_run.run_name`).
    response : str or None
        A generative run's response column (the prompt is the ``text`` column).
    reference : str or None
        An expected answer per prompt (kept with the version's rows).
    scores : tuple of str
        A generative run's numeric evaluator score columns; the first is the one ``pass_if`` tests.
    pass_if : str or None
        The pass rule (``">= 1.5"``, or ``"match"`` against ``reference``;
        :class:`analysis.generative.pass_rule.PassRule`).
    passed : str or None
        A boolean pass/fail column of the evaluator (instead of ``pass_if``).
    """

    id: str | None = None
    text: str | None = None
    label: str | None = None
    time: str | None = None
    split: str | None = None
    group: str | None = None
    annotators: tuple[str, ...] = ()
    label_confidence: str | None = None
    pred: str | None = None
    proba_cols: tuple[str, ...] = ()
    proba_prefix: str | None = None
    proba_list: str | None = None
    time_format: str | None = None
    run_name: str = ""
    response: str | None = None
    reference: str | None = None
    scores: tuple[str, ...] = ()
    pass_if: str | None = None
    passed: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def has_outputs(self) -> bool:
        """Whether the mapping names any model output."""
        return bool(self.pred or self.proba_cols or self.proba_prefix or self.proba_list)

    @property
    def run_columns(self) -> list[str]:
        """A generative run's own columns (response, scores, pass/fail): not the version's data."""
        return [c for c in (self.response, *self.scores, self.passed) if c]

    def stored(self) -> dict[str, object]:
        """The roles as recorded in the project (plain JSON)."""
        return {
            "id": self.id,
            "text": self.text,
            "label": self.label,
            "time": self.time,
            "split": self.split,
            "group": self.group,
            "annotators": list(self.annotators),
            "label_confidence": self.label_confidence,
            "reference": self.reference,
        }


def first_named(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` (in their order, case ignored) among ``columns``, as the file spells it."""
    lowered = {c.lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def guess_roles(columns: list[str]) -> RoleMapping:
    """Guess a role mapping from column names (used to prefill the import dialog).

    Parameters
    ----------
    columns : list of str
        Column names of the file.

    Returns
    -------
    RoleMapping
        Roles whose usual names appear in ``columns``; the user confirms or changes them.
    """
    prefix = next((p for p in PROBA_PREFIXES if sum(c.startswith(p) for c in columns) >= 2), None)
    return RoleMapping(
        id=first_named(columns, ID_NAMES),
        text=first_named(columns, TEXT_NAMES),
        label=first_named(columns, LABEL_NAMES),
        time=first_named(columns, TIME_NAMES),
        split=first_named(columns, SPLIT_NAMES),
        pred=first_named(columns, PRED_NAMES),
        proba_prefix=prefix,
        response=first_named(columns, RESPONSE_NAMES),
    )
